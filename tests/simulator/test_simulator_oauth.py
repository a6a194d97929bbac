"""The simulator as an OAuth2 authorization server: code flow with PKCE S256, refresh, revoke; a
confidential app authenticates with its secret everywhere, a public one uses PKCE alone; while the
provider is off (Coder's default) every OAuth2 route is a 404 like an unknown path."""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sim_helpers import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, api, default_seed

from coder_catalog.simulator import SimulatorServer

REDIRECT = "http://127.0.0.1:53682/callback"
PUBLIC_CLIENT_ID = "0d1c5c6e-2b1f-4f57-9a43-3c1d4f0e6a21"
BAD_CLIENT = {"error": "invalid_client", "error_description": "The client credentials are invalid"}
ROUTE_NOT_FOUND = {"message": "Route not found."}


def with_public_app(seed: dict[str, Any]) -> dict[str, Any]:
    """The seed plus a public client: no client_secret, PKCE only."""
    seed = copy.deepcopy(seed)
    seed["oauth2"]["apps"].append(
        {"id": PUBLIC_CLIENT_ID, "name": "Public CLI", "redirect_uris": ["http://127.0.0.1/callback"]}
    )
    return seed


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client: httpx.Client, challenge: str, **overrides: str) -> httpx.Response:
    params = {
        "client_id": OAUTH_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return client.get("/oauth2/authorize", params={k: v for k, v in params.items() if v is not None})


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert query["state"] == ["xyz-42"]
    return query["code"][0]


def exchange(client: httpx.Client, code: str, verifier: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": OAUTH_CLIENT_ID,
        "client_secret": OAUTH_CLIENT_SECRET,
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": REDIRECT,
        **overrides,
    }
    return client.post("/oauth2/tokens", data=form)


@pytest.fixture
def server(make_server) -> SimulatorServer:
    return make_server()


@pytest.fixture
def anon(server: SimulatorServer):
    with api(server, None) as client:
        yield client


def test_metadata(anon: httpx.Client, server: SimulatorServer) -> None:
    metadata = anon.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == server.url
    assert metadata["authorization_endpoint"] == f"{server.url}/oauth2/authorize"
    assert metadata["token_endpoint"] == f"{server.url}/oauth2/tokens"
    assert metadata["revocation_endpoint"] == f"{server.url}/oauth2/revoke"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]


