"""Helpers shared by the simulator tests (imported by name: this folder is on sys.path)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

import httpx
import yaml

from coder_catalog.simulator import SimulatorServer

_DEFAULT_SEED: dict[str, Any] = yaml.safe_load(
    resources.files("coder_catalog.simulator").joinpath("data", "default.yaml").read_text()
)

ALICE_ID = "61824fa8-6db6-5aa4-8231-5111a7666f4e"
BOB_ID = "47ac5ba5-6455-5177-af18-dcbdd1f5e911"
DOCKER_ID = "f08dde09-76a1-57cd-aa3f-56d505e14458"
DOCKER_V1_ID = "085cb989-9812-5495-a3b5-1a8527d2d8fa"
DOCKER_V2_ID = "c071b991-0702-58fd-95a1-e57c79be1f72"
DEVCONTAINERS_ID = "9b0bcd65-6c57-55c6-9d7b-fe6684a16a99"
DEVCONTAINERS_VERSION_ID = "d762b1e7-1b22-5c1e-8fad-cf5bd541bf19"
DATA_SCIENCE_VERSION_ID = "9bad69cf-a407-5a84-ab91-08bd890359b7"
LEGACY_VM_ID = "f16d863a-9d76-5700-ad01-c92490b364ea"
KUBERNETES_ID = "816ed1dd-ec49-50a0-8028-00e7b24aa7f1"
SCRATCH_ID = "dacf63ff-8e78-5f24-aec5-a00d3bad576f"
GPU_CLUSTER_ID = "fc11fced-aba5-5900-b36a-d9a01329abcb"
DEV_WORKSPACE_ID = "99f0ccc0-edbd-5b76-9c0d-b052ec8623a4"
FRONTEND_WORKSPACE_ID = "d989e569-f9a0-5b5d-a7ad-2070ed6d3a96"
OAUTH_CLIENT_ID = "8d17f5ad-729c-59b8-a49e-c9690b6ea7ea"
OAUTH_CLIENT_SECRET = "simulator-client-secret-not-for-production"
SIGNED_OUT = "You are signed out or your session has expired. Please sign in again to continue."


def default_seed(**deployment: Any) -> dict[str, Any]:
    """A fresh copy of the shipped seed, with ``deployment`` settings overridden."""
    seed = copy.deepcopy(_DEFAULT_SEED)
    seed["deployment"].update(deployment)
    return seed


def fast_seed(**deployment: Any) -> dict[str, Any]:
    """The shipped seed with builds that take a fraction of a second."""
    return default_seed(build_seconds=0.3, queue_seconds=0.1, **deployment)


def api(server: SimulatorServer, user: str | None = "alice", **kwargs: Any) -> httpx.Client:
    """A client of the simulator signed in as ``user`` (None: without a token)."""
    headers = {"Coder-Session-Token": server.tokens[user]} if user else {}
    # Plain HTTP on loopback: verify=False only spares loading the CA bundle for each client.
    return httpx.Client(base_url=server.url, headers=headers, timeout=10, verify=False, **kwargs)


def names(response: httpx.Response) -> list[str]:
    body = response.json()
    items = body["workspaces"] if isinstance(body, dict) else body
    return [item["name"] for item in items]


def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until ``condition()`` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
