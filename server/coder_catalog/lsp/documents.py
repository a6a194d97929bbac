"""Open documents, their settings, and their analysis.

Settings are resolved per folder (nearest ``.coder-catalog.yaml``) with the editor's settings
on top, and kept until a settings file or the editor's settings change. Each (settings, template
source) pair has one Analyzer, so documents share parses and results; an Analyzer is reset
when its template data changes.

Whether a document is a catalog file is decided as ``lint`` decides it
(:mod:`coder_catalog.catalog_files`): its ``catalogGlobs`` are relative to the project file's
folder, else to the workspace folder holding it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from coder_catalog.analysis.analyze import Analyzer, FileAnalysis
from coder_catalog.analysis.documents import DocumentCache
from coder_catalog.catalog_files import is_catalog_file
from coder_catalog.lsp.deployments import TemplateProvider, TemplateProviders
from coder_catalog.lsp.positions import PositionConverter, encoding_name
from coder_catalog.settings import (
    Settings,
    SettingsError,
    WorkspaceDefaults,
    ingestion_location,
    resolve_settings,
)

log = logging.getLogger(__name__)

FALLBACK_SETTINGS = Settings(access_url=None, workspaces=WorkspaceDefaults())


@dataclass
class OpenDocument:
    uri: str
    path: str | None
    language_id: str | None
    version: int | None
    text: str
    settings: Settings = FALLBACK_SETTINGS
    settings_error: SettingsError | None = None
    is_catalog: bool = False
    analysis: FileAnalysis | None = None
    analysed_text: str | None = None
    published_version: int | None = field(default=None)
    _converter: PositionConverter | None = field(default=None, repr=False)

    @property
    def default_location(self) -> str | None:
        """The source-location Backstage writes at ingestion for this file's entities that set none."""
        return ingestion_location(self.settings, self.path)

    def converter(self, encoding: str) -> PositionConverter:
        """Position conversion for the current text (lines are split once per version, not per request)."""
        converter = self._converter
        if (
            converter is None
            or converter.text is not self.text
            or converter.encoding != encoding_name(encoding)
        ):
            converter = self._converter = PositionConverter(self.text, encoding)
        return converter


@dataclass
class _AnalyzerSlot:
    analyzer: Analyzer
    provider: TemplateProvider
    provider_version: int


