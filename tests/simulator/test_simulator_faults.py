"""Fault injection (admin endpoints and the Python API) and the request log."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sim_helpers import api

from coder_catalog.simulator import SimulatorServer


@pytest.fixture
def server(make_server) -> SimulatorServer:
    return make_server()


@pytest.fixture
def client(server: SimulatorServer):
    with api(server) as client:
        yield client


def add_fault(client: httpx.Client, **fault: object) -> dict:
    response = client.post("/__simulator__/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()["fault"]


def test_status_faults_answer_coder_bodies_for_count_requests(client: httpx.Client) -> None:
    add_fault(client, kind="status", status=503, count=2)
    for _ in range(2):
        response = client.get("/api/v2/users/me")
        assert response.status_code == 503
        assert response.json() == {
            "message": "Service Unavailable.",
            "detail": "Fault injected by the Coder simulator.",
        }
        assert response.headers["X-Coder-Build-Version"] == "v2.26.3+sim"
    assert client.get("/api/v2/users/me").status_code == 200


def test_status_fault_defaults_to_500_until_cleared(client: httpx.Client) -> None:
    add_fault(client, kind="status")
    assert [client.get("/api/v2/buildinfo").status_code for _ in range(3)] == [500, 500, 500]
    assert client.get("/__simulator__/requests").status_code == 200  # admin routes escape faults
    assert client.delete("/__simulator__/faults").json() == {"cleared": 1}
    assert client.get("/api/v2/buildinfo").status_code == 200


def test_latency(client: httpx.Client, server: SimulatorServer) -> None:
    server.set_fault("latency", seconds=0.3, count=1)
    started = time.monotonic()
    assert client.get("/api/v2/users/me").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.get("/api/v2/users/me")
    assert time.monotonic() - started < 0.3


def test_hang_holds_requests_until_healed(client: httpx.Client, server: SimulatorServer) -> None:
    add_fault(client, kind="hang")
    with pytest.raises(httpx.ReadTimeout):
        client.get("/api/v2/users/me", timeout=0.2)
    results: list[int] = []
    waiter = threading.Thread(target=lambda: results.append(client.get("/api/v2/users/me").status_code))
    waiter.start()
    time.sleep(0.2)
    assert results == []
    assert server.clear_faults() == 1
    waiter.join(5)
    assert results == [200]


def test_rate_limit_fault(client: httpx.Client) -> None:
    add_fault(client, kind="rate_limit", seconds=1.5, count=1)
    response = client.get("/api/v2/workspaces")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert "rate limited" in response.json()["message"]
    assert client.get("/api/v2/workspaces").status_code == 200


def test_drop_closes_the_connection(client: httpx.Client, server: SimulatorServer) -> None:
    server.set_fault("drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/v2/users/me")
    assert client.get("/api/v2/users/me").status_code == 200


def test_non_json_answers_like_a_proxy(client: httpx.Client) -> None:
    add_fault(client, kind="non_json", count=1)
    response = client.get("/api/v2/templates")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    add_fault(client, kind="non_json", status=504, count=1)
    assert client.get("/api/v2/templates").status_code == 504


def test_path_prefix_limits_a_fault(client: httpx.Client) -> None:
    add_fault(client, kind="status", status=500, path_prefix="/api/v2/workspaces")
    assert client.get("/api/v2/workspaces").status_code == 500
    assert client.get("/api/v2/workspaces/anything").status_code == 500
    assert client.get("/api/v2/users/me").status_code == 200


def test_faults_can_be_listed_and_bad_ones_are_refused(client: httpx.Client, server: SimulatorServer) -> None:
    fault = add_fault(client, kind="latency", seconds=0.01, count=5, path_prefix="/oauth2")
    assert client.get("/__simulator__/faults").json() == {"faults": [fault]}
    for bad in (
        {"kind": "explode"},
        {"kind": "status", "status": 42},
        {"kind": "hang", "count": 0},
        {"colour": 1},
    ):
        response = client.post("/__simulator__/faults", json=bad)
        assert response.status_code == 400
        assert response.json()["message"] == "Invalid fault."
    with pytest.raises(ValueError):
        server.set_fault("latency", seconds=-1)


def test_the_request_log(client: httpx.Client, server: SimulatorServer) -> None:
    client.delete("/__simulator__/requests")
    client.get("/api/v2/workspaces", params={"q": "owner:me"})
    client.get("/api/v2/nothing")
    httpx.get(f"{server.url}/api/v2/users/me")
    server.set_fault("status", status=502, count=1)
    client.get("/api/v2/buildinfo")
    server.set_fault("drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/v2/buildinfo")
    logged = client.get("/__simulator__/requests").json()["requests"]
    assert logged == [
        {"method": "GET", "path": "/api/v2/workspaces", "query": "q=owner%3Ame", "status": 200},
        {"method": "GET", "path": "/api/v2/nothing", "query": "", "status": 404},
        {"method": "GET", "path": "/api/v2/users/me", "query": "", "status": 401},
        {"method": "GET", "path": "/api/v2/buildinfo", "query": "", "status": 502},
        {"method": "GET", "path": "/api/v2/buildinfo", "query": "", "status": None},
    ]
    assert server.requests() == logged
    assert server.clear_requests() == 5
    assert server.requests() == []