def test_full_flow_with_pkce_refresh_and_revoke(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = code_from(authorize(anon, challenge))
    assert code.startswith("coder_")

    tokens = exchange(anon, code, verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer" and 3500 < body["expires_in"] <= 3600 and body["expiry"]
    me = anon.get("/api/v2/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "alice"  # the data file's auto-approve user
    assert exchange(anon, code, verifier).json()["error"] == "invalid_grant"  # codes are single-use

    refreshed = anon.post(
        "/oauth2/tokens",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    rotated = refreshed.json()
    assert (
        rotated["refresh_token"] != body["refresh_token"] and rotated["access_token"] != body["access_token"]
    )
    old_access = anon.get("/api/v2/users/me", headers={"Coder-Session-Token": body["access_token"]})
    assert old_access.status_code == 401
    reused = anon.post(
        "/oauth2/tokens",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
        },
    )
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "The refresh token is invalid or expired",
    }

    revoked = anon.post(
        "/oauth2/revoke",
        data={
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
            "token": rotated["refresh_token"],
        },
    )
    assert revoked.status_code == 200
    after = anon.get("/api/v2/users/me", headers={"Coder-Session-Token": rotated["access_token"]})
    assert after.status_code == 401 and after.json()["detail"] == "API key is invalid."


def test_revoking_the_access_token(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    body = exchange(anon, code_from(authorize(anon, challenge)), verifier).json()
    basic = base64.b64encode(f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}".encode()).decode()
    answer = anon.post(
        "/oauth2/revoke", data={"token": body["access_token"]}, headers={"Authorization": f"Basic {basic}"}
    )
    assert answer.status_code == 200
    assert (
        anon.get("/api/v2/users/me", headers={"Coder-Session-Token": body["access_token"]}).status_code == 401
    )
    client = {"client_id": OAUTH_CLIENT_ID, "client_secret": OAUTH_CLIENT_SECRET}
    unknown = anon.post("/oauth2/revoke", data={**client, "token": "coder_abc_def"})
    assert unknown.status_code == 200  # RFC 7009: unknown tokens are not an error
    garbage = anon.post("/oauth2/revoke", data={**client, "token": "garbage"})
    assert garbage.json()["error"] == "invalid_request"


def test_a_session_token_chooses_the_approving_user(anon: httpx.Client, server: SimulatorServer) -> None:
    verifier, challenge = pkce()
    with api(server, "bob") as bob:
        response = authorize(bob, challenge)
    body = exchange(anon, code_from(response), verifier).json()
    me = anon.get("/api/v2/users/me", headers={"Coder-Session-Token": body["access_token"]})
    assert me.json()["username"] == "bob"


def test_wrong_verifier_and_secret_are_refused(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = code_from(authorize(anon, challenge))
    wrong = exchange(anon, code, pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "The PKCE code verifier is invalid",
    }
    missing = exchange(anon, code, "")
    assert missing.json()["error"] == "invalid_grant"
    bad_secret = exchange(anon, code, verifier, client_secret="nope-nope-nope")
    assert bad_secret.status_code == 401
    assert bad_secret.json() == {
        "error": "invalid_client",
        "error_description": "The client credentials are invalid",
    }
    other_redirect = exchange(anon, code, verifier, redirect_uri="http://127.0.0.1:1/other")
    assert other_redirect.json()["error"] == "invalid_grant"
    assert exchange(anon, code, verifier).status_code == 200  # the failures did not burn the code


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000000"}, 401, "invalid_client"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"redirect_uri": "http://evil.example.com/callback"}, 400, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, 400, "invalid_request"),
        (
            {"redirect_uri": "http://localhost:7008/api/auth/coder/handler/frame"},
            302,
            None,
        ),  # loopback: any port
        ({"redirect_uri": "http://[::1]:80/callback"}, 400, "invalid_request"),  # not registered host
        ({"response_type": "token"}, 400, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, 400, "invalid_request"),
        ({"code_challenge": None}, 400, "invalid_request"),
    ],
)
def test_authorize_validates_its_parameters(
    anon: httpx.Client, overrides: dict, status: int, error: str | None
) -> None:
    response = authorize(anon, pkce()[1], **overrides)
    assert response.status_code == status, response.text
    if error:
        assert response.json()["error"] == error


def test_token_endpoint_errors(anon: httpx.Client) -> None:
    unsupported = anon.post("/oauth2/tokens", data={"grant_type": "password"})
    assert unsupported.json() == {
        "error": "unsupported_grant_type",
        "error_description": "The grant type is missing or unsupported",
    }
    no_code = anon.post(
        "/oauth2/tokens", data={"grant_type": "authorization_code", "client_id": OAUTH_CLIENT_ID}
    )
    assert no_code.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: code",
    }
    bad_code = exchange(anon, "coder_nope_nope", "verifier")
    assert bad_code.json()["error_description"] == "The authorization code is invalid or expired"


def refresh(client: httpx.Client, refresh_token: str, **credentials: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, **credentials}
    return client.post("/oauth2/tokens", data=form)


def tokens_for(client: httpx.Client, **credentials: str) -> dict[str, Any]:
    verifier, challenge = pkce()
    code = code_from(authorize(client, challenge, client_id=credentials["client_id"]))
    answer = exchange(client, code, verifier, **credentials)
    assert answer.status_code == 200, answer.text
    return answer.json()


def signed_in(client: httpx.Client, access_token: str) -> bool:
    return client.get("/api/v2/users/me", headers={"Coder-Session-Token": access_token}).status_code == 200


def test_a_confidential_client_needs_its_secret_to_refresh(anon: httpx.Client) -> None:
    body = tokens_for(anon, client_id=OAUTH_CLIENT_ID)
    for credentials in (
        {"client_id": OAUTH_CLIENT_ID},  # what a client that forgets the secret sends
        {"client_id": OAUTH_CLIENT_ID, "client_secret": "not-the-secret"},
    ):
        refused = refresh(anon, body["refresh_token"], **credentials)
        assert refused.status_code == 401
        assert refused.json() == BAD_CLIENT
        assert refused.headers["Cache-Control"] == "no-store"
    assert signed_in(anon, body["access_token"])  # the refusals rotated nothing

    renewed = refresh(
        anon, body["refresh_token"], client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET
    )
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["access_token"] != body["access_token"]
    basic = base64.b64encode(f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}".encode()).decode()
    again = anon.post(  # HTTP Basic authenticates the client as well
        "/oauth2/tokens",
        data={"grant_type": "refresh_token", "refresh_token": renewed.json()["refresh_token"]},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert again.status_code == 200, again.text


def test_a_confidential_client_needs_its_secret_to_revoke(anon: httpx.Client) -> None:
    body = tokens_for(anon, client_id=OAUTH_CLIENT_ID)
    for credentials in (
        {"client_id": OAUTH_CLIENT_ID},
        {"client_id": OAUTH_CLIENT_ID, "client_secret": "nope"},
    ):
        refused = anon.post("/oauth2/revoke", data={**credentials, "token": body["refresh_token"]})
        assert refused.status_code == 401
        assert refused.json() == BAD_CLIENT
    assert signed_in(anon, body["access_token"])  # nothing was revoked

    revoked = anon.post(
        "/oauth2/revoke",
        data={
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
            "token": body["refresh_token"],
        },
    )
    assert revoked.status_code == 200
    assert not signed_in(anon, body["access_token"])


def test_a_confidential_client_needs_its_secret_for_the_code(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = code_from(authorize(anon, challenge))
    missing = exchange(anon, code, verifier, client_secret="")
    assert missing.status_code == 400
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: client_secret",
    }
    assert exchange(anon, code, verifier).status_code == 200


def test_a_public_client_uses_pkce_without_a_secret(make_server) -> None:
    server = make_server(with_public_app(default_seed()))
    with api(server, None) as anon:
        body = tokens_for(anon, client_id=PUBLIC_CLIENT_ID, client_secret="")
        assert signed_in(anon, body["access_token"])

        renewed = refresh(anon, body["refresh_token"], client_id=PUBLIC_CLIENT_ID)
        assert renewed.status_code == 200, renewed.text
        rotated = renewed.json()
        assert signed_in(anon, rotated["access_token"]) and not signed_in(anon, body["access_token"])
        # a public client has no secret, so one sent for it cannot be right
        wrong = refresh(anon, rotated["refresh_token"], client_id=PUBLIC_CLIENT_ID, client_secret="made-up")
        assert wrong.status_code == 401 and wrong.json() == BAD_CLIENT

        revoked = anon.post(
            "/oauth2/revoke", data={"client_id": PUBLIC_CLIENT_ID, "token": rotated["refresh_token"]}
        )
        assert revoked.status_code == 200
        assert not signed_in(anon, rotated["access_token"])

        challenge = pkce()[1]  # PKCE stays required for it
        code = code_from(authorize(anon, challenge, client_id=PUBLIC_CLIENT_ID))
        no_verifier = exchange(anon, code, "", client_id=PUBLIC_CLIENT_ID, client_secret="")
        assert no_verifier.status_code == 400 and no_verifier.json()["error"] == "invalid_grant"


def gated_requests(client: httpx.Client) -> list[httpx.Response]:
    """Every OAuth2 route of the simulator, with the right and a wrong method."""
    return [
        client.get("/.well-known/oauth-authorization-server"),
        client.get("/oauth2/authorize", params={"client_id": OAUTH_CLIENT_ID}),
        client.post("/oauth2/authorize", data={"client_id": OAUTH_CLIENT_ID}),
        client.post(
            "/oauth2/tokens",
            data={"grant_type": "refresh_token", "refresh_token": "coder_a_b", "client_id": OAUTH_CLIENT_ID},
        ),
        client.post("/oauth2/revoke", data={"token": "x", "client_id": OAUTH_CLIENT_ID}),
        client.get("/oauth2/tokens"),
        client.delete("/oauth2/revoke"),
    ]


@pytest.mark.parametrize(
    "deployment",
    [
        {"oauth2_provider_enable": False},
        {"experiments": ["oauth2"], "oauth2_provider_enable": False},  # the old experiment does nothing
    ],
)
def test_the_provider_off_answers_route_not_found(make_server, deployment: dict[str, Any]) -> None:
    server = make_server(default_seed(**deployment))
    with api(server, None) as anon, api(server, "alice") as alice:
        for response in gated_requests(anon) + gated_requests(alice):
            assert response.status_code == 404, (response.request.method, response.request.url)
            assert response.json() == ROUTE_NOT_FOUND
            assert "location" not in response.headers


def test_the_provider_is_off_unless_the_seed_enables_it(make_server) -> None:
    seed = default_seed()
    del seed["deployment"]["oauth2_provider_enable"]
    server = make_server(seed)
    with api(server, None) as anon:
        assert anon.get("/.well-known/oauth-authorization-server").json() == ROUTE_NOT_FOUND


def test_turning_the_provider_off_and_on_keeps_the_grants(make_server) -> None:
    server = make_server()
    with api(server, None) as anon:
        body = tokens_for(anon, client_id=OAUTH_CLIENT_ID)
        server.set_oauth2_provider(False)
        off = refresh(
            anon, body["refresh_token"], client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET
        )
        assert off.status_code == 404 and off.json() == ROUTE_NOT_FOUND
        assert signed_in(anon, body["access_token"])  # issued tokens keep working
        server.set_oauth2_provider(True)
        on = refresh(
            anon, body["refresh_token"], client_id=OAUTH_CLIENT_ID, client_secret=OAUTH_CLIENT_SECRET
        )
        assert on.status_code == 200, on.text
