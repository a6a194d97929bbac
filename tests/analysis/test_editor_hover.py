"""Hover on templateName, a parameter, mode and the coder key; Markdown stays safe."""

from __future__ import annotations

from dataclasses import replace

import pytest
from analysis_support import component, position_of

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.hover import HoverResult, hover
from coder_catalog.analysis.effective import effective_coder
from coder_catalog.analysis.entity import entity_of
from coder_catalog.analysis.spans import Position
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.analysis.yaml_tree import parse_document
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.templates.model import TemplateCatalog


@pytest.fixture
def analyzer(settings: Settings, template_data: TemplateData) -> Analyzer:
    return Analyzer(settings, template_data)


def hover_at(analyzer: Analyzer, text: str, needle: str, offset: int = 1) -> HoverResult:
    line, column = position_of(text, needle, offset)
    found = hover(analyzer, text, line, column)
    assert found is not None, f"no hover at {needle!r}"
    return found


def test_template_on_the_key_and_on_the_value(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: devcontainers")
    on_key = hover_at(analyzer, text, "templateName")
    on_value = hover_at(analyzer, text, "devcontainers")
    assert on_key.markdown == on_value.markdown
    markdown = on_value.markdown
    assert "### Dev Containers (`devcontainers`)" in markdown
    assert "devcontainer.json" in markdown  # the description
    assert "Organization: coder" in markdown
    assert "d762b1e7-1b22-5c1e-8fad-cf5bd541bf19" in markdown and "2025-05-20T16:45:00Z" in markdown
    assert "(<https://coder.example.com/templates/devcontainers>)" in markdown
    line, column = position_of(text, "devcontainers")
    assert (on_value.span.start.line, on_value.span.start.column, on_value.span.end.column) == (
        line,
        column,
        column + len("devcontainers"),
    )


def test_template_hover_lists_the_presets(analyzer: Analyzer) -> None:
    markdown = hover_at(
        analyzer, component("coder:\n  templateName: devcontainers"), "devcontainers"
    ).markdown
    assert "Presets (their values overwrite the entity's params when chosen at creation):" in markdown
    assert "- `Small` (default) — `region=us-east-1, disk_size=20`" in markdown
    assert "- `Large`: A big disk in Europe. — `region=eu-west-1, disk_size=200," in markdown


def test_deprecated_template(analyzer: Analyzer) -> None:
    markdown = hover_at(analyzer, component("coder:\n  templateName: legacy-vm"), "legacy-vm").markdown
    assert "**Deprecated**" in markdown


def test_active_users_when_known(settings: Settings, template_data: TemplateData) -> None:
    catalog = template_data.catalog
    assert catalog is not None
    busy = tuple(replace(t, active_user_count=7) for t in catalog.templates)
    analyzer = Analyzer(settings, TemplateData(replace(catalog, templates=busy)))
    assert (
        "Active users: 7"
        in hover_at(analyzer, component("coder:\n  templateName: docker"), "docker").markdown
    )


def test_unknown_template_is_not_found_on_the_deployment(analyzer: Analyzer) -> None:
    markdown = hover_at(analyzer, component("coder:\n  templateName: devcontainer"), "devcontainer").markdown
    assert "not found on https://coder.example.com" in markdown and "`devcontainers`" in markdown


def test_template_without_template_data(settings: Settings) -> None:
    offline = Analyzer(settings, TemplateData(problem="the deployment did not answer"))
    markdown = hover_at(offline, component("coder:\n  templateName: docker"), "docker").markdown
    assert "unavailable" in markdown and "did not answer" in markdown


def test_parameter_on_the_key(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: devcontainers\n  params:\n    disk_size: '900'")
    markdown = hover_at(analyzer, text, "disk_size").markdown
    assert "### Disk size (GB) (`disk_size`)" in markdown
    assert "Type: `number`" in markdown and "Default: `50`" in markdown and "Required: no" in markdown
    assert "Minimum: 0" in markdown and "Maximum: 500" in markdown
    assert "Value: `900` (this file)" in markdown
    assert (
        '**Coder rejects it**: can\'t validate build parameter "Disk size (GB)": '
        "Disk size must be between 0 and 500 GB; 900 is out of range."
    ) in markdown
    assert "classic parameter flow" in markdown


def test_parameter_hover_says_when_the_build_fails(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: devcontainers\n  params:\n    region: ''")
    markdown = hover_at(analyzer, text, "region").markdown
    assert "**Coder creates the workspace, then its build fails**: Value must be a valid option" in markdown
    assert "The value is empty, did you forget" in markdown


def test_parameter_options_as_a_table_and_the_verdict_on_the_value(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: devcontainers\n  params:\n    region: eu-west-1")
    markdown = hover_at(analyzer, text, "eu-west-1").markdown
    assert "Type: `string` (dropdown)" in markdown
    assert "| Value | Name | Description |" in markdown and "| `eu-west-1` | EU West |" in markdown
    assert "Coder accepts it." in markdown


def test_parameter_pattern_and_its_error(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: data-science\n  params:\n    dataset_bucket: acme")
    markdown = hover_at(analyzer, text, "dataset_bucket").markdown
    assert "`^s3://[a-z0-9.-]+`" in markdown and "Error: Use an s3:// bucket URL" in markdown
    assert "Coder rejects it" in markdown and "dynamic parameters" in markdown


def test_a_parameter_the_repository_url_overwrites(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: devcontainers\n  params:\n    repo_url: https://example.com/x")
    markdown = hover_at(analyzer, text, "repo_url").markdown
    assert "Value: `https://github.com/acme/python-project` (repository URL)" in markdown
    assert "the plugin replaces `https://example.com/x` written here" in markdown


def test_unknown_parameter(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: docker\n  params:\n    CPU: '4'")
    assert "has no parameter `CPU`" in hover_at(analyzer, text, "CPU").markdown


def test_mode_says_what_it_does_and_what_the_other_would_do(analyzer: Analyzer) -> None:
    markdown = hover_at(analyzer, component("coder:\n  mode: auto"), "auto").markdown
    assert markdown.startswith("**mode** `auto` (this file)")
    assert "With `manual` instead" in markdown
    invalid = hover_at(analyzer, component("coder:\n  mode: Auto"), "Auto").markdown
    assert "is not `manual` or `auto`" in invalid


def test_coder_key_shows_the_effective_settings_and_the_create_link(
    settings: Settings, template_data: TemplateData
) -> None:
    app = replace(
        settings,
        workspaces=WorkspaceDefaults(
            default_mode="auto", params={"branch": "dev"}, repo_url_param_keys=("repo_url",)
        ),
    )
    analyzer = Analyzer(app, template_data)
    text = component("coder:\n  templateName: devcontainers\n  params:\n    region: eu-west-1")
    result = hover_at(analyzer, text, "coder:", 0)
    markdown = result.markdown
    assert "| template | `devcontainers` | this file |" in markdown
    assert "| mode | `auto` | app default |" in markdown
    assert "| param `branch` | `dev` | app default |" in markdown
    assert "| param `region` | `eu-west-1` | this file |" in markdown
    assert "| param `repo_url` | `https://github.com/acme/python-project` | repository URL |" in markdown
    assert "Repository URL the plugin derives: `https://github.com/acme/python-project`" in markdown
    entity = entity_of(parse_document(text).root)
    assert entity is not None
    link = effective_coder(entity, app).create_link(app.access_url)
    assert link is not None and f"(<{link}>)" in markdown
    assert result.span.start == Position(*position_of(text, "coder:"))


def test_coder_key_without_a_template(analyzer: Analyzer) -> None:
    markdown = hover_at(analyzer, component("coder:\n  mode: auto", location=None), "coder:", 0).markdown
    assert "none: no workspace can be created" in markdown and "No create link: no template name." in markdown
    assert "Repository URL: none in this file" in markdown


def test_user_text_is_escaped(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: docker\n  params:\n    dotfiles_uri: 'a|b`c <b>x</b>'")
    markdown = hover_at(analyzer, text, "coder:", 0).markdown
    assert "| param `dotfiles_uri` | ``a\\|b`c <b>x</b>`` | this file |" in markdown


def test_descriptions_lose_raw_html_and_non_web_links(
    settings: Settings, template_data: TemplateData
) -> None:
    catalog = template_data.catalog
    assert catalog is not None
    sneaky = (
        "Click [here](command:workbench.action.quit) <img src=x onerror=alert(1)> or [docs](https://x.dev)"
    )
    templates = tuple(replace(t, description=sneaky) if t.name == "docker" else t for t in catalog.templates)
    analyzer = Analyzer(
        settings, TemplateData(TemplateCatalog(templates, deployment_url=catalog.deployment_url))
    )
    markdown = hover_at(analyzer, component("coder:\n  templateName: docker"), "docker").markdown
    assert "command:" not in markdown and "<img" not in markdown
    assert "[here](#)" in markdown and "&lt;img" in markdown and "[docs](https://x.dev)" in markdown


def test_no_hover_outside_spec_coder(analyzer: Analyzer) -> None:
    text = component("coder:\n  mode: auto")
    line, column = position_of(text, "team-a")
    assert hover(analyzer, text, line, column) is None
