"""``coder-catalog lint [PATH ...]``: check catalog files the way the Backstage Coder plugin and
the Coder deployment will read them (see docs/lint.md).

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it; 2 usage,
configuration or file errors (the other files are still checked); 3 ``--require-deployment``
and the deployment could not be asked; 141 stdout was closed first (``| head``, see ``cli.main``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from coder_catalog.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    CommandError,
    add_deployment_flags,
    overrides_from_args,
)

if TYPE_CHECKING:
    from coder_catalog.cli.lint_engine import LintOptions, LintReport

# The analysis, the settings and the report formats are imported when the command runs, not when the
# parser is built: `coder-catalog --version` and the other subcommands do without them (issue 18).

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
FAIL_ON = ("error", "warning", "info")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "lint",
        help="check catalog files (catalog-info.yaml) in CI or before a commit",
        description="Check the spec.coder block of Backstage catalog files. PATHs are files (always "
        "checked) and folders (searched for catalog-info.yaml, catalog-info.yml and catalogGlobs).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files and folders to check (default: .)")
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="how to report: text, json, sarif (GitHub code scanning), github (workflow annotations), "
        "gitlab (Code Quality report), junit (JUnit XML) (default: text)",
    )
    output.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    output.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report (auto: when stdout is a terminal and NO_COLOR is unset)",
    )
    output.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument(
        "--fix", action="store_true", help="apply every safe fix in place, then report what remains"
    )
    fixing.add_argument(
        "--diff",
        action="store_true",
        help="print what --fix would change, change nothing (exit 1 when there is something to fix)",
    )
    fixing.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, also apply the first fix of findings that have no safe fix "
        "(alone: count those as fixable)",
    )
    fixing.add_argument(
        "-v", "--verbose", action="store_true", help="with --fix, list each fix applied (text format)"
    )
    add_deployment_flags(parser)
    templates = parser.add_argument_group("templates")
    templates.add_argument(
        "--offline",
        action="store_true",
        help="skip the template and parameter checks (no deployment, no snapshot)",
    )
    templates.add_argument(
        "--require-deployment",
        action="store_true",
        help="exit 3 instead of linting without templates when the deployment cannot be asked",
    )
    parser.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="CODE=SEVERITY",
        help="set a rule's severity (error, warning, info or off); repeatable",
    )
    parser.set_defaults(run=run_lint)


def run_lint(args: argparse.Namespace) -> int:
    from coder_catalog.cli.lint_engine import LintOptions

    _check_combinations(args)
    overrides = lint_overrides(args)
    _check_overrides(overrides)
    options = LintOptions(
        paths=tuple(args.paths) or (".",),
        overrides=overrides,
        offline=args.offline,
        require_deployment=args.require_deployment,
        fix=args.fix or args.diff,
        unsafe_fixes=args.unsafe_fixes,
        write=not args.diff,
    )
    report = _run(options)
    _print_problems(report, args.format)
    if args.diff:
        changed = _write_diffs(report, sys.stdout)
        return exit_code(report, args.fail_on, diff_changed=changed)
    _write_report(report, args)
    return exit_code(report, args.fail_on)


def _check_combinations(args: argparse.Namespace) -> None:
    if args.offline and args.templates:
        raise CommandError("--offline and --templates exclude each other")
    if args.offline and args.require_deployment:
        raise CommandError("--offline and --require-deployment exclude each other")
    if args.fix and args.diff:
        raise CommandError("--fix and --diff exclude each other: --diff is the dry run of --fix")
    if args.diff and (args.format != "text" or args.output):
        raise CommandError("--diff prints a diff; it cannot be combined with --format or --output")


def lint_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the flags override, in the project file's shape."""
    overrides = overrides_from_args(args)
    rules = dict(_parse_rule(text) for text in args.rule)
    if rules:
        overrides["rules"] = rules
    return overrides


def _parse_rule(text: str) -> tuple[str, str]:
    from coder_catalog.analysis.rules import rule_setting_problem
    from coder_catalog.settings import SEVERITIES

    given, equals, severity = text.partition("=")
    code, severity = given.strip().upper(), severity.strip().lower()
    if not equals or not code or severity not in SEVERITIES:
        raise CommandError(
            f'--rule "{text}": expected CODE=SEVERITY with SEVERITY one of {", ".join(SEVERITIES)}'
        )
    problem = rule_setting_problem(code, severity)
    if problem is not None:
        raise CommandError(f'--rule "{text}": {problem}')
    return code, severity


