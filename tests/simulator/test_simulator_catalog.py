"""The simulator over HTTP: authentication, users, organizations, templates and their parameters."""

from __future__ import annotations

import re

import httpx
import pytest
from sim_helpers import (
    ALICE_ID,
    DATA_SCIENCE_VERSION_ID,
    DEVCONTAINERS_ID,
    DEVCONTAINERS_VERSION_ID,
    DOCKER_V1_ID,
    OAUTH_CLIENT_ID,
    SIGNED_OUT,
    api,
    default_seed,
)

from coder_catalog.simulator import SimulatorServer

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$")


# --------------------------------------------------------------------------- auth


def test_tokens_are_generated_in_coders_format_one_per_user(sim: SimulatorServer) -> None:
    assert set(sim.tokens) == {"alice", "bob", "carol"}
    assert all(TOKEN_SHAPE.match(t) for t in sim.tokens.values())
    assert len(set(sim.tokens.values())) == 3
    assert sim.token == sim.tokens["alice"]


def test_both_auth_headers_are_accepted(sim: SimulatorServer, anonymous: httpx.Client) -> None:
    session = anonymous.get("/api/v2/users/me", headers={"Coder-Session-Token": sim.tokens["bob"]})
    bearer = anonymous.get("/api/v2/users/me", headers={"Authorization": f"Bearer {sim.tokens['bob']}"})
    assert session.status_code == bearer.status_code == 200
    assert session.json()["username"] == bearer.json()["username"] == "bob"


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, 'Cookie "coder_session_token" or query parameter must be provided.'),
        (
            {"Coder-Session-Token": "abc-def"},
            "Invalid API key format: invalid API key ID length, expected 10 got 3",
        ),
        (
            {"Coder-Session-Token": "abc"},
            "Invalid API key format: incorrect amount of API key parts, expected 2 got 1",
        ),
        ({"Coder-Session-Token": "A" * 10 + "-" + "B" * 22}, "API key is invalid."),  # well-formed, unknown
    ],
)
def test_missing_and_bad_tokens_get_coders_401(
    anonymous: httpx.Client, headers: dict[str, str], detail: str
) -> None:
    response = anonymous.get("/api/v2/users/me", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": SIGNED_OUT, "detail": detail}
    assert response.headers["X-Coder-Build-Version"] == "v2.26.3+sim"


def test_a_wrong_secret_is_refused(sim: SimulatorServer, anonymous: httpx.Client) -> None:
    key_id = sim.tokens["alice"].split("-")[0]
    response = anonymous.get("/api/v2/users/me", headers={"Coder-Session-Token": f"{key_id}-{'x' * 22}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "API key secret is invalid."


def test_revoked_tokens_get_401_and_the_fresh_one_works(make_server) -> None:
    server = make_server()
    old = server.tokens["bob"]
    answer = httpx.post(f"{server.url}/__simulator__/users/bob/revoke-tokens").json()
    assert answer["username"] == "bob" and TOKEN_SHAPE.match(answer["token"])
    refused = httpx.get(f"{server.url}/api/v2/users/me", headers={"Coder-Session-Token": old})
    assert refused.status_code == 401
    assert refused.json() == {"message": SIGNED_OUT, "detail": "API key is invalid."}
    accepted = httpx.get(f"{server.url}/api/v2/users/me", headers={"Coder-Session-Token": answer["token"]})
    assert accepted.json()["username"] == "bob"
    assert server.tokens["bob"] == answer["token"]
    assert TOKEN_SHAPE.match(server.revoke_tokens("bob"))


def test_buildinfo_needs_no_token(sim: SimulatorServer, anonymous: httpx.Client) -> None:
    response = anonymous.get("/api/v2/buildinfo")
    assert response.status_code == 200
    assert response.json()["version"] == "v2.26.3+sim"
    assert response.json()["dashboard_url"] == sim.url


def test_unknown_routes_and_bad_bodies_get_coder_bodies(alice: httpx.Client) -> None:
    assert alice.get("/api/v2/nothing-here").json() == {"message": "Route not found."}
    assert alice.get("/somewhere/else").status_code == 404
    bad = alice.post("/api/v2/users/me/workspaces", content=b"{not json")
    assert bad.status_code == 400
    assert bad.json()["message"] == "Request body must be valid JSON."
    empty = alice.post("/api/v2/users/me/workspaces", content=b"")
    assert empty.json() == {"message": "Request body must be valid JSON.", "detail": "EOF"}
    wrong_type = alice.post("/api/v2/users/me/workspaces", json={"name": 5, "template_id": DEVCONTAINERS_ID})
    assert (
        "cannot unmarshal number into Go struct field CreateWorkspaceRequest.name"
        in wrong_type.json()["detail"]
    )
    not_object = alice.post("/api/v2/users/me/workspaces", json=[1, 2])
    assert not_object.status_code == 400


# --------------------------------------------------------------------------- users and organizations


def test_users_by_me_name_and_id(alice: httpx.Client, bob: httpx.Client) -> None:
    me = alice.get("/api/v2/users/me").json()
    assert me["id"] == ALICE_ID and me["login_type"] == "password"
    assert me["roles"] == [{"name": "owner", "display_name": "Owner", "organization_id": ""}]
    assert alice.get(f"/api/v2/users/{ALICE_ID}").json()["username"] == "alice"
    assert alice.get("/api/v2/users/carol").json()["username"] == "carol"
    assert bob.get("/api/v2/users/alice").status_code == 200  # they share an organization
    assert bob.get("/api/v2/users/carol").status_code == 404  # they do not
    assert alice.get("/api/v2/users/nobody").json() == {
        "message": "Resource not found or you do not have access to this resource"
    }


def test_organizations_by_uuid_name_or_default(alice: httpx.Client, bob: httpx.Client) -> None:
    assert [o["name"] for o in alice.get("/api/v2/organizations").json()] == ["coder", "research"]
    assert [o["name"] for o in bob.get("/api/v2/organizations").json()] == ["coder"]
    default = alice.get("/api/v2/organizations/default").json()
    assert default["name"] == "coder" and default["is_default"] is True
    assert alice.get(f"/api/v2/organizations/{default['id']}").json()["name"] == "coder"
    assert alice.get("/api/v2/organizations/Research").json()["is_default"] is False
    assert bob.get("/api/v2/organizations/research").status_code == 404


# --------------------------------------------------------------------------- templates


def template_names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [t["name"] for t in response.json()]


def test_template_list_includes_deprecated_ones_unless_asked(alice: httpx.Client) -> None:
    # Coder's "deprecated" search key is a nullable boolean: absent, it filters nothing.
    everything = [
        "data-science",
        "devcontainers",
        "docker",
        "gpu-cluster",
        "kubernetes",
        "legacy-vm",
        "scratch",
    ]
    assert template_names(alice.get("/api/v2/templates")) == everything
    assert template_names(alice.get("/api/v2/templates", params={"q": ""})) == everything
    assert template_names(alice.get("/api/v2/organizations/coder/templates")) == [
        n for n in everything if n != "gpu-cluster"
    ]
    assert template_names(alice.get("/api/v2/templates", params={"q": "deprecated:true"})) == ["legacy-vm"]
    assert template_names(alice.get("/api/v2/templates", params={"q": "deprecated:false"})) == [
        n for n in everything if n != "legacy-vm"
    ]


def test_template_list_is_per_visible_organization(alice: httpx.Client, bob: httpx.Client) -> None:
    assert "gpu-cluster" not in template_names(bob.get("/api/v2/templates"))
    assert template_names(alice.get("/api/v2/organizations/research/templates")) == ["gpu-cluster"]
    assert template_names(alice.get("/api/v2/templates", params={"q": "organization:research"})) == [
        "gpu-cluster"
    ]
    assert bob.get("/api/v2/organizations/research/templates").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name:DOCK", ["docker"]),
        ("name:e", ["data-science", "devcontainers", "docker", "gpu-cluster", "kubernetes", "legacy-vm"]),
        ("name:e deprecated:false", ["data-science", "devcontainers", "docker", "gpu-cluster", "kubernetes"]),
        ("name:dock_r", ["docker"]),  # ILIKE: "_" is any one character, "%" any run
        ("name:d%ker", ["docker"]),
        ("name:d%r", ["devcontainers", "docker"]),
        ("exact_name:docker", ["docker"]),
        ("exact_name:dock", []),
        ("exact_display_name:docker", []),
        ("exact_display_name:docker containers", []),  # two terms: a name and "containers"
        ('exact_display_name:"Docker Containers"', ["docker"]),
        ("author:me", ["data-science", "devcontainers", "docker", "gpu-cluster", "kubernetes", "legacy-vm"]),
        ("author:bob", ["scratch"]),
        ("author:nobody", []),
        ("Dev Containers", ["devcontainers"]),  # a bare term is display_name:, a substring
        ("containers", ["devcontainers", "docker"]),
        ("display_name:vm", ["legacy-vm"]),
        ("deprecated:true name:legacy", ["legacy-vm"]),
        ("has-ai-task:true", []),
        ("has-ai-task:false deprecated:false organization:research", ["gpu-cluster"]),
        ("has_external_agent:true", []),
        ("has_external_agent:0 name:scratch", ["scratch"]),
        ("deleted:true", []),
        ("deleted:false name:scratch", ["scratch"]),
    ],
)
def test_template_search_terms(alice: httpx.Client, query: str, expected: list[str]) -> None:
    assert template_names(alice.get("/api/v2/templates", params={"q": query})) == expected


def test_template_search_errors(alice: httpx.Client) -> None:
    response = alice.get("/api/v2/templates", params={"q": "colour:blue"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid template search query.",
        "validations": [{"field": "colour", "detail": '"colour" is not a valid query param'}],
    }
    boolean = alice.get("/api/v2/templates", params={"q": "deprecated:maybe"}).json()
    assert boolean["validations"][0]["field"] == "deprecated"


def test_template_by_name_is_case_insensitive_and_includes_deprecated(alice: httpx.Client) -> None:
    assert alice.get("/api/v2/organizations/coder/templates/DevContainers").json()["id"] == DEVCONTAINERS_ID
    legacy = alice.get("/api/v2/organizations/default/templates/legacy-vm").json()
    assert legacy["deprecated"] is True
    assert legacy["deprecation_message"].startswith("Use **docker** instead")
    assert alice.get("/api/v2/organizations/coder/templates/missing").status_code == 404
    assert alice.get("/api/v2/organizations/coder/templates/gpu-cluster").status_code == 404


def test_template_and_version_by_id(alice: httpx.Client, bob: httpx.Client) -> None:
    template = alice.get(f"/api/v2/templates/{DEVCONTAINERS_ID}").json()
    assert template["active_version_id"] == DEVCONTAINERS_VERSION_ID
    assert template["icon"] == "/icon/git.svg" and template["display_name"] == "Dev Containers"
    version = alice.get(f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}").json()
    assert version["template_id"] == DEVCONTAINERS_ID and version["job"]["status"] == "succeeded"
    gpu = alice.get("/api/v2/organizations/research/templates/gpu-cluster").json()
    assert bob.get(f"/api/v2/templates/{gpu['id']}").status_code == 404


def test_rich_parameters_keep_author_order_and_coders_fields(alice: httpx.Client) -> None:
    params = alice.get(f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}/rich-parameters").json()
    assert [p["name"] for p in params] == [
        "repo_url",
        "branch",
        "region",
        "disk_size",
        "ide_extensions",
        "tools",
    ]
    by_name = {p["name"]: p for p in params}
    assert by_name["repo_url"]["required"] is True and by_name["repo_url"]["default_value"] == ""
    assert by_name["repo_url"]["validation_regex"] == "^https://"
    assert by_name["disk_size"]["validation_min"] == 0  # 0 is a real bound and is sent
    assert "validation_min" not in by_name["branch"]
    assert by_name["tools"]["form_type"] == "tag-select"  # a multi-select needs the dynamic flow
    assert by_name["ide_extensions"]["default_value"] == '["ms-python.python"]'
    assert by_name["region"]["options"][1] == {
        "name": "EU West",
        "value": "eu-west-1",
        "description": "",
        "icon": "/emojis/1f1ea-1f1fa.png",
    }
    assert "`" not in by_name["repo_url"]["description_plaintext"]


def test_dynamic_templates_list_conditional_parameters_only_when_shown(alice: httpx.Client) -> None:
    params = alice.get(f"/api/v2/templateversions/{DATA_SCIENCE_VERSION_ID}/rich-parameters").json()
    assert [p["name"] for p in params] == ["ide", "gpu_count", "libraries", "dataset_bucket"]


def test_presets(alice: httpx.Client) -> None:
    presets = alice.get(f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}/presets").json()
    assert [p["name"] for p in presets] == ["Small", "Large"]
    assert presets[0]["default"] is True
    assert {"name": "disk_size", "value": "20"} in presets[0]["parameters"]


def test_importing_versions_answer_425(make_server) -> None:
    server = make_server()
    with api(server) as client:
        response = client.patch("/__simulator__/templates/devcontainers", json={"importing": True})
        assert response.status_code == 200
        for path in ("rich-parameters", "presets"):
            early = client.get(f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}/{path}")
            assert early.status_code == 425
            assert early.json() == {"message": "Template version job hasn't completed!"}
        version = client.get(f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}").json()
        assert version["job"]["status"] == "running" and "completed_at" not in version["job"]
        server.patch_template("devcontainers", importing=False)
        assert (
            client.get(f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}/rich-parameters").status_code
            == 200
        )


def test_admin_can_deprecate_and_restore_templates(make_server) -> None:
    server = make_server()
    with api(server) as client:
        patched = client.patch("/__simulator__/templates/docker", json={"deprecation_message": "Gone."})
        assert patched.json()["template"]["deprecated"] is True
        assert "docker" not in template_names(
            client.get("/api/v2/templates", params={"q": "deprecated:false"})
        )
        assert "docker" in template_names(client.get("/api/v2/templates", params={"q": "deprecated:true"}))
        client.patch("/__simulator__/templates/docker", json={"deprecated": False})
        assert "docker" in template_names(client.get("/api/v2/templates", params={"q": "deprecated:false"}))
        assert client.patch("/__simulator__/templates/docker", json={"colour": "red"}).status_code == 400
        assert client.patch("/__simulator__/templates/nope", json={"deprecated": True}).status_code == 404


# --------------------------------------------------------------------------- dynamic parameters


def evaluate(client: httpx.Client, inputs: dict[str, str], version: str = DATA_SCIENCE_VERSION_ID) -> dict:
    response = client.post(
        f"/api/v2/templateversions/{version}/dynamic-parameters/evaluate",
        json={"id": 7, "inputs": inputs, "owner_id": ALICE_ID},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_evaluate_reports_diagnostics_per_parameter(alice: httpx.Client) -> None:
    answer = evaluate(alice, {"gpu_count": "9", "dataset_bucket": "ftp://x"})
    assert answer["id"] == 7 and answer["diagnostics"] == []
    by_name = {p["name"]: p for p in answer["parameters"]}
    assert list(by_name) == ["ide", "gpu_count", "libraries", "dataset_bucket"]
    assert by_name["ide"]["diagnostics"] == []
    assert by_name["gpu_count"]["diagnostics"][0]["severity"] == "error"
    assert by_name["gpu_count"]["diagnostics"][0]["detail"] == "value 9 is more than the maximum 4"
    assert "does not match" in by_name["dataset_bucket"]["diagnostics"][0]["detail"]
    assert by_name["gpu_count"]["value"] == {"value": "9", "valid": True}


def test_evaluate_shows_conditional_parameters_when_their_condition_holds(alice: httpx.Client) -> None:
    answer = evaluate(alice, {"ide": "jupyter", "jupyter_kernel": "cobol", "dataset_bucket": "s3://b"})
    by_name = {p["name"]: p for p in answer["parameters"]}
    assert list(by_name) == ["ide", "jupyter_kernel", "gpu_count", "libraries", "dataset_bucket"]
    kernel = by_name["jupyter_kernel"]["diagnostics"]
    assert kernel[0]["summary"] == "Value must be a valid option"
    assert by_name["dataset_bucket"]["diagnostics"] == []


def test_evaluate_reports_missing_required_values(alice: httpx.Client) -> None:
    answer = evaluate(alice, {})
    bucket = next(p for p in answer["parameters"] if p["name"] == "dataset_bucket")
    assert bucket["value"] == {"value": "", "valid": False}
    assert bucket["diagnostics"][0]["summary"] == "Required parameter not provided"


def test_evaluate_is_404_when_the_server_has_no_dynamic_parameters(make_server) -> None:
    server = make_server(default_seed(dynamic_parameters=False))
    with api(server) as client:
        response = client.post(
            f"/api/v2/templateversions/{DATA_SCIENCE_VERSION_ID}/dynamic-parameters/evaluate", json={"id": 1}
        )
        assert response.status_code == 404
        assert response.json() == {"message": "Route not found."}


def test_evaluate_works_for_old_versions_too(alice: httpx.Client) -> None:
    answer = evaluate(alice, {"cpu": "3"}, DOCKER_V1_ID)
    assert (
        answer["parameters"][0]["diagnostics"][0]["detail"]
        == 'the value "3" must be defined as one of options'
    )


# --------------------------------------------------------------------------- robustness

CREATE = "/api/v2/users/me/workspaces"


@pytest.mark.parametrize(
    ("method", "path", "content", "status"),
    [
        ("POST", CREATE, b'{"name": "x", "rich_parameter_values": "x"}', 400),
        ("POST", CREATE, b'{"name": "x", "rich_parameter_values": [{"name": 1}]}', 400),
        ("POST", CREATE, b'{"name": "x", "template_id": "abc"}', 400),
        ("POST", CREATE, b"\xff\xfe\xfa", 400),
        ("POST", CREATE, b"[" * 100000, 400),
        ("POST", f"/api/v2/templateversions/{DATA_SCIENCE_VERSION_ID}/dynamic-parameters/evaluate",
         b'{"inputs": {"ide": 3}}', 400),
        ("POST", f"/api/v2/workspaces/{DEVCONTAINERS_ID}/builds", b'{"transition": "start"}', 404),
        ("POST", "/__simulator__/faults", b"[1]", 400),
        ("PATCH", "/__simulator__/templates/docker", b'"text"', 400),
        ("GET", "/api/v2/workspaces/not-a-uuid", b"", 404),
        ("GET", "/api/v2/templateversions/zzz/rich-parameters", b"", 404),
        ("GET", "/api/v2/workspaces?limit=abc", b"", 400),
        ("GET", "/api/v2/workspaces?q=%22%22%22:::", b"", 400),
        ("GET", f"/oauth2/authorize?client_id={OAUTH_CLIENT_ID}&redirect_uri=http://127.0.0.1:x/", b"", 400),
        ("PUT", "/api/v2/workspaces", b"", 405),
    ],
)  # fmt: skip
def test_garbage_gets_coder_errors_not_crashes(
    alice: httpx.Client, method: str, path: str, content: bytes, status: int
) -> None:
    response = alice.request(method, path, content=content)
    assert response.status_code == status, response.text
    assert isinstance(response.json().get("message", response.json().get("error")), str)
