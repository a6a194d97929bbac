"""Completion inside spec.coder, in valid and half-typed YAML."""

from __future__ import annotations

from dataclasses import replace

import pytest
from analysis_support import component, cursor, text_in

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.completion import Proposal, complete
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.analysis.yaml_tree import Mapping, Scalar, parse_document
from coder_catalog.settings import Settings, WorkspaceDefaults


@pytest.fixture
def analyzer(settings: Settings, template_data: TemplateData) -> Analyzer:
    return Analyzer(settings, template_data)


def proposals(analyzer: Analyzer, marked: str, *, snippets: bool = False) -> list[Proposal]:
    text, line, column = cursor(marked)
    return complete(analyzer, text, line, column, snippets=snippets)


def labels(found: list[Proposal]) -> list[str]:
    return [p.label for p in sorted(found, key=lambda p: p.sort_text)]


def accept(marked: str, proposal: Proposal) -> str:
    """The text after accepting a plain (non-snippet) proposal."""
    text, _, _ = cursor(marked)
    lines = text.split("\n")
    span = proposal.replace_span
    line = lines[span.start.line]
    lines[span.start.line] = line[: span.start.column] + proposal.insert_text + line[span.end.column :]
    return "\n".join(lines)


def param_value(text: str, name: str) -> Scalar:
    root = parse_document(text).root
    assert isinstance(root, Mapping)
    node = root.get("spec").get("coder").get("params").get(name)  # type: ignore[union-attr]
    assert isinstance(node, Scalar)
    return node


# -- keys ------------------------------------------------------------------------------------------


