"""The plugin's workspace logic without HTTP: queries, names, the create link, readable refusals."""

from __future__ import annotations

import pytest

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.coder.errors import BadRequest, Conflict, FieldError, Unauthorized
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.workspaces.entities import CoderEntity, EntityReference, coder_entities, entity_at_line
from coder_catalog.workspaces.plugin_rules import (
    base_workspace_name,
    describe_create_error,
    describe_error,
    is_valid_workspace_name,
    name_problem,
    unique_workspace_name,
)
from workspace_seed import entity

ACCESS = "https://coder.example.com"


def settings(keys: tuple[str, ...] = ("repo_url",), **defaults: object) -> Settings:
    return Settings(access_url=ACCESS, workspaces=WorkspaceDefaults(repo_url_param_keys=keys, **defaults))  # type: ignore[arg-type]


def only_entity(text: str, keys: tuple[str, ...] = ("repo_url",), **defaults: object) -> CoderEntity:
    (found,) = coder_entities(Analyzer(settings(keys, **defaults)), text)
    return found


# -- the plugin's queries ---------------------------------------------------------------------------


def test_one_query_per_repo_url_key_with_the_cleaned_url() -> None:
    found = only_entity(entity(), keys=("repo_url", "custom_repo"))
    assert found.search.basis == "repository"
    assert found.search.queries == (
        'owner:me param:"repo_url=https://github.com/acme/python-project"',
        'owner:me param:"custom_repo=https://github.com/acme/python-project"',
    )
    assert found.search.note is None


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("url:https://example.com/repo?ref=main", "'='"),
        ("url:https://example.com/a,b/repo", "','"),
        ('url:https://example.com/"quoted"', "double quote"),
    ],
)
def test_a_url_coder_cannot_match_lists_nothing_and_says_why(location: str, why: str) -> None:
    found = only_entity(entity(location=location))
    assert found.search.queries == ()
    assert found.search.basis == "none"
    assert why in (found.search.note or "")


def test_without_a_repository_url_all_the_users_workspaces_as_the_card_lists_them() -> None:
    found = only_entity(entity(location=""))
    assert found.search.queries == ("owner:me",)  # the card's plain query
    assert found.search.basis == "all"
    assert "like the plugin's card, this lists all your workspaces" in (found.search.note or "")


@pytest.mark.parametrize(
    ("location", "note"),
    [
        (
            "",
            "no repository URL: the file sets no backstage.io/source-location annotation (CC401; "
            "Backstage fills it at ingestion for URL locations): like the plugin's card, this lists all "
            "your workspaces",
        ),
        (
            "https://github.com/acme/python-project",
            "no repository URL: backstage.io/source-location is a bare URL, which Backstage cannot read (CC402: "
            'write "url:https://github.com/acme/python-project"): like the plugin\'s card, this lists all your '
            "workspaces",
        ),
    ],
)
def test_the_note_names_the_rule_that_explains_the_missing_url(location: str, note: str) -> None:
    assert only_entity(entity(location=location)).search.note == note


def test_without_repo_url_keys_the_plugin_asks_for_nothing() -> None:
    found = only_entity(entity(), keys=())
    assert found.search.queries == () and found.search.basis == "repository"
    assert found.search.note == (
        'workspaces.repoUrlParamKeys is empty, so the plugin asks for nothing and shows "No workspaces found '
        'for repo https://github.com/acme/python-project"'
    )


@pytest.mark.parametrize("coder", ["mode: Auto", "templateName: 3", "params:\n  cpu: 4"])
def test_a_block_the_plugin_refuses_gets_no_list(coder: str) -> None:
    found = only_entity(entity(coder=coder))
    assert found.search.queries == () and found.search.basis == "none"
    assert "Error in coder: Invalid type: Expected undefined | Object but received Object" in (
        found.search.note or ""
    )


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("url:https://github.com/acme/r/tree/main/", "https://github.com/acme/r"),
        ('"url: https://github.com/acme/r/tree/main "', "https://github.com/acme/r"),  # parts trimmed
        ("github:https://github.com/acme/r/tree/v1.0", "https://github.com/acme/r"),  # any type but http(s)
        ("file:/srv/repos/r", "/srv/repos/r"),
        ("url:https://github.com/acme/r/tree/v1.0+hotfix/", "https://github.com/acme/r/tree/v1.0+hotfix/"),
        ("url:https://github.com/acme/r/tree/ünï/", "https://github.com/acme/r/tree/ünï/"),  # \w is ASCII
        ("url:https://github.com/acme/r/tree/feature/x/", "https://github.com/acme/r/tree/feature/x/"),
        ("https://github.com/acme/r", None),  # a bare URL: type "https"
        ('"url:"', None),
        ('":https://x"', None),
        ("nocolon", None),
    ],
)
def test_the_source_location_as_backstage_and_the_plugin_read_it(location: str, url: str | None) -> None:
    found = only_entity(entity(location=location))
    assert found.effective.repository.url == url


