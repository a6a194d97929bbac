"""The simulator over HTTP: workspace search, creation, builds over time, and rate limiting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sim_helpers import (
    DATA_SCIENCE_VERSION_ID,
    DEV_WORKSPACE_ID,
    DEVCONTAINERS_ID,
    DOCKER_ID,
    DOCKER_V2_ID,
    FRONTEND_WORKSPACE_ID,
    GPU_CLUSTER_ID,
    KUBERNETES_ID,
    LEGACY_VM_ID,
    SCRATCH_ID,
    api,
    default_seed,
    fast_seed,
    names,
    wait_for,
)

from coder_catalog.simulator import SimulatorServer

ALL_BY_LAST_USE = [
    "notebooks", "dev", "python-api", "gpu-train", "Frontend",
    "python-api-eu", "pyproj", "k8s-dev", "old-docker", "legacy",
]  # fmt: skip
ACME = "https://github.com/acme/python-project"


def search(client: httpx.Client, query: str, **params: Any) -> httpx.Response:
    return client.get("/api/v2/workspaces", params={"q": query, **params})


# --------------------------------------------------------------------------- search


def test_listing_is_newest_first_with_a_total_count(alice: httpx.Client) -> None:
    response = search(alice, "")
    assert names(response) == ALL_BY_LAST_USE
    assert response.json()["count"] == 10


def test_limit_and_offset_page_after_counting(alice: httpx.Client) -> None:
    page = alice.get("/api/v2/workspaces", params={"limit": 2, "offset": 1})
    assert names(page) == ["dev", "python-api"]
    assert page.json()["count"] == 10
    assert names(alice.get("/api/v2/workspaces", params={"limit": 0})) == ALL_BY_LAST_USE
    bad = alice.get("/api/v2/workspaces", params={"limit": "-1"})
    assert bad.status_code == 400 and bad.json()["validations"][0]["field"] == "limit"


def test_members_see_only_their_workspaces(bob: httpx.Client) -> None:
    assert names(search(bob, "")) == ["notebooks", "Frontend", "pyproj", "k8s-dev"]
    assert names(search(bob, "owner:alice")) == []
    assert bob.get(f"/api/v2/workspaces/{DEV_WORKSPACE_ID}").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner:me", ["dev", "python-api", "gpu-train", "python-api-eu", "old-docker", "legacy"]),
        ("owner:BOB", ["notebooks", "Frontend", "pyproj", "k8s-dev"]),
        ("template:devcontainers", ["python-api", "Frontend", "python-api-eu", "pyproj"]),
        ("template:DevContainers", ["python-api", "Frontend", "python-api-eu", "pyproj"]),
        ("template:devcontainer", []),  # exact, not a prefix
        ("name:py", ["python-api", "python-api-eu", "pyproj"]),  # substring
        ("name:FRONT", ["Frontend"]),
        ("bob/py", ["pyproj"]),  # a bare term is owner/name
        ("status:running", ["notebooks", "dev", "python-api", "gpu-train"]),
        ("status:stopped", ["python-api-eu", "old-docker", "legacy"]),
        ("status:failed", ["pyproj", "k8s-dev"]),
        ("status:starting", ["Frontend"]),
        ("has-agent:connected", ["notebooks", "dev", "python-api", "gpu-train"]),
        ("outdated:true", ["old-docker"]),
        ("outdated:false owner:me status:stopped", ["python-api-eu", "legacy"]),
        ("organization:research", ["gpu-train"]),
        ("owner:me template:devcontainers status:running", ["python-api"]),
    ],
)
def test_search_terms_are_anded_and_lower_cased(alice: httpx.Client, query: str, expected: list[str]) -> None:
    response = search(alice, query)
    assert response.status_code == 200, response.text
    assert names(response) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f'param:"repo_url={ACME}"', ["python-api", "gpu-train", "python-api-eu", "pyproj"]),
        (f'PARAM:"REPO_URL={ACME.upper()}"', ["python-api", "gpu-train", "python-api-eu", "pyproj"]),
        ('param:"repo_url=https://github.com/Acme/Web-Frontend"', ["Frontend"]),
        ('param:"repo_url=https://github.com/acme/web-frontend"', ["Frontend"]),  # stored value lower-cased
        ("param:region=eu-west-1", ["Frontend", "python-api-eu"]),  # no colon in the value: quotes optional
        ("param:region=eu-west-1 param:region=ap-southeast-1", ["Frontend", "python-api-eu", "pyproj"]),
        ('param:"region=eu-west-1,region=ap-southeast-1"', ["Frontend", "python-api-eu", "pyproj"]),
        ("param:region=eu-west-1 param:branch=main", ["python-api", "Frontend", "python-api-eu", "pyproj"]),
        ("param:region=eu-west-1 status:stopped", ["python-api-eu"]),
        ("param:ide", ["notebooks"]),  # a name alone matches its presence
        ("param:ide=jupyter owner:bob", ["notebooks"]),
        ("param:ide=vscode", []),
        # A comma splits the value: the second piece is a term of its own (a parameter *named*
        # "https://x"), which no workspace has.
        (f'param:"repo_url={ACME},https://x"', []),
    ],
)
def test_param_search(alice: httpx.Client, query: str, expected: list[str]) -> None:
    response = search(alice, query)
    assert response.status_code == 200, response.text
    assert names(response) == expected


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        (
            'param:"a=b=c"',
            "param",
            'Query param "param" has invalid values: query element "a=b=c" can only contain 1 \'=\'',
        ),
        ("param:a=", "param", "has an empty value"),
        (f"param:repo_url={ACME}", "q", "can only contain 1 ':'"),  # the URL's colon needs quotes
        ("colour:red", "colour", '"colour" is not a valid query param'),
        (
            "status:sleeping",
            "status",
            'Query param "status" has invalid value: "sleeping" is not a valid value',
        ),
        ("outdated:maybe", "outdated", "must be a valid boolean"),
        ("owner:", "q", "cannot start or end with ':'"),
        ("a/b/c", "q", "can only contain 1 '/'"),
        ("owner:a owner:b", "owner", "provided more than once"),
        ("organization:nowhere", "organization", "either does not exist"),
    ],
)
def test_bad_queries_are_400_with_validations(
    alice: httpx.Client, query: str, field: str, detail: str
) -> None:
    response = search(alice, query)
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Invalid workspace search query."
    assert body["validations"][0]["field"] == field
    assert detail in body["validations"][0]["detail"]


def test_exact_lookup_by_owner_and_name(alice: httpx.Client, bob: httpx.Client) -> None:
    workspace = alice.get("/api/v2/users/bob/workspace/frontend").json()
    assert workspace["id"] == FRONTEND_WORKSPACE_ID and workspace["name"] == "Frontend"
    assert bob.get("/api/v2/users/me/workspace/Frontend").json()["owner_name"] == "bob"
    assert bob.get("/api/v2/users/alice/workspace/dev").status_code == 404
    assert alice.get("/api/v2/users/alice/workspace/nope").status_code == 404


def test_workspace_fields(alice: httpx.Client) -> None:
    dev = alice.get(f"/api/v2/workspaces/{DEV_WORKSPACE_ID}").json()
    assert dev["template_name"] == "docker" and dev["template_icon"] == "/icon/docker.svg"
    assert dev["template_display_name"] == "Docker Containers" and dev["organization_name"] == "coder"
    assert dev["outdated"] is False and dev["health"]["healthy"] is True
    build = dev["latest_build"]
    assert build["status"] == "running" and build["transition"] == "start" and build["build_number"] == 7
    assert build["template_version_name"] == "v2" and build["job"]["status"] == "succeeded"
    failed = alice.get("/api/v2/users/bob/workspace/k8s-dev").json()["latest_build"]
    assert failed["status"] == "failed" and "exceeded quota" in failed["job"]["error"]


# --------------------------------------------------------------------------- create


@pytest.fixture
def fresh(make_server) -> SimulatorServer:
    return make_server(fast_seed())


def create(
    client: httpx.Client, name: str, params: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    body.setdefault("template_id", DEVCONTAINERS_ID)
    values = [{"name": k, "value": v} for k, v in (params or {}).items()]
    return client.post(
        "/api/v2/users/me/workspaces", json={"name": name, "rich_parameter_values": values, **body}
    )


def test_create_answers_201_with_the_workspace(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        response = create(client, "new-api", {"repo_url": ACME, "region": "eu-west-1", "nonsense": "ignored"})
        assert response.status_code == 201, response.text
        workspace = response.json()
        assert workspace["name"] == "new-api" and workspace["owner_name"] == "alice"
        assert (
            workspace["latest_build"]["status"] == "pending"
            and workspace["latest_build"]["build_number"] == 1
        )
        assert names(search(client, ""))[0] == "new-api"
        assert names(search(client, "param:region=eu-west-1 name:new")) == ["new-api"]
        assert names(search(client, "param:nonsense")) == []  # unknown names are not stored
        assert names(search(client, "param:disk_size=50 name:new")) == ["new-api"]  # defaults are


def test_create_by_template_version_id(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        response = create(client, "scratchy", template_id=None, template_version_id=DOCKER_V2_ID)
        assert response.status_code == 201, response.text
        assert response.json()["template_id"] == DOCKER_ID


@pytest.mark.parametrize(
    ("body", "validations"),
    [
        (
            {"template_id": None},
            [("template_id", "required_without"), ("template_version_id", "required_without")],
        ),
        (
            {"template_version_id": DOCKER_V2_ID},
            [("template_id", "excluded_with"), ("template_version_id", "excluded_with")],
        ),
    ],
)
def test_exactly_one_of_template_id_and_version_id(
    fresh: SimulatorServer, body: dict, validations: list
) -> None:
    with api(fresh) as client:
        response = create(client, "x", **body)
        assert response.status_code == 400
        got = response.json()
        assert got["message"] == "Validation failed."
        assert [(v["field"], v["detail"].split('"')[1]) for v in got["validations"]] == validations


@pytest.mark.parametrize(
    "name", ["new", "create", "-bad", "bad-", "a--b", "has space", "x" * 33, "", "émoji"]
)
def test_bad_workspace_names(fresh: SimulatorServer, name: str) -> None:
    with api(fresh) as client:
        response = create(client, name, {"repo_url": ACME})
        assert response.status_code == 400
        assert response.json() == {
            "message": "Validation failed.",
            "validations": [
                {
                    "field": "name",
                    "detail": f'Validation failed for tag "workspace_name" with value: "{name}"',
                }
            ],
        }


def test_good_names_up_to_32_characters(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        assert create(client, "A" * 32, {"repo_url": ACME}).status_code == 201
        assert create(client, "x1-y2-Z3", {"repo_url": ACME}).status_code == 201


def cannot(label: str, text: str) -> str:
    return f'can\'t validate build parameter "{label}": {text}'


@pytest.mark.parametrize(
    ("template", "params", "name", "detail"),
    [
        (DEVCONTAINERS_ID, {}, "repo_url", 'Parameter "repo_url" is required but not provided'),
        (
            DEVCONTAINERS_ID,
            {"repo_url": ""},
            "repo_url",
            cannot("Repository URL", "parameter value is required"),
        ),
        (
            DEVCONTAINERS_ID,
            {"repo_url": "git@github.com:a/b"},
            "repo_url",
            cannot(
                "Repository URL",
                'The repository must be an HTTPS URL (value "git@github.com:a/b" does not match "^https://")',
            ),
        ),
        (
            DEVCONTAINERS_ID,
            {"repo_url": ACME, "region": "mars-1"},
            "region",
            cannot(
                "Region", "parameter value must match one of options: [us-east-1 eu-west-1 ap-southeast-1]"
            ),
        ),
        (
            DEVCONTAINERS_ID,
            {"repo_url": ACME, "disk_size": "-1"},
            "disk_size",
            cannot("Disk size (GB)", "Disk size must be between 0 and 500 GB; -1 is out of range."),
        ),
        (  # the template's error wins even for a value that is not an integer
            DEVCONTAINERS_ID,
            {"repo_url": ACME, "disk_size": "1.5"},
            "disk_size",
            cannot("Disk size (GB)", "Disk size must be between 0 and 500 GB; 1.5 is out of range."),
        ),
        (
            DEVCONTAINERS_ID,
            {"repo_url": ACME, "ide_extensions": "ms-python"},
            "ide_extensions",
            cannot("VS Code extensions", 'value "ms-python" is not valid list of strings'),
        ),
        (
            DOCKER_ID,
            {"memory": "64"},
            "memory",
            cannot("Memory (GB)", "Memory must be between 1 and 16 GB, got 64."),
        ),
        (
            DOCKER_ID,
            {"docker_in_docker": "True"},  # codersdk: exactly "true" or "false" on a classic template
            "docker_in_docker",
            cannot("Docker in Docker", 'boolean value can be either "true" or "false"'),
        ),
        (
            DOCKER_ID,
            {"cpu": "3"},
            "cpu",
            cannot("CPU cores", "parameter value must match one of options: [2 4 8]"),
        ),
        (
            DOCKER_ID,
            {"dotfiles_uri": "ftp://x"},
            "dotfiles_uri",
            cannot(
                "Dotfiles repository",
                'Dotfiles must be a git URL (value "ftp://x" does not match "^$|^(https://|git@)")',
            ),
        ),
    ],
)
def test_classic_templates_refuse_the_first_bad_value_as_codersdk_does(
    fresh: SimulatorServer, template: str, params: dict[str, str], name: str, detail: str
) -> None:
    with api(fresh) as client:
        response = create(client, "checked", params, template_id=template)
        assert response.status_code == 400
        assert response.json() == {
            "message": f'Unable to validate parameter "{name}"',
            "detail": f"parameter validation failed\n{detail}",
        }


def test_a_classic_template_stops_at_the_first_bad_value_in_author_order(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        response = create(client, "checked", {"region": "mars-1", "disk_size": "501"})
        assert response.json()["message"] == 'Unable to validate parameter "repo_url"'


def test_a_value_codersdk_lets_through_fails_the_build(fresh: SimulatorServer) -> None:
    """An empty optional value: codersdk checks the default, the provider then checks "" and fails."""
    with api(fresh) as client:
        response = create(client, "empty-region", {"repo_url": ACME, "region": ""})
        assert response.status_code == 201, response.text
        workspace = response.json()
        wait_for(lambda: status_of(client, workspace["id"]) == "failed")
        build = client.get(f"/api/v2/workspaces/{workspace['id']}").json()["latest_build"]
        assert build["job"]["error"] == (
            "Value must be a valid option. The value is empty, did you forget to set it with a default or "
            'from user input?; the value "" must be defined as one of options'
        )
        stored = client.get(f"/api/v2/workspacebuilds/{build['id']}/parameters").json()
        assert {"name": "region", "value": ""} in stored  # Coder stores "", not the default


def test_dynamic_templates_list_every_bad_value_with_the_providers_words(fresh: SimulatorServer) -> None:
    values = {
        "ide": "jupyter",
        "jupyter_kernel": "",
        "gpu_count": "2.5",
        "libraries": '["pandas","sklearn"]',
        "dataset_bucket": "s3://data",
    }
    with api(fresh) as client:
        response = create(client, "ds", values, template_id=None, template_version_id=DATA_SCIENCE_VERSION_ID)
        assert response.status_code == 400
        assert response.json() == {
            "message": "Unable to validate parameters",
            "validations": [  # sorted by name
                {
                    "field": "gpu_count",
                    "detail": "Invalid parameter value according to 'validation' block; value \"2.5\" is not a number",
                },
                {
                    "field": "jupyter_kernel",
                    "detail": "Value must be a valid option. The value is empty, did you forget to set it with a "
                    'default or from user input?; the value "" must be defined as one of options',
                },
                {
                    "field": "libraries",
                    "detail": 'Values must be a valid option; Value "[\\"pandas\\",\\"sklearn\\"]" is not a valid '
                    'option, values "sklearn" are missing from the options',
                },
            ],
        }


def test_dynamic_templates_read_values_as_go_does(fresh: SimulatorServer) -> None:
    values = {"ide": "vscode", "libraries": "null", "dataset_bucket": "s3://data", "gpu_count": "+2"}
    with api(fresh) as client:
        response = create(client, "ds", values, template_id=None, template_version_id=DATA_SCIENCE_VERSION_ID)
        assert response.status_code == 201, response.text


def test_a_repeated_name_keeps_the_first_value_on_classic_templates_and_the_last_on_dynamic_ones(
    fresh: SimulatorServer,
) -> None:
    with api(fresh) as client:
        pairs = [{"name": "cpu", "value": "4"}, {"name": "cpu", "value": "3"}]
        classic = client.post(
            "/api/v2/users/me/workspaces",
            json={"name": "twice", "template_id": DOCKER_ID, "rich_parameter_values": pairs},
        )
        assert classic.status_code == 201, classic.text
        pairs = [
            {"name": "dataset_bucket", "value": "nope"},
            {"name": "dataset_bucket", "value": "s3://data"},
        ]
        dynamic = client.post(
            "/api/v2/users/me/workspaces",
            json={
                "name": "twice-too",
                "template_version_id": DATA_SCIENCE_VERSION_ID,
                "rich_parameter_values": pairs,
            },
        )
        assert dynamic.status_code == 201, dynamic.text


def test_a_presets_values_overwrite_the_requests(fresh: SimulatorServer) -> None:
    """``resolver.go``: "Add preset values (overwrite previous and build values if they exist)"."""
    presets = fresh_presets(fresh, DATA_SCIENCE_VERSION_ID)
    jupyter = next(p for p in presets if p["name"] == "Jupyter")
    with api(fresh) as client:
        response = client.post(
            "/api/v2/users/me/workspaces",
            json={
                "name": "preset",
                "template_version_id": DATA_SCIENCE_VERSION_ID,
                "template_version_preset_id": jupyter["id"],
                "rich_parameter_values": [{"name": "dataset_bucket", "value": "s3://mine"}],
            },
        )
        assert response.status_code == 201, response.text
        build_id = response.json()["latest_build"]["id"]
        stored = {
            p["name"]: p["value"] for p in client.get(f"/api/v2/workspacebuilds/{build_id}/parameters").json()
        }
        assert stored["dataset_bucket"] == "s3://acme-datasets" and stored["ide"] == "jupyter"


def fresh_presets(sim: SimulatorServer, version_id: str) -> list[dict[str, Any]]:
    with api(sim) as client:
        return client.get(f"/api/v2/templateversions/{version_id}/presets").json()  # type: ignore[no-any-return]


def test_conditional_parameters_are_checked_only_when_shown(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        hidden = {"ide": "vscode", "jupyter_kernel": "cobol", "dataset_bucket": "s3://data"}
        created = create(client, "ds1", hidden, template_id=None, template_version_id=DATA_SCIENCE_VERSION_ID)
        assert created.status_code == 201, created.text
        shown = {**hidden, "ide": "jupyter"}
        refused = create(client, "ds2", shown, template_id=None, template_version_id=DATA_SCIENCE_VERSION_ID)
        assert refused.json()["message"] == "Unable to validate parameters"
        assert [v["field"] for v in refused.json()["validations"]] == ["jupyter_kernel"]


def test_deprecated_templates_refuse_new_workspaces(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        response = create(client, "old", {}, template_id=LEGACY_VM_ID)
        assert response.status_code == 400
        body = response.json()
        assert body["message"] == (
            'Template "legacy-vm" has been deprecated, and cannot be used to create a new workspace.'
        )
        assert body["detail"] == "Use **docker** instead: virtual machines are retired on 2025-12-31."


def test_names_are_unique_per_owner_case_insensitively(fresh: SimulatorServer) -> None:
    with api(fresh) as alice, api(fresh, "bob") as bob:
        duplicate = create(alice, "DEV", {}, template_id=SCRATCH_ID)
        assert duplicate.status_code == 409
        assert duplicate.json() == {
            "message": 'Workspace "DEV" already exists.',
            "validations": [
                {"field": "name", "detail": "This value is already in use and should be unique."}
            ],
        }
        assert create(bob, "dev", {}, template_id=SCRATCH_ID).status_code == 201


def test_who_may_create_for_whom(fresh: SimulatorServer) -> None:
    with api(fresh) as alice, api(fresh, "bob") as bob:
        for_alice = bob.post("/api/v2/users/alice/workspaces", json={"name": "x", "template_id": SCRATCH_ID})
        assert for_alice.status_code == 403
        assert for_alice.json()["message"] == "Unauthorized to create workspace."
        invisible = bob.post("/api/v2/users/me/workspaces", json={"name": "x", "template_id": GPU_CLUSTER_ID})
        assert invisible.status_code == 400
        assert invisible.json()["validations"] == [{"field": "template_id", "detail": "template not found"}]
        by_admin = alice.post(
            "/api/v2/users/bob/workspaces", json={"name": "gift", "template_id": SCRATCH_ID}
        )
        assert by_admin.status_code == 201 and by_admin.json()["owner_name"] == "bob"


# --------------------------------------------------------------------------- builds


def status_of(client: httpx.Client, workspace_id: str) -> str:
    return client.get(f"/api/v2/workspaces/{workspace_id}").json()["latest_build"]["status"]


def build(client: httpx.Client, workspace_id: str, transition: str) -> httpx.Response:
    return client.post(f"/api/v2/workspaces/{workspace_id}/builds", json={"transition": transition})


def test_builds_move_through_their_states(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        workspace = create(client, "cycle", {}, template_id=SCRATCH_ID).json()
        seen = [workspace["latest_build"]["status"]]

        def running() -> bool:
            seen.append(status_of(client, workspace["id"]))
            return seen[-1] == "running"

        wait_for(running)
        assert {"pending", "starting", "running"} <= set(seen)

        stopping = build(client, workspace["id"], "stop")
        assert stopping.status_code == 201
        assert stopping.json()["transition"] == "stop" and stopping.json()["build_number"] == 2
        assert status_of(client, workspace["id"]) in ("pending", "stopping")
        wait_for(lambda: status_of(client, workspace["id"]) == "stopped")

        assert build(client, workspace["id"], "start").status_code == 201
        wait_for(lambda: status_of(client, workspace["id"]) == "running")

        assert build(client, workspace["id"], "delete").status_code == 201
        wait_for(lambda: client.get(f"/api/v2/workspaces/{workspace['id']}").status_code == 410)
        assert names(search(client, "name:cycle")) == []
        assert client.get("/api/v2/users/me/workspace/cycle").status_code == 404
        deleted = client.get(f"/api/v2/workspaces/{workspace['id']}", params={"include_deleted": "true"})
        assert deleted.json()["latest_build"]["status"] == "deleted"
        history = client.get(f"/api/v2/workspaces/{workspace['id']}/builds").json()
        assert [(b["build_number"], b["transition"]) for b in history] == [
            (4, "delete"), (3, "start"), (2, "stop"), (1, "start"),
        ]  # fmt: skip
        assert (
            create(client, "cycle", {}, template_id=SCRATCH_ID).status_code == 201
        )  # the name is free again


def test_a_second_build_while_one_runs_is_409(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        workspace = create(client, "busy", {}, template_id=SCRATCH_ID).json()
        conflict = build(client, workspace["id"], "stop")
        assert conflict.status_code == 409
        assert conflict.json()["message"] == "A workspace build is already active."
    with api(fresh, "bob") as bob:
        assert build(bob, FRONTEND_WORKSPACE_ID, "stop").status_code == 409  # seeded as starting for an hour


def test_build_requests_are_validated(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        bad = build(client, DEV_WORKSPACE_ID, "reboot")
        assert bad.status_code == 400
        assert bad.json()["validations"] == [
            {"field": "transition", "detail": 'Validation failed for tag "oneof" with value: "reboot"'}
        ]
    with api(fresh, "bob") as bob:
        assert build(bob, DEV_WORKSPACE_ID, "stop").status_code == 404


def test_flagged_templates_fail_their_builds(fresh: SimulatorServer) -> None:
    with api(fresh) as client:
        workspace = create(client, "pod", {}, template_id=KUBERNETES_ID).json()
        wait_for(lambda: status_of(client, workspace["id"]) == "failed")
        job = client.get(f"/api/v2/workspaces/{workspace['id']}").json()["latest_build"]["job"]
        assert job["status"] == "failed" and "exceeded quota" in job["error"]


# --------------------------------------------------------------------------- rate limiting


def test_rate_limit_headers_and_429(make_server) -> None:
    server = make_server(default_seed(rate_limit_per_minute=3))
    with api(server) as client, api(server, "bob") as bob:
        remaining = []
        for _ in range(3):
            response = client.get("/api/v2/users/me")
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Limit"] == "3"
            assert int(response.headers["X-RateLimit-Reset"]) > 0
            remaining.append(response.headers["X-RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        limited = client.get("/api/v2/users/me")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "60"
        assert limited.json() == {
            "message": "You've been rate limited for sending more than 3 requests in 1m0s."
        }
        assert limited.headers["X-Coder-Build-Version"] == "v2.26.3+sim"
        assert client.get("/api/v2/organizations").status_code == 200  # another path, another budget
        assert bob.get("/api/v2/users/me").status_code == 200  # another token, another budget
        assert client.get("/__simulator__/requests").status_code == 200  # admin routes are not limited
