"""The lint step of the coder-catalog GitHub Action (action.yml at the repository root).

Runs ``coder-catalog lint --format sarif`` once, then appends a table of the findings, read from
that SARIF file, to the job summary (``$GITHUB_STEP_SUMMARY``) and sets the step's outputs
(``sarif``: the report's path when lint wrote one; ``exit-code``). Exits with lint's exit code.

Inputs come from the environment (the action passes them so, never inside the script's text):
``INPUT_PATHS`` (files and folders, separated by spaces or new lines), ``INPUT_ARGS`` (more
arguments for lint, shell-quoted), ``INPUT_SARIF_FILE`` (default ``coder-catalog.sarif``). Only the
standard library and the SARIF file are used, so any coder-catalog release that writes SARIF works.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

MAX_ROWS = 1000  # GitHub refuses a step summary over 1 MiB
SEVERITY = {"error": "error", "warning": "warning", "note": "info", "none": "info"}  # SARIF level: ours
SEVERITY_ORDER = ("error", "warning", "info")


def main() -> int:
    sarif = Path(os.environ.get("INPUT_SARIF_FILE") or "coder-catalog.sarif")
    paths = shlex.split(os.environ.get("INPUT_PATHS") or ".")
    args = shlex.split(os.environ.get("INPUT_ARGS") or "")
    sarif.unlink(missing_ok=True)  # a report left from before must not pass for this run's
    command = [sys.executable, "-m", "coder_catalog", "lint", "--format", "sarif", "-o", str(sarif)]
    code = subprocess.call([*command, *args, "--", *paths])
    written = sarif.is_file()
    _append("GITHUB_OUTPUT", f"exit-code={code}\nsarif={sarif if written else ''}\n")
    if written:
        _append("GITHUB_STEP_SUMMARY", summary(json.loads(sarif.read_text(encoding="utf-8")), code))
    else:
        _append(
            "GITHUB_STEP_SUMMARY",
            f"### coder-catalog lint\n\nlint stopped (exit code {code}): see the log.\n",
        )
    return code


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(text)


def summary(document: dict[str, Any], code: int) -> str:
    """The job summary: a count line, a table of the findings, the files that could not be checked."""
    run = document["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    results = run.get("results", [])
    severities = [SEVERITY.get(r.get("level", "warning"), "warning") for r in results]
    counts = ", ".join(
        f"{severities.count(s)} {s}{'' if severities.count(s) == 1 else 's'}" for s in SEVERITY_ORDER
    )
    lines = ["### coder-catalog lint", ""]
    lines.append(f"{counts} (exit code {code})" if results else f"No findings (exit code {code}).")
    if results:
        lines += ["", "| Severity | Location | Rule | Message |", "|---|---|---|---|"]
        for result, severity in list(zip(results, severities, strict=True))[:MAX_ROWS]:
            lines.append(
                f"| {severity} | {_location(result)} | {_rule(result, rules)} | {_cell(_message(result))} |"
            )
        if len(results) > MAX_ROWS:
            lines += ["", f"… and {len(results) - MAX_ROWS} more (see the SARIF report)."]
    notes = [n for i in run.get("invocations", []) for n in i.get("toolExecutionNotifications", [])]
    if notes:
        lines += ["", "Not checked:", ""]
        lines += [f"- {_cell(n.get('message', {}).get('text', ''))}" for n in notes]
    return "\n".join(lines) + "\n\n"


def _message(result: dict[str, Any]) -> str:
    return str(result.get("message", {}).get("text", ""))


def _location(result: dict[str, Any]) -> str:
    location = result["locations"][0]["physicalLocation"]
    uri = location["artifactLocation"]["uri"]
    line = location.get("region", {}).get("startLine", 1)
    path = unquote(uri.removeprefix("file://"))
    shown = "`" + path.replace("|", "\\|") + f":{line}`"  # a code span: no HTML escapes
    server, repository, sha = (
        os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
    )
    if "uriBaseId" in location["artifactLocation"] and server and repository and sha:
        return f"[{shown}]({server}/{repository}/blob/{sha}/{uri}#L{line})"
    return shown


def _rule(result: dict[str, Any], rules: list[dict[str, Any]]) -> str:
    code = str(result.get("ruleId", ""))
    index = result.get("ruleIndex")
    rule = rules[index] if isinstance(index, int) and 0 <= index < len(rules) else {}
    name = f" {rule['name']}" if rule.get("name") else ""
    return f"[{code}]({rule['helpUri']}){name}" if rule.get("helpUri") else f"{code}{name}"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, no column break, no HTML."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