def test_a_branch_the_plugin_does_not_strip_is_said() -> None:
    found = only_entity(entity(location="url:https://github.com/acme/r/tree/v1.0+hotfix/"))
    assert "ends with a /tree/<branch> the plugin does not strip" in (
        found.effective.repository.problem or ""
    )


def test_a_monorepo_subfolder_url_is_searched_as_is_with_a_note() -> None:
    found = only_entity(entity(location="url:https://github.com/acme/mono/tree/main/services/api/"))
    assert found.search.queries == (
        'owner:me param:"repo_url=https://github.com/acme/mono/tree/main/services/api/"',
    )
    assert "subfolder" in (found.search.note or "")


# -- entities of a file --------------------------------------------------------------------------------


def test_only_entities_with_a_coder_block_and_their_lines() -> None:
    without = entity("plain").split("  coder:\n")[0]
    text = "\ufeff" + entity("first") + "---\n" + without + "---\n" + entity("second", "templateName: docker")
    found = coder_entities(Analyzer(settings()), text)
    assert [e.ref for e in found] == ["component:default/first", "component:default/second"]
    lines = text.splitlines()
    assert lines[found[1].coder_key.start.line] == "  coder:"
    assert entity_at_line(found, found[1].coder_key.start.line + 1) is found[1]
    assert entity_at_line(found, lines.index("  name: plain")) is None


@pytest.mark.parametrize(
    ("reference", "matches"),
    [
        ("python-project", True),
        ("Python-Project", True),
        ("component:python-project", True),
        ("component:default/python-project", True),
        ("default/python-project", True),
        ("api:default/python-project", False),
        ("component:other/python-project", False),
    ],
)
def test_entity_references(reference: str, matches: bool) -> None:
    assert EntityReference.parse(reference).matches(only_entity(entity())) is matches


# -- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_name", "expected"),
    [
        ("python-project", "python-project"),
        ("Payments_API.v2", "payments-api-v2"),
        ("café--crème", "cafe-creme"),
        ("a" * 40, "a" * 32),
        ("new", "new-workspace"),
        ("___", "workspace"),
        (None, "workspace"),
    ],
)
def test_names_follow_coders_rules(entity_name: str | None, expected: str) -> None:
    name = base_workspace_name(entity_name)
    assert name == expected
    assert is_valid_workspace_name(name)


def test_names_are_unique_for_the_user_case_insensitively() -> None:
    assert unique_workspace_name("api", ["API", "api-2", "other"]) == "api-3"
    long_name = "x" * 32
    numbered = unique_workspace_name(long_name, [long_name])
    assert numbered == "x" * 30 + "-2" and is_valid_workspace_name(numbered)


@pytest.mark.parametrize("bad", ["", "create", "-lead", "two--hyphens", "under_score", "y" * 33])
def test_bad_names_are_explained(bad: str) -> None:
    assert name_problem(bad) is not None
    assert not is_valid_workspace_name(bad)


# -- the create link and refusals ----------------------------------------------------------------------


def test_the_manual_create_link_carries_every_effective_parameter() -> None:
    found = only_entity(
        entity(coder='templateName: devcontainers\nmode: manual\nparams:\n  region: "eu-west-1"'),
        params={"branch": "main"},
    )
    link = found.effective.create_link(ACCESS)
    assert link == (
        f"{ACCESS}/templates/devcontainers/workspace?mode=manual&param.branch=main&param.region=eu-west-1"
        "&param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fpython-project"
    )


def test_validation_errors_name_the_parameter_and_where_its_value_came_from() -> None:
    found = only_entity(entity(coder='templateName: devcontainers\nparams:\n  disk_size: "900"'))
    error = BadRequest(
        400,
        "Validation failed.",
        validations=[
            FieldError("disk_size", "out of range"),
            FieldError("branch", "Required parameter not provided"),
        ],
    )
    message = describe_create_error(error, template="devcontainers", name="x", params=found.effective.params)
    assert 'parameter "disk_size" ("900", set in spec.coder.params): out of range' in message
    assert 'parameter "branch" (not set in spec.coder.params nor in workspaces.params)' in message


def test_a_single_parameter_error_without_validations_is_read_from_the_message() -> None:
    error = BadRequest(400, 'Unable to validate parameter "region"', detail="not an option")
    message = describe_create_error(error, template="t", name="x", params={})
    assert 'parameter "region"' in message and "not an option" in message


def test_conflict_deprecated_and_signed_out() -> None:
    assert '"taken"' in describe_create_error(Conflict(409, "exists"), template="t", name="taken", params={})
    deprecated = BadRequest(
        400, 'Template "legacy-vm" has been deprecated, and cannot be used', detail="Use docker"
    )
    assert "deprecated" in describe_create_error(deprecated, template="legacy-vm", name="x", params={})
    assert "sign in again" in describe_error(Unauthorized(401, "signed out"), ACCESS)
