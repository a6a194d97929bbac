"""TLS over real loopback HTTPS: an untrusted certificate is a TLSFailure; a CA bundle makes it work."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import TLSFailure


@pytest.fixture
async def https_deployment(tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))

    async def buildinfo(request: web.Request) -> web.Response:
        return web.json_response({"version": "v2.99.0-tls"})

    app = web.Application()
    app.router.add_get("/api/v2/buildinfo", buildinfo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}", str(bundle)
    finally:
        await runner.cleanup()


async def test_untrusted_certificate_is_a_tls_failure(https_deployment: tuple[str, str]) -> None:
    url, _ = https_deployment
    async with CoderClient(url) as client:
        with pytest.raises(TLSFailure) as info:
            await client.buildinfo()
    assert "CA bundle" in str(info.value)


async def test_a_custom_ca_bundle_is_trusted(https_deployment: tuple[str, str]) -> None:
    url, bundle = https_deployment
    async with CoderClient(url, ca_bundle=bundle) as client:
        assert (await client.buildinfo()).version == "v2.99.0-tls"


def test_an_unreadable_ca_bundle_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TLSFailure, match="cannot read the CA bundle"):
        CoderClient("https://127.0.0.1:1", ca_bundle=str(tmp_path / "missing.pem"))
