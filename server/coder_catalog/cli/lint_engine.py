"""``lint`` without the terminal: find the files, get the template data, analyse, fix.

1. discover the files and read each with one ``read_bytes()``;
2. resolve each folder's settings (once per project file) and pick its template source;
3. collect the templates the files use (``Analyzer.coder_usages``) and load each source once
   (one client and one cache per deployment);
4. analyse every file with the one :class:`Analyzer` of its settings (parses are shared by all),
   applying safe fixes when asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS, Analyzer, CoderUsage, FileAnalysis
from coder_catalog.analysis.documents import DocumentCache
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.fixes import apply_safe_fixes
from coder_catalog.cli.lint_discovery import discover
from coder_catalog.cli.lint_settings import SettingsResolver
from coder_catalog.cli.lint_templates import OFFLINE, Source, load_templates, source_of
from coder_catalog.settings import Settings, SettingsError

MAX_FIX_ROUNDS = 5
NO_DEPLOYMENT = (
    "no Coder deployment is configured (--url, CODER_URL or deployment.accessUrl) and no template "
    "snapshot (--templates)"
)
NO_DEPLOYMENT_NOTE = f"{NO_DEPLOYMENT}: template and parameter checks are skipped"

Progress = Callable[[int, int], None]  # (files done, files in all)


class DeploymentRequired(Exception):
    """``require_deployment`` and a deployment could not be asked (``configured``) or none is set."""

    def __init__(self, message: str, *, configured: bool) -> None:
        super().__init__(message)
        self.configured = configured


@dataclass(frozen=True)
class LintOptions:
    paths: Sequence[str] = (".",)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    offline: bool = False
    require_deployment: bool = False  # raise DeploymentRequired instead of linting without templates
    fix: bool = False
    write: bool = True  # False: fix in memory only (--diff)
    use_git: bool = True


@dataclass
class LintedFile:
    path: Path  # absolute
    display: str  # relative to the working folder when below it
    original: str = ""  # the text as read (a BOM included)
    text: str = ""  # the text after fixes
    analysis: FileAnalysis | None = None
    settings: Settings | None = None
    fixes_applied: int = 0
    error: str | None = None  # why the file could not be checked

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.analysis.findings if self.analysis is not None else ()

    @property
    def changed(self) -> bool:
        return self.text != self.original


@dataclass
class LintReport:
    cwd: Path
    files: list[LintedFile] = field(default_factory=list)
    config_errors: list[str] = field(default_factory=list)  # "path:line:col: message"
    notes: list[str] = field(default_factory=list)

    @property
    def file_errors(self) -> list[LintedFile]:
        return [f for f in self.files if f.error is not None]


def lint(
    options: LintOptions,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> LintReport:
    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    env = os.environ if env is None else env
    resolver = SettingsResolver(options.overrides, env=env, cwd=cwd)
    report = LintReport(cwd)
    found = discover(options.paths, resolver, use_git=options.use_git)
    report.files.extend(
        LintedFile(path, display_path(path, cwd), error=reason) for path, reason in found.errors
    )
    files = [_read(path, cwd) for path in found.files]
    report.files.extend(files)
    checked = _with_settings([f for f in files if f.error is None], resolver, report)
    analyzers = _Analyzers()
    _load_templates(checked, analyzers, options, env, report)
    for done, (file, settings) in enumerate(checked, 1):
        _analyze(file, analyzers.for_settings(settings), fix=options.fix)
        if options.write and file.changed:
            _write(file)
        if progress is not None:
            progress(done, len(checked))
    return report


# -- reading and writing ------------------------------------------------------------------------------


def display_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _read(path: Path, cwd: Path) -> LintedFile:
    file = LintedFile(path, display_path(path, cwd))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_CHARACTERS:  # bytes >= characters: refused before reading it
            file.error = (
                f"too large to lint ({size / 1_000_000:.1f} MB; catalog files over "
                f"{MAX_FILE_CHARACTERS // 1_000_000} MB are refused)"
            )
            return file
        data = path.read_bytes()
    except OSError as exc:
        file.error = f"cannot read the file: {exc.strerror or exc}"
        return file
    try:
        file.original = file.text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        file.error = _not_utf8(data, exc)
    return file


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16; catalog files must be UTF-8"
    return f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"


def _write(file: LintedFile) -> None:
    try:
        file.path.write_bytes(file.text.encode("utf-8"))
    except OSError as exc:
        file.error = f"cannot write the fixed file: {exc.strerror or exc}"


# -- settings and template sources --------------------------------------------------------------------


def _with_settings(
    files: list[LintedFile], resolver: SettingsResolver, report: LintReport
) -> list[tuple[LintedFile, Settings]]:
    """The files whose settings resolve, with them; each invalid settings source is reported once."""
    checked: list[tuple[LintedFile, Settings]] = []
    for file in files:
        try:
            file.settings = resolver.settings_for(file.path.parent)
        except SettingsError as error:
            for problem in error.all_errors:
                if str(problem) not in report.config_errors:
                    report.config_errors.append(str(problem))
            file.error = f"not checked: the settings are invalid ({error.path})"
            continue
        checked.append((file, file.settings))
    return checked


class _Analyzers:
    """One Analyzer per settings (each settings has one template source), all sharing one parse cache."""

    def __init__(self) -> None:
        self.parses = DocumentCache()
        self._by_settings: dict[Settings, Analyzer] = {}

    def for_settings(self, settings: Settings) -> Analyzer:
        analyzer = self._by_settings.get(settings)
        if analyzer is None:
            analyzer = self._by_settings[settings] = Analyzer(settings, parses=self.parses)
        return analyzer

    def items(self) -> list[tuple[Settings, Analyzer]]:
        return list(self._by_settings.items())


def _load_templates(
    files: list[tuple[LintedFile, Settings]],
    analyzers: _Analyzers,
    options: LintOptions,
    env: Mapping[str, str],
    report: LintReport,
) -> None:
    """Load each template source once and hand its data to the analyzers of its settings."""
    usages = _usages_by_source(files, analyzers, offline=options.offline)
    if None in usages and not options.offline:
        if options.require_deployment:
            raise DeploymentRequired(NO_DEPLOYMENT, configured=False)
        report.notes.append(NO_DEPLOYMENT_NOTE)
    loaded = load_templates(usages, env)
    failures = [t.failure for t in loaded.values() if t.failure]
    if failures and options.require_deployment:
        raise DeploymentRequired("; ".join(failures), configured=True)
    for settings, analyzer in analyzers.items():
        analyzer.reset(templates=loaded.get(source_of(settings, offline=options.offline), OFFLINE).data)
    for templates in loaded.values():
        if templates.config_error and templates.config_error not in report.config_errors:
            report.config_errors.append(templates.config_error)


def _usages_by_source(
    files: list[tuple[LintedFile, Settings]], analyzers: _Analyzers, *, offline: bool
) -> dict[Source, list[CoderUsage]]:
    """The entities using Coder, by template source (none are needed for the offline source)."""
    usages: dict[Source, list[CoderUsage]] = {}
    for file, settings in files:
        source = source_of(settings, offline=offline)
        found = usages.setdefault(source, [])
        if source is not None:
            found.extend(analyzers.for_settings(settings).coder_usages(file.text))
    return usages


# -- analysis and fixes -------------------------------------------------------------------------------


def _analyze(file: LintedFile, analyzer: Analyzer, *, fix: bool) -> None:
    analysis = analyzer.analyze(file.text)
    if fix:
        for _ in range(MAX_FIX_ROUNDS):
            fixed, applied = apply_safe_fixes(file.text, analysis.findings)
            if not applied or fixed == file.text:
                break
            file.text = fixed
            file.fixes_applied += applied
            analysis = analyzer.analyze(file.text)
    file.analysis = analysis
