"""Client behaviour that needs exact control of the answers: httpx's MockTransport.

The same behaviours are exercised over real HTTP against the simulator in test_client_http.py.
"""

from __future__ import annotations

import httpx
import pytest

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.client import CoderClient, check_deployment_url
from coder_catalog.coder.errors import (
    CoderError,
    InsecureDeploymentURL,
    NotFound,
    UnexpectedResponse,
)

PLANTED = "AbCdEf0123-PLANTEDtokenPLANTEDtok22"


def credential(url: str = "https://coder.example.com") -> Credential:
    return Credential("https://coder.example.com" if "example.com" in url else url, Secret(PLANTED), "test")


@pytest.mark.parametrize(
    "url",
    [
        "http://coder.example.com",
        "ftp://coder.example.com",
        "coder.example.com",
        "https://u:p@coder.example.com",
    ],
)
def test_insecure_or_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(InsecureDeploymentURL) as info:
        check_deployment_url(url)
    assert "p@" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3000", "http://localhost:8080/", "http://[::1]:9", "https://x.io"]
)
def test_loopback_http_and_https_are_allowed(url: str) -> None:
    assert check_deployment_url(url) == url.rstrip("/")


def test_a_credential_for_another_deployment_is_refused() -> None:
    with pytest.raises(InsecureDeploymentURL):
        CoderClient("https://other.example.org", credential())


async def test_token_goes_only_to_its_own_origin() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"version": "v2"})

    async with CoderClient(
        "https://coder.example.com", credential(), transport=httpx.MockTransport(handler)
    ) as client:
        await client.buildinfo()
        # A request to another origin through the same connection pool carries no token.
        await client._http.get("https://evil.example.net/api/v2/buildinfo")
    assert seen[0].headers["Coder-Session-Token"] == PLANTED
    assert "Coder-Session-Token" not in seen[1].headers
    assert "authorization" not in {k.lower() for k in seen[1].headers}


async def test_redirects_are_not_followed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://evil.example.net/steal"})

    async with CoderClient(
        "https://coder.example.com", credential(), transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(UnexpectedResponse) as info:
            await client.me()
    assert seen == ["https://coder.example.com/api/v2/users/me"]
    assert "redirect" in str(info.value)


@pytest.mark.parametrize(
    ("status", "content", "content_type"),
    [
        (200, b"<html>hello</html>", "text/html"),
        (200, b"{not json", "application/json"),
        (200, b"[]", "application/json"),  # an array where an object is expected
        (404, b"Not Found", "text/plain"),
        (500, b"\xff\xfe\x00", "application/json"),
    ],
)
async def test_malformed_answers_become_typed_errors(status: int, content: bytes, content_type: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"Content-Type": content_type})

    async with CoderClient(
        "https://coder.example.com", credential(), transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(CoderError) as info:
            await client.me()
    assert PLANTED not in str(info.value)
    assert PLANTED not in repr(info.value)


async def test_error_body_fields_are_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404,
            json={"message": "Resource not found or you do not have access to this resource", "detail": "x"},
        )

    async with CoderClient("https://coder.example.com", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(NotFound) as info:
            await client.template_by_name("a/b c")
    assert info.value.status == 404
    assert info.value.detail == "x"
    assert "not found" in str(info.value)
    assert info.value.request == "GET /api/v2/organizations/default/templates/a%2Fb%20c"


async def test_dynamic_parameters_unsupported_is_none() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(405, json={"message": "Method not allowed"})

    async with CoderClient("https://coder.example.com", transport=httpx.MockTransport(handler)) as client:
        assert await client.evaluate_dynamic_parameters("v1", {"a": "b"}, "u1") is None


def test_secret_never_shows_itself() -> None:
    secret = Secret(PLANTED)
    assert PLANTED not in repr(secret)
    assert PLANTED not in str(secret)
    assert PLANTED not in f"{secret}"
    assert PLANTED not in repr(Credential("https://x", secret, "test"))
    assert secret.reveal() == PLANTED