def _check_overrides(overrides: dict[str, Any]) -> None:
    """Bad flag values are a usage error at once (a bad project file only stops its own files)."""
    from coder_catalog.settings import SettingsError, resolve_settings

    try:
        resolve_settings(None, overrides=overrides)
    except SettingsError as error:
        if error.source == "override":
            raise CommandError(str(error)) from None


def _run(options: LintOptions) -> LintReport:
    from coder_catalog.cli.lint_engine import DeploymentRequired, lint
    from coder_catalog.cli.lint_progress import ProgressBar

    bar = ProgressBar(sys.stderr) if ProgressBar.wanted(sys.stderr) else None
    try:
        return lint(options, progress=bar)
    except DeploymentRequired as exc:
        code = EXIT_UNREACHABLE if exc.configured else EXIT_USAGE
        raise CommandError(f"--require-deployment: {exc}", code) from None
    finally:
        if bar is not None:
            bar.close()


def _print_problems(report: LintReport, output_format: str) -> None:
    for note in report.notes:
        print(f"coder-catalog: note: {note}", file=sys.stderr)
    if output_format == "github":
        return  # annotations carry them
    for problem in report.config_errors:
        print(problem, file=sys.stderr)
    for file in report.file_errors:
        print(f"{file.display}: error: {file.error}", file=sys.stderr)


def _write_report(report: LintReport, args: argparse.Namespace) -> None:
    """The report to ``--output`` or stdout (a closed stdout, ``| head``, is handled by ``cli.main``)."""
    options = {"fixing": args.fix, "unsafe_fixes": args.unsafe_fixes, "verbose": args.verbose}
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="\n") as out:
                render(report, args.format, out, color=args.color == "always", **options)
        except OSError as exc:
            raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        return
    render(report, args.format, sys.stdout, color=use_color(args.color, sys.stdout), **options)


def render(
    report: LintReport,
    output_format: str,
    out: TextIO,
    *,
    color: bool = False,
    fixing: bool = False,
    unsafe_fixes: bool = False,
    verbose: bool = False,
) -> None:
    from coder_catalog.cli.lint_formats import json_document, render_github, render_text

    if output_format == "text":
        render_text(report, out, color=color, fixing=fixing, unsafe_fixes=unsafe_fixes, verbose=verbose)
    elif output_format == "github":
        render_github(report, out, fixing=fixing, unsafe_fixes=unsafe_fixes)
    elif output_format == "junit":
        from coder_catalog.cli.lint_junit import render_junit

        render_junit(report, out)
    else:
        root = source_root(report)
        document: Any
        if output_format == "json":
            document = json_document(report)
        elif output_format == "gitlab":
            from coder_catalog.cli.lint_gitlab import gitlab_document

            document = gitlab_document(report, root)
        else:
            from coder_catalog.cli.lint_sarif import sarif_document

            document = sarif_document(report, root)
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")


def source_root(report: LintReport) -> Path:
    """Where SARIF locations are relative to: the repository of the working folder, else that folder."""
    for folder in (report.cwd, *report.cwd.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return report.cwd


def use_color(choice: str, stream: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _write_diffs(report: LintReport, out: TextIO) -> bool:
    changed = False
    for file in report.files:
        if file.analysis is not None and file.changed:
            changed = True
            out.writelines(_diff(file.original, file.text, file.display.replace(os.sep, "/")))
    return changed


def _diff(before: str, after: str, name: str) -> Iterator[str]:
    import difflib

    from coder_catalog.analysis.documents import split_lines

    for line in difflib.unified_diff(split_lines(before), split_lines(after), f"a/{name}", f"b/{name}"):
        yield line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"


def exit_code(report: LintReport, fail_on: str, *, diff_changed: bool | None = None) -> int:
    from coder_catalog.analysis.findings import SEVERITY_RANK
    from coder_catalog.analysis.rules.yaml_problems import NOT_CHECKED

    if report.config_errors or report.file_errors:
        return EXIT_USAGE
    if any(f.code in NOT_CHECKED for file in report.files for f in file.findings):
        return EXIT_USAGE  # a file or document refused (too large, too deep, an alias bomb): not checked
    if diff_changed is not None:
        return EXIT_FAILED if diff_changed else EXIT_OK
    threshold = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[f.severity] >= threshold for file in report.files for f in file.findings):
        return EXIT_FAILED
    return EXIT_OK
