"""Coder's search keys in the simulator: which exist, the values they take, the errors they give.

The keys and texts are Coder's (``coderd/searchquery/search.go``, ``coderd/httpapi/queryparams.go``,
``time.Parse``, ``uuid.Parse``, ``codersdk.NameValid``/``GroupNameValid``); the filtering is the
SQL's (``GetWorkspaces``, ``GetTemplatesWithFilter``) as far as the simulator's data goes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sim_helpers import ALICE_ID, BOB_ID, DEVCONTAINERS_ID, SCRATCH_ID, api, default_seed, names

from coder_catalog.simulator import SimulatorServer
from coder_catalog.simulator.data import load_data
from coder_catalog.simulator.errors import ApiError
from coder_catalog.simulator.gotime import GoTimeError, parse_rfc3339_nano
from coder_catalog.simulator.search import go_uuid, ilike, parse_template_query, parse_workspace_query
from coder_catalog.simulator.state import Deployment

SWAGGER = Path(__file__).resolve().parents[1] / "fixtures" / "coder-swagger.json"
ALL_BY_LAST_USE = [
    "notebooks", "dev", "python-api", "gpu-train", "Frontend",
    "python-api-eu", "pyproj", "k8s-dev", "old-docker", "legacy",
]  # fmt: skip
LAYOUT = "2006-01-02T15:04:05.999999999Z07:00"
NIL = "00000000-0000-0000-0000-000000000000"


def search(client: httpx.Client, query: str) -> httpx.Response:
    return client.get("/api/v2/workspaces", params={"q": query})


def found(client: httpx.Client, query: str) -> list[str]:
    response = search(client, query)
    assert response.status_code == 200, response.text
    return names(response)


# --------------------------------------------------------------------------- workspaces: the keys


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # last_used_after/before: RFC 3339 (quoted: the value has colons), bounds included.
        ('last_used_after:"2025-06-18T09:00:00Z"', ["notebooks", "dev", "python-api", "gpu-train"]),
        ('last_used_after:"2025-06-18T09:00:00.000001Z"', ["notebooks", "dev", "python-api"]),
        ('last_used_after:"2025-06-18t10:00:00+01:00"', ["notebooks", "dev", "python-api", "gpu-train"]),
        ('last_used_before:"2025-02-01T09:00:00Z"', ["old-docker", "legacy"]),
        (
            'last_used_after:"2025-06-01T00:00:00Z" last_used_before:"2025-06-19T00:00:00Z"',
            ["gpu-train", "Frontend", "python-api-eu"],
        ),
        ('last_used_before:"0001-01-01T00:00:00Z"', ALL_BY_LAST_USE),  # Go's zero time: no filter
        ('last_used_after:"2025-06-01T8:00:00Z"', ALL_BY_LAST_USE[:6]),  # Go takes a one-digit hour
        # has-agent takes one value, compared whole.
        ("has-agent:connected", ["notebooks", "dev", "python-api", "gpu-train"]),
        ("has-agent:connected,timeout", []),
        ("has-agent:disconnected", []),
        # No AI task, no external agent, no sharing in the simulator.
        ("has-ai-task:true", []),
        ("has-ai-task:false", ALL_BY_LAST_USE),
        ("has_external_agent:true", []),
        ("has_external_agent:f owner:me status:running", ["dev", "python-api", "gpu-train"]),
        ("shared:true", []),
        ("shared:0", ALL_BY_LAST_USE),
        ("shared_with_user:bob", []),
        (f"shared_with_user:{BOB_ID}", []),
        (f"shared_with_user:{NIL}", ALL_BY_LAST_USE),  # the nil uuid is "no filter"
        (f"shared_with_user:{{{ALICE_ID}}}", []),  # uuid.Parse's other spellings
        (f"shared_with_group:{DEVCONTAINERS_ID}", []),  # any uuid is taken as it is
        (f'shared_with_group:"urn:uuid:{DEVCONTAINERS_ID}"', []),
        ("dormant:false name:k8s", ["k8s-dev"]),
    ],
)
def test_workspace_keys_filter(alice: httpx.Client, query: str, expected: list[str]) -> None:
    assert found(alice, query) == expected


def test_name_is_an_ilike_substring(alice: httpx.Client) -> None:
    assert found(alice, "name:py") == ["python-api", "python-api-eu", "pyproj"]
    assert found(alice, "name:python_api") == ["python-api", "python-api-eu"]  # "_" is any character
    assert found(alice, "name:p%j") == ["pyproj"]


def test_every_key_swagger_names_is_accepted(alice: httpx.Client) -> None:
    description = json.loads(SWAGGER.read_text(encoding="utf-8"))["paths"]["/workspaces"]["get"][
        "parameters"
    ][0]
    keys = re.search(r"Available keys are: (.*)\.", description["description"]).group(1).split(", ")  # type: ignore[union-attr]
    samples = {
        "owner": "me", "template": "docker", "name": "dev", "status": "running", "has-agent": "connected",
        "dormant": "false", "last_used_after": '"2025-01-01T00:00:00Z"',
        "last_used_before": '"2030-01-01T00:00:00Z"', "has-ai-task": "false", "has_external_agent": "false",
    }  # fmt: skip
    assert set(keys) <= set(samples), f"swagger names keys this test does not try: {set(keys) - set(samples)}"
    for key in keys:
        assert search(alice, f"{key}:{samples[key]}").status_code == 200, key
    assert found(alice, " ".join(f"{k}:{v}" for k, v in samples.items())) == ["dev"]


def test_shared_with_user_resolves_only_users_the_searcher_may_see(sim: SimulatorServer) -> None:
    with api(sim, "bob") as bob, api(sim, "alice") as alice:
        assert found(alice, "shared_with_user:carol") == []  # carol exists: no error, nothing shared
        refused = search(bob, "shared_with_user:carol").json()  # carol is in no organization of bob's
        assert refused["validations"] == [
            {
                "field": "shared_with_user",
                "detail": 'Query param "shared_with_user" has invalid value: '
                'user "carol" either does not exist, or you are unauthorized to view them',
            }
        ]
        denied = search(bob, "shared_with_group:research/devs").json()["validations"][0]["detail"]
        assert 'organization "research" either does not exist, or you are unauthorized to view it' in denied


# --------------------------------------------------------------------------- workspaces: the errors


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        # No "healthy" key: refused like any unknown key.
        ("healthy:true", "healthy", '"healthy" is not a valid query param'),
        ("HEALTHY:false", "healthy", '"healthy" is not a valid query param'),
        (
            "last_used_after:yesterday",
            "last_used_after",
            f'Query param "last_used_after" must be a valid date format ({LAYOUT}): '
            f'parsing time "YESTERDAY" as "{LAYOUT}": cannot parse "YESTERDAY" as "2006"',
        ),
        (
            'last_used_before:"2025-13-01T00:00:00Z"',
            "last_used_before",
            f'Query param "last_used_before" must be a valid date format ({LAYOUT}): '
            'parsing time "2025-13-01T00:00:00Z": month out of range',
        ),
        (
            "last_used_after:2025-06-18",
            "last_used_after",
            f'parsing time "2025-06-18" as "{LAYOUT}": cannot parse "" as "T"',
        ),
        ("last_used_after:2025-06-18T09:00:00Z", "q", "can only contain 1 ':'"),  # unquoted colons
        (f"shared_with_group:urn:uuid:{DEVCONTAINERS_ID}", "q", "can only contain 1 ':'"),
        (
            'last_used_after:"2025-01-01T00:00:00Z" last_used_after:"2025-02-01T00:00:00Z"',
            "last_used_after",
            'Query param "last_used_after" provided more than once, found 2 times.',
        ),
        ("has-agent:connected has-agent:timeout", "has-agent", "provided more than once, found 2 times"),
        (
            "has-ai-task:maybe",
            "has-ai-task",
            'Query param "has-ai-task" must be a valid boolean: strconv.ParseBool: parsing "maybe": invalid syntax',
        ),
        ("has_external_agent:yes", "has_external_agent", 'parsing "yes": invalid syntax'),
        ("shared:2", "shared", 'Query param "shared" must be a valid boolean'),
        (
            "shared_with_user:nobody",
            "shared_with_user",
            'Query param "shared_with_user" has invalid value: '
            'user "nobody" either does not exist, or you are unauthorized to view them',
        ),
        # Coder passes no actor to shared_with_user's parser: "me" is a username like any other.
        ("shared_with_user:me", "shared_with_user", 'user "me" either does not exist'),
        (
            "shared_with_group:everyone",  # lower-cased with the query; Coder's group is "Everyone"
            "shared_with_group",
            'Query param "shared_with_group" has invalid value: group "everyone" either does not exist, '
            'does not belong to the organization "coder", or you are unauthorized to view it',
        ),
        (
            "shared_with_group:research/gpu-users",
            "shared_with_group",
            'group "gpu-users" either does not exist, does not belong to the organization "research"',
        ),
        (
            "shared_with_group:nowhere/devs",
            "shared_with_group",
            'organization "nowhere" either does not exist, or you are unauthorized to view it',
        ),
        (
            "shared_with_group:a/b/c",
            "shared_with_group",
            "invalid organization or group name, the filter must be in the pattern of "
            "<organization name>/<group name>",
        ),
        (
            "shared_with_group:bad_org/devs",
            "shared_with_group",
            "invalid organization name must be alphanumeric",
        ),
        ("shared_with_group:/devs", "shared_with_group", "invalid organization name must be >= 1 character"),
        ("shared_with_group:coder/new", "shared_with_group", 'invalid group name cannot use "new" as a name'),
        (
            "shared_with_group:dev_ops",
            "shared_with_group",
            "invalid group name must be alphanumeric with hyphens",
        ),
        ("id:not-a-uuid", "id", 'Query param "id" has invalid values: invalid UUID length: 10'),
        (f"id:{'x' * 36}", "id", "invalid UUID format"),
    ],
)
def test_workspace_key_errors(alice: httpx.Client, query: str, field: str, detail: str) -> None:
    response = search(alice, query)
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Invalid workspace search query."
    assert body["validations"][0]["field"] == field
    assert detail in body["validations"][0]["detail"]


def test_workspace_errors_come_in_coders_parse_order(alice: httpx.Client) -> None:
    body = search(alice, "healthy:true has-ai-task:maybe shared:x last_used_after:now").json()
    # Parsed keys first, in search.go's order; unknown keys after them.
    assert [v["field"] for v in body["validations"]] == [
        "last_used_after",
        "has-ai-task",
        "shared",
        "healthy",
    ]


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        ("colour:blue", "colour", '"colour" is not a valid query param'),
        ("owner:me", "owner", '"owner" is not a valid query param'),  # a workspace key, not a template one
        ("author_id:alice", "author_id", 'Query param "author_id" must be a valid uuid'),
        (
            "ids:1,2",
            "ids",
            'Query param "ids" has invalid values: invalid UUID length: 1\ninvalid UUID length: 1',
        ),
        ("has-ai-task:sometimes", "has-ai-task", 'parsing "sometimes": invalid syntax'),
        ("has_external_agent:x", "has_external_agent", "must be a valid boolean"),
        ("deleted:maybe", "deleted", 'Query param "deleted" must be a valid boolean'),
        ("name:a name:b", "name", 'Query param "name" provided more than once, found 2 times.'),
    ],
)
def test_template_key_errors(alice: httpx.Client, query: str, field: str, detail: str) -> None:
    response = alice.get("/api/v2/templates", params={"q": query})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Invalid template search query."
    assert body["validations"][0]["field"] == field
    assert detail in body["validations"][0]["detail"]


def test_template_author_keys(alice: httpx.Client, bob: httpx.Client) -> None:
    def listed(client: httpx.Client, query: str) -> list[str]:
        response = client.get("/api/v2/templates", params={"q": query})
        assert response.status_code == 200, response.text
        return [t["name"] for t in response.json()]

    assert listed(alice, f"author_id:{BOB_ID}") == ["scratch"]
    assert listed(alice, f"author_id:{NIL}") == listed(alice, "")  # the nil uuid: no filter
    assert listed(bob, "author:me") == ["scratch"]
    # author:me stands for the searching user and replaces any author_id, as in Coder.
    assert listed(bob, f"author:me author_id:{ALICE_ID}") == ["scratch"]
    assert listed(alice, f"author:bob author_id:{ALICE_ID}") == []  # both apply


def test_organization_in_the_path_replaces_the_one_in_q(alice: httpx.Client) -> None:
    response = alice.get("/api/v2/organizations/coder/templates", params={"q": "organization:research"})
    assert response.status_code == 200
    assert "gpu-cluster" not in [t["name"] for t in response.json()] and len(response.json()) == 6
    bad = alice.get("/api/v2/organizations/coder/templates", params={"q": "organization:nowhere"})
    assert bad.status_code == 400  # still parsed and checked


def test_display_name_search_falls_back_to_the_name() -> None:
    seed = default_seed()
    for template in seed["templates"]:
        if template["id"] == DEVCONTAINERS_ID:
            template["display_name"] = ""
    deployment = Deployment(load_data(seed))
    actor = deployment.authenticate(deployment.session_tokens["alice"])

    def listed(query: str) -> list[str]:
        return [t.name for t in deployment.list_templates(actor, query)]

    # Without a display name, the name is searched, with the term's spaces removed.
    assert listed("Dev Containers") == ["devcontainers"]
    assert listed("display_name:devc_ntainers") == ["devcontainers"]  # ILIKE: "_" is any character
    # With one, only the display name counts: "Scratch" is searched, never "scratch"'s name alone.
    assert listed("scr atch") == []
    assert listed("scratch") == ["scratch"]
    assert [t.name for t in deployment.list_templates(actor, "exact_display_name:scratch")] == ["scratch"]
    assert deployment.templates[SCRATCH_ID].display_name == "Scratch"


# --------------------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-18T09:00:00Z", datetime(2025, 6, 18, 9, tzinfo=UTC)),
        ("2025-06-18T09:00:00.5+01:30", datetime(2025, 6, 18, 7, 30, 0, 500000, tzinfo=UTC)),
        ("2025-06-18T9:00:00Z", datetime(2025, 6, 18, 9, tzinfo=UTC)),  # Go takes a 1-digit hour
        ("2025-06-18T09:00:00,25Z", datetime(2025, 6, 18, 9, 0, 0, 250000, tzinfo=UTC)),
        ("2025-06-18T09:00:00.1234567891234Z", datetime(2025, 6, 18, 9, 0, 0, 123457, tzinfo=UTC)),
        ("2024-02-29T23:59:59-24:00", datetime(2024, 3, 1, 23, 59, 59, tzinfo=UTC)),
        ("0000-01-01T00:00:00Z", datetime.min.replace(tzinfo=UTC)),
        ("9999-12-31T23:59:59-01:00", datetime.max.replace(tzinfo=UTC)),
    ],
)
def test_go_time_parse_accepts(text: str, expected: datetime) -> None:
    assert parse_rfc3339_nano(text) == expected


@pytest.mark.parametrize(
    ("text", "element", "layout_element"),
    [
        ("YESTERDAY", "YESTERDAY", "2006"),
        ("20A5-06-18T09:00:00Z", "20A5-06-18T09:00:00Z", "2006"),
        ("2025-6-18T09:00:00Z", "6-18T09:00:00Z", "01"),
        ("2025/06/18T09:00:00Z", "/06/18T09:00:00Z", "-"),
        ("2025-06-18", "", "T"),
        ("2025-06-18T09:00:00", "", "Z07:00"),
        ("2025-06-18T09:00:00*01:00", "*01:00", "Z07:00"),
    ],
)
def test_go_time_parse_says_which_part_it_cannot_parse(text: str, element: str, layout_element: str) -> None:
    with pytest.raises(GoTimeError) as caught:
        parse_rfc3339_nano(text)
    assert (
        str(caught.value)
        == f'parsing time "{text}" as "{LAYOUT}": cannot parse "{element}" as "{layout_element}"'
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2025-13-01T00:00:00Z", 'parsing time "2025-13-01T00:00:00Z": month out of range'),
        ("2025-02-29T00:00:00Z", 'parsing time "2025-02-29T00:00:00Z": day out of range'),
        ("2025-06-18T24:00:00Z", 'parsing time "2025-06-18T24:00:00Z": hour out of range'),
        ("2025-06-18T09:60:00Z", 'parsing time "2025-06-18T09:60:00Z": minute out of range'),
        ("2025-06-18T09:00:60Z", 'parsing time "2025-06-18T09:00:60Z": second out of range'),
        (
            "2025-06-18T09:00:00+25:00",
            'parsing time "2025-06-18T09:00:00+25:00": time zone offset hour out of range',
        ),
        ("2025-06-18T09:00:00ZX", 'parsing time "2025-06-18T09:00:00ZX": extra text: "X"'),
    ],
)
def test_go_time_parse_errors(text: str, error: str) -> None:
    with pytest.raises(GoTimeError) as caught:
        parse_rfc3339_nano(text)
    assert str(caught.value) == error


def test_go_time_quotes_control_and_non_ascii_bytes() -> None:
    with pytest.raises(GoTimeError) as caught:
        parse_rfc3339_nano('2025-06-18T09:00:00\u00c9"\t')
    shown = '"2025-06-18T09:00:00\\xc3\\x89\\"\\x09"'
    assert (
        str(caught.value)
        == f'parsing time {shown} as "{LAYOUT}": cannot parse "\\xc3\\x89\\"\\x09" as "Z07:00"'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ALICE_ID.upper(), ALICE_ID),
        ("{" + ALICE_ID + "}", ALICE_ID),
        ("urn:uuid:" + ALICE_ID, ALICE_ID),
        (ALICE_ID.replace("-", ""), ALICE_ID),
        ("abc", ValueError("invalid UUID length: 3")),
        (ALICE_ID.replace("-", "+"), ValueError("invalid UUID format")),
        ("urx:uuid:" + ALICE_ID, ValueError('invalid urn prefix: "urx:uuid:"')),
        ("g" * 32, ValueError("invalid UUID format")),
    ],
)
def test_go_uuid(text: str, expected: str | ValueError) -> None:
    if isinstance(expected, ValueError):
        with pytest.raises(ValueError, match=re.escape(str(expected))):
            go_uuid(text)
    else:
        assert go_uuid(text) == expected


def test_ilike() -> None:
    assert ilike("Docker", "%dock_r%") and ilike("docker", "d%r") and not ilike("docker", "dock")
    assert ilike("100%", "%0\\%") and not ilike("1000", "%0\\%")
    assert ilike("a_b", "a\\_b") and not ilike("axb", "a\\_b")
    assert ilike("line\nbreak", "%e%b%")


def test_parsers_without_a_directory_find_no_name() -> None:
    with pytest.raises(ApiError) as caught:
        parse_workspace_query("shared_with_user:alice", lambda value: value)
    assert 'user "alice" either does not exist' in caught.value.validations[0].detail
    assert (
        parse_workspace_query(f"shared_with_user:{ALICE_ID}", lambda value: value).shared_with_user
        == ALICE_ID
    )
    assert parse_template_query("author:me", lambda value: value).author_id == ""  # no actor: no filter
    assert parse_template_query("author:me", lambda value: value, BOB_ID).author_id == BOB_ID
