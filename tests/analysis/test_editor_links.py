"""Links: a template to its page on the deployment, the source location to the repository."""

from __future__ import annotations

from dataclasses import replace

from analysis_support import component, position_of

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.links import links
from coder_catalog.analysis.spans import Position
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings


def test_template_and_repository_links(settings: Settings, template_data: TemplateData) -> None:
    text = component("coder:\n  templateName: devcontainers")
    found = links(Analyzer(settings, template_data), text)
    by_target = {link.target: link for link in found}
    template = by_target["https://coder.example.com/templates/devcontainers"]
    assert template.span.start == Position(*position_of(text, "devcontainers"))
    assert "devcontainers" in template.tooltip
    repository = by_target["https://github.com/acme/python-project/tree/main/"]
    assert repository.span.start == Position(*position_of(text, "https://github.com"))
    assert repository.span.end == Position(
        repository.span.start.line, len(text.split("\n")[repository.span.start.line])
    )
    assert "https://github.com/acme/python-project)" in repository.tooltip


def test_the_exact_name_of_a_template_written_in_another_case(
    settings: Settings, template_data: TemplateData
) -> None:
    found = links(
        Analyzer(settings, template_data), component("coder:\n  templateName: Docker", location=None)
    )
    assert [link.target for link in found] == ["https://coder.example.com/templates/docker"]


def test_no_template_link_without_an_access_url_or_for_an_unknown_template(
    settings: Settings, template_data: TemplateData
) -> None:
    text = component("coder:\n  templateName: docker", location=None)
    assert links(Analyzer(replace(settings, access_url=None), template_data), text) == []
    unknown = component("coder:\n  templateName: nope", location=None)
    assert links(Analyzer(settings, template_data), unknown) == []
    offline = links(Analyzer(settings, TemplateData.offline()), unknown)
    assert [link.target for link in offline] == ["https://coder.example.com/templates/nope"]


def test_only_url_locations_link(settings: Settings) -> None:
    analyzer = Analyzer(settings)
    assert links(analyzer, component(location="https://github.com/acme/x")) == []
    assert links(analyzer, component(location="file:../x")) == []
    quoted = links(analyzer, component(location='"url:https://github.com/acme/x"'))
    assert [link.target for link in quoted] == ["https://github.com/acme/x"]
