"""Every simulator answer validates against Coder's swagger definitions.

The definitions are made strict for the check: where swagger lists an object's properties,
a field it does not list is an error too, so a misspelt field cannot slip through.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from sim_helpers import (
    ALICE_ID,
    DATA_SCIENCE_VERSION_ID,
    DEV_WORKSPACE_ID,
    DEVCONTAINERS_ID,
    DEVCONTAINERS_VERSION_ID,
    OAUTH_CLIENT_ID,
    OAUTH_CLIENT_SECRET,
    SCRATCH_ID,
    api,
    fast_seed,
)

from coder_catalog.simulator import SimulatorServer

# Coder's API description (coder/coder's coderd/apidoc/swagger.json), kept in the repository so that
# a fresh clone checks the simulator against it.
SWAGGER = Path(__file__).resolve().parents[1] / "fixtures" / "coder-swagger.json"


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    return _strict(json.loads(SWAGGER.read_text(encoding="utf-8"))["definitions"])


def _strict(definitions: dict[str, Any]) -> dict[str, Any]:
    strict = copy.deepcopy(definitions)

    def tighten(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                tighten(value)
        elif isinstance(node, list):
            for value in node:
                tighten(value)

    tighten(strict)
    return strict


@pytest.fixture(scope="module")
def check(definitions: dict[str, Any]) -> Callable[[Any, str], None]:
    def validate(instance: Any, name: str, many: bool = False) -> None:
        ref = {"$ref": f"#/definitions/{name}"}
        schema = {"definitions": definitions, **({"type": "array", "items": ref} if many else ref)}
        errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{name} at {list(e.path)}: {e.message}" for e in errors[:10])

    return validate


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer(fast_seed()) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: SimulatorServer) -> Iterator[httpx.Client]:
    with api(server) as alice:
        yield alice


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


GETS_ONE = [
    ("/api/v2/buildinfo", "codersdk.BuildInfoResponse"),
    ("/api/v2/users/me", "codersdk.User"),
    (f"/api/v2/users/{ALICE_ID}", "codersdk.User"),
    ("/api/v2/users/bob", "codersdk.User"),
    ("/api/v2/organizations/default", "codersdk.Organization"),
    ("/api/v2/organizations/research", "codersdk.Organization"),
    ("/api/v2/organizations/coder/templates/devcontainers", "codersdk.Template"),
    (f"/api/v2/templates/{DEVCONTAINERS_ID}", "codersdk.Template"),
    (f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}", "codersdk.TemplateVersion"),
    ("/api/v2/workspaces", "codersdk.WorkspacesResponse"),
    ("/api/v2/workspaces?q=owner:me&limit=2", "codersdk.WorkspacesResponse"),
    (f"/api/v2/workspaces/{DEV_WORKSPACE_ID}", "codersdk.Workspace"),
    ("/api/v2/users/bob/workspace/k8s-dev", "codersdk.Workspace"),
    ("/api/v2/users/bob/workspace/Frontend", "codersdk.Workspace"),
    ("/.well-known/oauth-authorization-server", "codersdk.OAuth2AuthorizationServerMetadata"),
]

GETS_MANY = [
    ("/api/v2/organizations", "codersdk.Organization"),
    ("/api/v2/templates", "codersdk.Template"),
    ("/api/v2/templates?q=deprecated:true", "codersdk.Template"),
    ("/api/v2/organizations/coder/templates", "codersdk.Template"),
    (
        f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}/rich-parameters",
        "codersdk.TemplateVersionParameter",
    ),
    (
        f"/api/v2/templateversions/{DATA_SCIENCE_VERSION_ID}/rich-parameters",
        "codersdk.TemplateVersionParameter",
    ),
    (f"/api/v2/templateversions/{DEVCONTAINERS_VERSION_ID}/presets", "codersdk.Preset"),
    (f"/api/v2/workspaces/{DEV_WORKSPACE_ID}/builds", "codersdk.WorkspaceBuild"),
]

ERRORS = [
    ("/api/v2/users/me", False, 401),
    ("/api/v2/users/nobody", True, 404),
    ("/api/v2/nowhere", True, 404),
    ("/api/v2/workspaces?q=colour:red", True, 400),
    ("/api/v2/workspaces?q=param:%22a%3Db%3Dc%22", True, 400),
    ("/api/v2/templates?q=deprecated:maybe", True, 400),
]


@pytest.mark.parametrize(("path", "definition"), GETS_ONE)
def test_single_objects(client: httpx.Client, check: Callable, path: str, definition: str) -> None:
    check(ok(client.get(path)), definition)


@pytest.mark.parametrize(("path", "definition"), GETS_MANY)
def test_arrays(client: httpx.Client, check: Callable, path: str, definition: str) -> None:
    body = ok(client.get(path))
    assert isinstance(body, list) and body
    check(body, definition, many=True)


@pytest.mark.parametrize(("path", "signed_in", "status"), ERRORS)
def test_error_bodies(
    client: httpx.Client, server: SimulatorServer, check: Callable, path: str, signed_in: bool, status: int
) -> None:
    if signed_in:
        response = client.get(path)
    else:
        with api(server, None) as anonymous:
            response = anonymous.get(path)
    check(ok(response, status), "codersdk.Response")


def test_dynamic_parameters_evaluate(client: httpx.Client, check: Callable) -> None:
    body = ok(
        client.post(
            f"/api/v2/templateversions/{DATA_SCIENCE_VERSION_ID}/dynamic-parameters/evaluate",
            json={"id": 3, "inputs": {"ide": "jupyter", "gpu_count": "7"}, "owner_id": ALICE_ID},
        )
    )
    assert any(p["diagnostics"] for p in body["parameters"])
    check(body, "codersdk.DynamicParametersResponse")


def test_create_workspace_and_builds(client: httpx.Client, check: Callable, server: SimulatorServer) -> None:
    created = ok(
        client.post("/api/v2/users/me/workspaces", json={"name": "swag", "template_id": SCRATCH_ID}), 201
    )
    check(created, "codersdk.Workspace")
    conflict = client.post(f"/api/v2/workspaces/{created['id']}/builds", json={"transition": "stop"})
    check(ok(conflict, 409), "codersdk.Response")
    duplicate = client.post("/api/v2/users/me/workspaces", json={"name": "SWAG", "template_id": SCRATCH_ID})
    check(ok(duplicate, 409), "codersdk.Response")
    invalid = client.post(
        "/api/v2/users/me/workspaces", json={"name": "new", "template_id": DEVCONTAINERS_ID}
    )
    check(ok(invalid, 400), "codersdk.Response")
    bad_value = client.post(
        "/api/v2/users/me/workspaces",
        json={
            "name": "ok",
            "template_id": DEVCONTAINERS_ID,
            "rich_parameter_values": [{"name": "x", "value": "y"}],
        },
    )
    check(ok(bad_value, 400), "codersdk.Response")
    started = ok(
        client.post(f"/api/v2/workspaces/{DEV_WORKSPACE_ID}/builds", json={"transition": "stop"}), 201
    )
    check(started, "codersdk.WorkspaceBuild")
    check(
        ok(client.get(f"/api/v2/workspaces/{DEV_WORKSPACE_ID}/builds")), "codersdk.WorkspaceBuild", many=True
    )


def test_oauth2_token_answer(client: httpx.Client, check: Callable) -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = client.get(
        "/oauth2/authorize",
        params={
            "client_id": OAUTH_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": "http://127.0.0.1:4000/callback",
            "code_challenge": challenge,
        },
    )
    code = httpx.URL(redirect.headers["Location"]).params["code"]
    token = client.post(
        "/oauth2/tokens",
        data={
            "grant_type": "authorization_code",
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
            "code": code,
            "code_verifier": verifier,
        },
    )
    check(ok(token), "oauth2.Token")
