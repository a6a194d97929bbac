"""spec.coder as the plugin reads it (valibot 0.28 and compileCoderConfig): what the card will show, said
in the findings. tests/differential/test_plugin_agreement.py proves the reading against the plugin's own
code under Node; these tests pin the messages."""

from __future__ import annotations

import pytest

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.findings import Finding
from coder_catalog.settings import Settings, WorkspaceDefaults

SETTINGS = Settings(
    access_url="https://coder.example.com", workspaces=WorkspaceDefaults(repo_url_param_keys=("repo_url",))
)
CARD_ERROR = (
    "the plugin's card shows Backstage's error panel "
    '("Error in coder: Invalid type: Expected undefined | Object but received'
)


def component(coder: str) -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n"
        "    backstage.io/source-location: url:https://github.com/acme/svc/tree/main/\nspec:\n  type: service\n"
        f"  lifecycle: production\n  owner: team-a\n  coder:{coder}\n"
    )


def findings(text: str, code: str) -> list[Finding]:
    return [f for f in Analyzer(SETTINGS).analyze(text).findings if f.code == code]


@pytest.mark.parametrize(
    ("coder", "code", "received"),
    [
        ("", "CC101", "null"),
        (" ~", "CC101", "null"),
        (" auto", "CC101", '"auto"'),
        (" 3", "CC101", "3"),
        ("\n    templateName: 2024", "CC103", "Object"),
        ("\n    mode: Auto", "CC105", "Object"),
        ("\n    params: eu", "CC106", "Object"),
        ("\n    params:\n      cpu: 4", "CC107", "Object"),
    ],
)
def test_a_block_the_plugin_refuses_says_what_the_card_shows(coder: str, code: str, received: str) -> None:
    [finding] = findings(component(coder), code)
    assert finding.severity == "error"
    assert f'{CARD_ERROR} {received}") instead of workspaces' in finding.message


def test_a_list_for_the_block_is_read_as_an_empty_block() -> None:
    [finding] = findings(component(" []"), "CC101")
    assert finding.severity == "warning"
    assert "spec.coder is a list, which the plugin reads as an empty block" in finding.message


def test_a_list_for_params_gives_parameters_named_by_index() -> None:
    [finding] = findings(component("\n    templateName: docker\n    params: [region=eu]"), "CC106")
    assert finding.severity == "warning"
    assert "parameters named 0, 1... (param.0=region%3Deu in the create link)" in finding.message


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('""', "it overrides the app's defaultTemplateName and the plugin builds no create link"),
        ('" "', "the plugin builds the create link /templates/%20/workspace, a page Coder cannot find"),
    ],
)
def test_an_empty_or_blank_template_name(value: str, said: str) -> None:
    [finding] = findings(component(f"\n    templateName: {value}"), "CC104")
    assert said in finding.message


def test_parameter_names_javascript_treats_otherwise() -> None:
    text = component(
        '\n    templateName: docker\n    params:\n      hasOwnProperty: "x"\n      __proto__: "y"'
    )
    found = {f.message.split(":")[0]: f.severity for f in findings(text, "CC108")}
    assert found == {
        'a parameter named "hasOwnProperty" hides the method the plugin calls on params': "error",
        'the plugin drops a parameter named "__proto__" (valibot skips it)': "warning",
    }


def test_a_branch_the_plugin_does_not_strip_is_reported() -> None:
    text = component("\n    templateName: docker").replace("tree/main/", "tree/v1.0+hotfix/")
    [finding] = findings(text, "CC403")
    assert "ends with a /tree/<branch> the plugin does not strip" in finding.message