def test_keys_of_spec_coder_not_yet_set(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  mode: auto\n  ‸"))
    assert labels(found) == ["templateName", "params"]
    assert all(p.kind == "key" and p.documentation for p in found)
    by_label = {p.label: p for p in found}
    assert by_label["templateName"].insert_text == "templateName: " and by_label["templateName"].retrigger
    assert by_label["params"].insert_text == "params:\n      "


def test_keys_while_a_key_is_half_typed_in_invalid_yaml(analyzer: Analyzer) -> None:
    marked = component("coder:\n  mode: auto\n  temp‸")
    found = proposals(analyzer, marked)
    assert labels(found) == ["templateName", "params"]
    text, _, _ = cursor(marked)
    span = found[0].replace_span
    assert text_in(text, (span.start.line, span.start.column), (span.end.line, span.end.column)) == "temp"


def test_a_key_with_its_colon_already_written_gets_the_name_only(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  mo‸: auto"))
    assert {p.label: p.insert_text for p in found}["mode"] == "mode"


def test_mode_key_as_a_snippet_offers_the_two_modes(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  ‸"), snippets=True)
    mode = next(p for p in found if p.label == "mode")
    assert mode.is_snippet and mode.insert_text == "mode: ${1|manual,auto|}"


def test_coder_under_spec_when_there_is_none(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("co‸"))
    assert labels(found) == ["coder"]
    assert found[0].insert_text == "coder:\n    templateName: "
    assert proposals(analyzer, component("coder:\n  mode: auto\n‸")) == []
    assert proposals(analyzer, component("‸", kind="User")) == []


def test_coder_snippet_uses_the_app_default_template(settings: Settings, template_data: TemplateData) -> None:
    with_default = replace(settings, workspaces=WorkspaceDefaults(default_template_name="docker"))
    found = proposals(Analyzer(with_default, template_data), component("‸"), snippets=True)
    assert found[0].insert_text == "coder:\n    templateName: ${1:docker}"


# -- templateName and mode -----------------------------------------------------------------------


def test_template_names_with_an_empty_value(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  templateName: ‸"))
    assert labels(found)[-1] == "legacy-vm"  # deprecated ones last
    assert set(labels(found)) == {
        "data-science",
        "devcontainers",
        "docker",
        "gpu-cluster",
        "kubernetes",
        "scratch",
        "legacy-vm",
    }
    by_label = {p.label: p for p in found}
    assert by_label["legacy-vm"].deprecated and "Deprecated" in by_label["legacy-vm"].documentation
    docker = by_label["docker"]
    assert docker.kind == "template" and docker.detail == "Docker Containers"
    assert "Organization: coder" in docker.documentation
    assert by_label["gpu-cluster"].documentation.count("research") == 1


def test_template_documentation_shows_active_users(settings: Settings, template_data: TemplateData) -> None:
    catalog = template_data.catalog
    assert catalog is not None
    busy = tuple(replace(t, active_user_count=12) if t.name == "docker" else t for t in catalog.templates)
    analyzer = Analyzer(settings, TemplateData(replace(catalog, templates=busy)))
    docker = next(
        p for p in proposals(analyzer, component("coder:\n  templateName: ‸")) if p.label == "docker"
    )
    assert "Active users: 12" in docker.documentation


def test_template_names_with_a_prefix_replace_it(analyzer: Analyzer) -> None:
    marked = component("coder:\n  templateName: dev‸\n  mode: auto")
    found = proposals(analyzer, marked)
    devcontainers = next(p for p in found if p.label == "devcontainers")
    assert devcontainers.filter_text == "devcontainers"
    assert "templateName: devcontainers\n" in accept(marked, devcontainers)


def test_a_quoted_prefix_keeps_its_quotes(analyzer: Analyzer) -> None:
    marked = component("coder:\n  templateName: 'dev‸")
    devcontainers = next(p for p in proposals(analyzer, marked) if p.label == "devcontainers")
    assert devcontainers.insert_text == "'devcontainers'" and devcontainers.filter_text == "'devcontainers"


def test_right_after_the_colon_a_space_is_inserted(analyzer: Analyzer) -> None:
    marked = component("coder:\n  mode:‸")
    auto = next(p for p in proposals(analyzer, marked) if p.label == "auto")
    assert "  mode: auto" in accept(marked, auto)


def test_modes_say_what_they_do(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  mode: ‸"))
    assert labels(found) == ["manual", "auto"]
    assert all(p.kind == "mode" and p.documentation for p in found)
    assert next(p for p in found if p.label == "manual").preselect  # the default mode


def test_without_template_data_only_keys_and_modes(settings: Settings) -> None:
    offline = Analyzer(settings, TemplateData.offline())
    assert labels(proposals(offline, component("coder:\n  ‸"))) == ["templateName", "mode", "params"]
    assert labels(proposals(offline, component("coder:\n  mode: ‸"))) == ["manual", "auto"]
    assert proposals(offline, component("coder:\n  templateName: ‸")) == []
    assert proposals(offline, component("coder:\n  templateName: docker\n  params:\n    ‸")) == []


# -- parameters ----------------------------------------------------------------------------------


def test_parameter_names_required_first_then_the_template_order(analyzer: Analyzer) -> None:
    marked = component(
        "coder:\n  templateName: devcontainers\n  params:\n    region: us-east-1\n    ‸", location=None
    )
    found = proposals(analyzer, marked)
    assert labels(found) == [
        *["repo_url", "branch", "disk_size", "ide_extensions", "tools"],
        *["preset: Small", "preset: Large"],
    ]
    repo_url = found[0]
    assert repo_url.kind == "parameter" and repo_url.preselect and "required" in repo_url.detail
    assert repo_url.insert_text == 'repo_url: ""'
    assert "HTTPS" in repo_url.documentation or "repository" in repo_url.documentation.lower()


def test_a_preset_inserts_its_values_as_params_lines(analyzer: Analyzer) -> None:
    marked = component("coder:\n  templateName: devcontainers\n  params:\n    branch: main\n    ‸")
    found = {p.label: p for p in proposals(analyzer, marked)}
    large = found["preset: Large"]
    assert (
        large.insert_text
        == 'region: "eu-west-1"\n      disk_size: "200"\n      tools: "[\\"git\\",\\"docker\\",\\"python\\"]"'
    )
    accepted = accept(marked, large)
    assert param_value(accepted, "disk_size").value == "200" and param_value(accepted, "region").is_string
    assert param_value(accepted, "tools").value == '["git","docker","python"]'
    assert "Inserts:" in large.documentation and large.detail == "3 parameters of preset Large"


def test_parameters_the_plugin_fills_from_the_repository_url_are_left_out(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  templateName: devcontainers\n  params:\n    ‸"))
    assert "repo_url" not in labels(found) and labels(found)[0] == "branch"


def test_parameter_names_in_half_typed_yaml(analyzer: Analyzer) -> None:
    marked = component("coder:\n  templateName: docker\n  params:\n    cpu: '4'\n    me‸")
    found = proposals(analyzer, marked)
    assert labels(found) == ["memory", "dotfiles_uri", "docker_in_docker", "preset: Small"]
    memory = found[0]
    assert memory.insert_text == 'memory: "8"'  # quoted: 8 would be a YAML number
    assert param_value(accept(marked, memory), "memory").is_string


def test_parameter_names_as_snippets(analyzer: Analyzer) -> None:
    found = proposals(analyzer, component("coder:\n  templateName: docker\n  params:\n    ‸"), snippets=True)
    inserts = {p.label: p.insert_text for p in found}
    assert inserts["cpu"] == 'cpu: "${1|4,2,8|}"'
    assert inserts["memory"] == 'memory: "${1:8}"'
    assert inserts["dotfiles_uri"] == 'dotfiles_uri: "$1"'
    assert inserts["docker_in_docker"] == 'docker_in_docker: "${1|false,true|}"'
    assert all(p.is_snippet for p in found if p.kind == "parameter")


def test_values_from_options_are_quoted_when_yaml_would_read_a_number(analyzer: Analyzer) -> None:
    marked = component("coder:\n  templateName: docker\n  params:\n    cpu: ‸")
    found = proposals(analyzer, marked)
    assert [(p.label, p.insert_text) for p in found] == [("4", '"4"'), ("2", '"2"'), ("8", '"8"')]
    assert found[0].preselect and "(default)" in found[0].detail
    assert param_value(accept(marked, found[1]), "cpu").value == "2"


def test_plain_option_values_stay_plain(analyzer: Analyzer) -> None:
    found = proposals(
        analyzer, component("coder:\n  templateName: devcontainers\n  params:\n    region: eu‸")
    )
    assert [p.insert_text for p in found] == ["us-east-1", "eu-west-1", "ap-southeast-1"]
    assert found[1].detail == "EU West"


def test_bool_values_are_quoted_strings(analyzer: Analyzer) -> None:
    marked = component("coder:\n  templateName: docker\n  params:\n    docker_in_docker: ‸")
    found = proposals(analyzer, marked)
    assert [p.insert_text for p in found] == ['"false"', '"true"']
    assert param_value(accept(marked, found[1]), "docker_in_docker").value == "true"


def test_values_after_non_ascii_text(analyzer: Analyzer) -> None:
    marked = component(
        "coder:  # réglages für Coder ✓\n  templateName: devcontainers\n  params:\n    region: '🚀é‸"
    )
    text, line, column = cursor(marked)
    assert column == 17  # code points: the rocket is one (two in UTF-16)
    found = proposals(analyzer, marked)
    span = found[0].replace_span
    assert (span.start.line, span.start.column, span.end.column) == (line, 14, 17)
    assert text_in(text, (line, span.start.column), (line, span.end.column)) == "'🚀é"
    assert found[0].insert_text == "'us-east-1'"


def test_flow_style_values(analyzer: Analyzer) -> None:
    marked = component("coder: {templateName: dock‸, mode: auto}")
    docker = next(p for p in proposals(analyzer, marked) if p.label == "docker")
    assert "coder: {templateName: docker, mode: auto}" in accept(marked, docker)


def test_nothing_outside_spec_coder(analyzer: Analyzer) -> None:
    assert (
        proposals(analyzer, component("coder:\n  mode: auto").replace("owner: team-a", "owner: te‸am-a"))
        == []
    )
