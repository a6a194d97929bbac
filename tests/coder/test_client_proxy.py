"""The standard proxy variables are honoured: requests go through HTTP_PROXY unless NO_PROXY says otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from coder_catalog.coder.client import CoderClient


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[str, list[str]]]:
    seen: list[str] = []

    async def forward(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"version": "via-proxy"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


async def test_http_proxy_is_used(proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, seen = proxy
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", url)
    async with CoderClient("http://127.0.0.2:9") as client:
        assert (await client.buildinfo()).version == "via-proxy"
    assert seen and "127.0.0.2:9/api/v2/buildinfo" in seen[0]


async def test_no_proxy_bypasses_it(proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.setenv("NO_PROXY", url.removeprefix("http://"))
    async with CoderClient(url) as client:  # the "deployment" is the proxy itself, reached directly
        assert (await client.buildinfo()).version == "via-proxy"
    assert seen == [f"{url}/api/v2/buildinfo"]
