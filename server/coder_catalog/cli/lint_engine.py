"""``lint`` without the terminal: find the files, get the template data, analyse, fix.

1. discover the files and read each with one ``read_bytes()``;
2. resolve each folder's settings (once per project file) and pick its template source;
3. collect the templates the files use (``Analyzer.coder_usages``) and load each source once
   (one client and one cache per deployment);
4. analyse every file with the one :class:`Analyzer` of its settings (parses are shared by all),
   applying fixes when asked: each finding's safe fix, and with ``unsafe_fixes`` the first fix
   offered by a finding that has no safe one (ruff's convention).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS, Analyzer, CoderUsage, FileAnalysis
from coder_catalog.analysis.documents import DocumentCache
from coder_catalog.analysis.findings import Finding, Fix
from coder_catalog.analysis.fixes import apply_fixes
from coder_catalog.analysis.spans import Span
from coder_catalog.catalog_files import SettingsResolver, discover
from coder_catalog.cli.lint_templates import OFFLINE, Source, load_templates, source_of
from coder_catalog.settings import Settings, SettingsError, ingestion_location

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
    unsafe_fixes: bool = False  # with fix: also the first fix of findings that have no safe one
    write: bool = True  # False: fix in memory only (--diff)
    use_git: bool = True


@dataclass(frozen=True, slots=True)
class AppliedFix:
    """A fix ``--fix`` applied: the finding's code, the fix's title, and where the finding was in the
    text the fix was applied to (positions move when fixes above add or remove lines)."""

    code: str
    title: str
    span: Span
    safe: bool


@dataclass
class LintedFile:
    path: Path  # absolute
    display: str  # relative to the working folder when below it
    original: str = ""  # the text as read (a BOM included)
    text: str = ""  # the text after fixes
    analysis: FileAnalysis | None = None
    settings: Settings | None = None
    applied: list[AppliedFix] = field(default_factory=list)  # in the order they were applied
    error: str | None = None  # why the file could not be checked

    @property
    def fixes_applied(self) -> int:
        return len(self.applied)

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
    files = [read_catalog_file(path, cwd, found.contents.pop(str(path), None)) for path in found.files]
    report.files.extend(files)
    checked = _with_settings([f for f in files if f.error is None], resolver, report)
    analyzers = Analyzers()
    _load_templates(checked, analyzers, options, env, report)
    for done, (file, settings) in enumerate(checked, 1):
        _analyze(file, analyzers.for_settings(settings), fix=options.fix, unsafe=options.unsafe_fixes)
        if options.write and file.changed:
            _write(file)
        if progress is not None:
            progress(done, len(checked))
    _add_unresolved_references(checked, analyzers.parses, options.overrides, env, report)
    return report


# -- reading and writing ------------------------------------------------------------------------------


def display_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def read_catalog_file(path: Path, cwd: Path, data: bytes | None = None) -> LintedFile:
    """A file as lint reads it (size limit, encoding, line endings), with the reason when it cannot;
    ``data``: its content when discovery read it already."""
    file = LintedFile(path, display_path(path, cwd))
    try:
        size = path.stat().st_size if data is None else len(data)
        if size > MAX_FILE_CHARACTERS:  # bytes >= characters: refused before reading it
            file.error = (
                f"too large to lint ({size / 1_000_000:.1f} MB; catalog files over "
                f"{MAX_FILE_CHARACTERS // 1_000_000} MB are refused)"
            )
            return file
        if data is None:
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


class Analyzers:
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
    analyzers: Analyzers,
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
    files: list[tuple[LintedFile, Settings]], analyzers: Analyzers, *, offline: bool
) -> dict[Source, list[CoderUsage]]:
    """The entities using Coder, by template source (none are needed for the offline source)."""
    usages: dict[Source, list[CoderUsage]] = {}
    for file, settings in files:
        source = source_of(settings, offline=offline)
        found = usages.setdefault(source, [])
        if source is not None:
            location = ingestion_location(settings, str(file.path))
            found.extend(analyzers.for_settings(settings).coder_usages(file.text, location))
    return usages


# -- analysis and fixes -------------------------------------------------------------------------------


def _analyze(file: LintedFile, analyzer: Analyzer, *, fix: bool, unsafe: bool = False) -> None:
    # where Backstage would say entities that set no backstage.io/source-location come from
    location = ingestion_location(analyzer.settings, str(file.path))
    analysis = analyzer.analyze(file.text, location)
    if fix:
        for _ in range(MAX_FIX_ROUNDS):
            chosen = chosen_fixes(analysis.findings, unsafe=unsafe)
            fixed, taken = apply_in_order(file.text, [offered for _, offered in chosen])
            if not taken or fixed == file.text:
                break
            file.text = fixed
            for finding, applied in (chosen[index] for index in taken):
                file.applied.append(AppliedFix(finding.code, applied.title, finding.span, applied.safe))
            analysis = analyzer.analyze(file.text, location)
    file.analysis = analysis


def _add_unresolved_references(
    checked: list[tuple[LintedFile, Settings]],
    parses: DocumentCache,
    overrides: Mapping[str, Any],
    env: Mapping[str, str],
    report: LintReport,
) -> None:
    """CC601, with ``references.complete`` (or ``references.catalog``): every file linted is indexed
    first, with the catalog files of the ``references.catalog`` folders (not linted), then each file
    gets a finding for each reference that names no entity of any of them. A ``references.catalog``
    folder that does not exist turns CC601 off for the files it governs (a note says so)."""
    if not any(settings.references_complete for _, settings in checked):
        return
    from coder_catalog.analysis.catalog_index import CatalogIndex, index_file, unresolved_reference_findings
    from coder_catalog.catalog_files import read_catalog

    index = CatalogIndex(parses=parses)
    for file, _ in checked:
        if file.analysis is not None and len(file.text) <= MAX_FILE_CHARACTERS:
            index.add(str(file.path), file.text)
    folders = sorted({folder for _, settings in checked for folder in settings.references_catalog})
    missing = {folder for folder in folders if not os.path.isdir(folder)}
    for folder in sorted(missing):
        report.notes.append(
            f"references.catalog: {folder} is not a folder: references are not checked (CC601)"
        )
    for path, text in read_catalog([f for f in folders if f not in missing], overrides, env):
        if path not in index:
            index.put(index_file(path, text))
    for file, settings in checked:
        if file.analysis is None or missing.intersection(settings.references_catalog):
            continue
        findings = list(file.analysis.findings)
        for extra in unresolved_reference_findings(index, str(file.path), file.text, settings):
            at = next((i for i, f in enumerate(findings) if f.span.start > extra.span.start), len(findings))
            findings.insert(at, extra)
        if len(findings) != len(file.analysis.findings):
            file.analysis = replace(file.analysis, findings=tuple(findings))


def chosen_fixes(findings: Sequence[Finding], *, unsafe: bool) -> list[tuple[Finding, Fix]]:
    """The fix ``--fix`` applies for each finding: its safe fix; with ``unsafe``, when it has none,
    the first fix it offers."""
    chosen: list[tuple[Finding, Fix]] = []
    for finding in findings:
        fix = finding.safe_fix
        if fix is None and unsafe and finding.fixes:
            fix = finding.fixes[0]
        if fix is not None:
            chosen.append((finding, fix))
    return chosen


def apply_in_order(text: str, fixes: list[Fix]) -> tuple[str, list[int]]:
    """The text with the fixes applied (:func:`apply_fixes`: in order, skipping a fix that overlaps
    one taken before it), and the indexes of those applied.

    Whether fix ``i`` is taken depends only on the fixes before it, so it is taken when applying the
    first ``i + 1`` fixes takes one more than applying the first ``i``. Usually every fix is taken
    (one call); otherwise halves are counted until each skipped fix is found.
    """
    fixed, count = apply_fixes(text, fixes)
    counts = {0: 0, len(fixes): count}

    def taken(end: int) -> int:
        if end not in counts:
            counts[end] = apply_fixes(text, fixes[:end])[1]
        return counts[end]

    def indexes(start: int, end: int) -> Iterator[int]:
        if taken(end) - taken(start) == end - start:
            yield from range(start, end)
        elif taken(end) > taken(start):
            middle = (start + end) // 2
            yield from indexes(start, middle)
            yield from indexes(middle, end)

    return fixed, list(indexes(0, len(fixes)))
