"""Document links: a ``templateName`` to its page on the deployment, the source location to the
repository."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import Segment
from coder_catalog.analysis.editor.common import DocumentMemo, file_span, without_bom
from coder_catalog.analysis.effective import template_url
from coder_catalog.analysis.entity import SOURCE_LOCATION, Entity
from coder_catalog.analysis.repository import repository_url
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.analysis.yaml_tree import Mapping, Node, Scalar

_URL_PREFIX = "url:"


@dataclass(frozen=True, slots=True)
class Link:
    span: Span  # file positions
    target: str
    tooltip: str


_MEMO: DocumentMemo[tuple[Link, ...]] = DocumentMemo()


def links(analyzer: Analyzer, text: str) -> list[Link]:
    text, bom = without_bom(text)
    found: list[Link] = []
    for segment in analyzer.segments(text):
        for link in _MEMO.get(analyzer, segment, lambda s: _document_links(analyzer, s)):
            found.append(Link(file_span(link.span, bom), link.target, link.tooltip) if bom else link)
    return found


def _document_links(analyzer: Analyzer, segment: Segment) -> tuple[Link, ...]:
    parsed = analyzer.parses.parse(segment.text).parsed
    root = parsed.root if parsed is not None else None
    if not isinstance(root, Mapping):
        return ()
    entity = Entity(root)
    found = (_template_link(analyzer, entity, segment), _repository_link(entity, segment))
    return tuple(link for link in found if link is not None)


def _template_link(analyzer: Analyzer, entity: Entity, segment: Segment) -> Link | None:
    access_url = analyzer.settings.access_url
    node = entity.coder.get("templateName") if entity.coder is not None else None
    if not access_url or not _one_line_string(node):
        return None
    catalog = analyzer.templates.catalog
    template = catalog.find(node.value) if catalog is not None else None
    if catalog is not None and template is None:
        return None  # no such template: the page would not exist (the finding says so)
    name = template.name if template is not None else node.value
    where = f" ({template.organization_name})" if template is not None and template.organization_name else ""
    tooltip = f"Open the template {name}{where} on {access_url}"
    return Link(node.span.shifted(segment.start_line), template_url(access_url, name), tooltip)


def _repository_link(entity: Entity, segment: Segment) -> Link | None:
    node = entity.annotation(SOURCE_LOCATION)
    if not _one_line_string(node) or not node.value.startswith(_URL_PREFIX):
        return None
    target = node.value[len(_URL_PREFIX) :]
    if not target.startswith(("https://", "http://")):
        return None
    span = node.span
    if node.style == "":  # the link covers the URL, not the "url:" in front of it
        span = Span(Position(span.start.line, span.start.column + len(_URL_PREFIX)), span.end)
    used = repository_url(node.value).url
    tooltip = "Open the repository" + (f" (the plugin uses {used})" if used and used != target else "")
    return Link(span.shifted(segment.start_line), target, tooltip)


def _one_line_string(node: Node | None) -> TypeGuard[Scalar]:
    return (
        isinstance(node, Scalar)
        and node.is_string
        and node.value != ""
        and node.span.start.line == node.span.end.line
    )