class CatalogDocuments:
    def __init__(self, providers: TemplateProviders) -> None:
        self.providers = providers
        self.overrides: dict[str, Any] = {}
        self.documents: dict[str, OpenDocument] = {}
        self.folders: list[str] = []  # the workspace folders (see set_folders)
        self._settings: dict[str, Settings | SettingsError] = {}
        self._slots: dict[tuple[Settings, int], _AnalyzerSlot] = {}
        self.parses = DocumentCache()  # shared by the analyzers and the workspace index

    # -- settings ------------------------------------------------------------------------------------

    def set_overrides(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self.forget_settings()

    def forget_settings(self) -> None:
        self._settings.clear()
        for document in self.documents.values():
            self.refresh_settings(document)

    def settings_for(self, path: str | None) -> Settings | SettingsError:
        folder = os.path.dirname(path) if path else os.getcwd()
        found = self._settings.get(folder)
        if found is None:
            try:
                found = resolve_settings(path or folder, overrides=self.overrides)
            except SettingsError as exc:
                found = exc
            self._settings[folder] = found
        return found

    def refresh_settings(self, document: OpenDocument) -> None:
        found = self.settings_for(document.path)
        if isinstance(found, SettingsError):
            document.settings, document.settings_error = FALLBACK_SETTINGS, found
        else:
            document.settings, document.settings_error = found, None
        document.is_catalog = self._is_catalog(document)
        document.analysis = None
        document.analysed_text = None

    # -- which documents are catalog files ---------------------------------------------------------

    def set_folders(self, folders: Sequence[str]) -> list[OpenDocument]:
        """The workspace folders: ``catalogGlobs`` that no project file sets (the editor's) are relative
        to the one holding a document, as when the workspace index searches that folder. The open
        documents whose judgement depends on it are judged again; those that became or stopped being
        catalog files are returned."""
        self.folders = list(folders)
        changed: list[OpenDocument] = []
        for document in self.documents.values():
            if document.settings.project_file or not document.settings.catalog_globs:
                continue
            was = document.is_catalog
            document.is_catalog = self._is_catalog(document)
            if document.is_catalog != was:
                document.analysis = None
                document.analysed_text = None
                changed.append(document)
        return changed

    def glob_folder(self, path: str | None) -> str | None:
        """The folder ``catalogGlobs`` are relative to when no project file sets them: the innermost
        workspace folder holding ``path`` (None: none does, the server's working folder)."""
        if not path:
            return None
        holding = [f for f in self.folders if path.startswith(f.rstrip(os.sep) + os.sep)]
        return max(holding, key=len) if holding else None

    def _is_catalog(self, document: OpenDocument) -> bool:
        return is_catalog_file(
            document.path,
            document.language_id,
            document.text,
            document.settings,
            cwd=self.glob_folder(document.path),
        )

    # -- documents ---------------------------------------------------------------------------------

    def open(
        self, uri: str, path: str | None, language_id: str | None, version: int | None, text: str
    ) -> OpenDocument:
        document = OpenDocument(uri, path, language_id, version, text)
        self.documents[uri] = document
        self.refresh_settings(document)
        return document

    def change(self, uri: str, version: int | None, text: str) -> OpenDocument | None:
        document = self.documents.get(uri)
        if document is None:
            return None
        document.version = version
        document.text = text
        if not document.is_catalog:  # a YAML file may become a catalog file as the user types
            document.is_catalog = self._is_catalog(document)
        return document

    def apply_changes(
        self,
        uri: str,
        version: int | None,
        changes: Sequence[types.TextDocumentContentChangeEvent],
        encoding: str,
    ) -> OpenDocument | None:
        """Apply a ``didChange``'s changes in order, with LSP's positions: lines end at LF, CRLF or
        CR only (pygls's own copy splits at U+2028 and other characters too, and would drift)."""
        document = self.documents.get(uri)
        if document is None:
            return None
        text = document.text
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                converter = (
                    document.converter(encoding)
                    if text is document.text
                    else PositionConverter(text, encoding)
                )
                start, end = converter.offset(change.range.start), converter.offset(change.range.end)
                start, end = min(start, end), max(start, end)
                text = text[:start] + change.text + text[end:]
            else:
                text = change.text
        return self.change(uri, version, text)

    def close(self, uri: str) -> OpenDocument | None:
        return self.documents.pop(uri, None)

    # -- analysis ----------------------------------------------------------------------------------

    def analyzer_for(self, document: OpenDocument) -> Analyzer:
        provider = self.providers.for_settings(document.settings)
        key = (document.settings, id(provider))
        slot = self._slots.get(key)
        if slot is None:
            analyzer = Analyzer(document.settings, provider.data(), parses=self.parses)
            slot = self._slots[key] = _AnalyzerSlot(analyzer, provider, provider.version)
        elif slot.provider_version != provider.version:
            slot.analyzer.reset(templates=provider.data())
            slot.provider_version = provider.version
        return slot.analyzer

    def analyze(self, document: OpenDocument) -> FileAnalysis:
        """The document's analysis for its current text (from the Analyzer's caches when unchanged)."""
        analyzer = self.analyzer_for(document)
        if document.analysis is not None and document.analysed_text is document.text:
            return document.analysis
        analysis = analyzer.analyze(document.text, document.default_location)
        document.analysis = analysis
        document.analysed_text = document.text
        names = {d.template_name for d in analysis.documents if d.template_name}
        if names:
            self.providers.for_settings(document.settings).want(names)
        return analysis

    def invalidate(self, provider: TemplateProvider | None = None) -> list[OpenDocument]:
        """Documents whose analysis must be redone (all, or those using ``provider``)."""
        affected = []
        for document in self.documents.values():
            if not document.is_catalog:
                continue
            if provider is None or self.providers.for_settings(document.settings) is provider:
                document.analysis = None
                document.analysed_text = None
                affected.append(document)
        return affected
