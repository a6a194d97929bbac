"""The async Coder API client (httpx).

- The session token goes only to the origin of the deployment it was resolved for:
  redirects are never followed and every request's origin is checked before the header
  is added. ``http://`` is refused except for loopback addresses.
- Every failure becomes a :class:`~coder_catalog.coder.errors.CoderError` subclass.
- GETs (and other calls marked safe) are retried on 429 (honouring ``Retry-After``),
  502/503/504 and dropped or refused connections, with exponential backoff, bounded in
  count and in total time. Every call has a timeout. Concurrency is bounded.
- Standard proxy variables (``HTTPS_PROXY``, ``NO_PROXY``...) and ``SSL_CERT_FILE`` work
  as in httpx; ``ca_bundle`` adds a custom CA bundle. TLS is always verified.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import random
import ssl
import time
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from coder_catalog import __version__
from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.agents import WorkspaceAgent, agents_of
from coder_catalog.coder.errors import (
    CoderError,
    CoderHTTPError,
    CoderTimeout,
    ConnectionDropped,
    ConnectionRefused,
    FieldError,
    InsecureDeploymentURL,
    NotFound,
    RateLimited,
    TLSFailure,
    UnexpectedResponse,
    error_class_for,
)
from coder_catalog.coder.models import (
    BuildInfo,
    DynamicEvaluation,
    Organization,
    User,
    Workspace,
    WorkspaceBuild,
)
from coder_catalog.settings.model import origin_of
from coder_catalog.templates.model import Preset, Template, TemplateParameter

if TYPE_CHECKING:
    import httpx

# httpx is imported when a client is made (or a request sent), not with this module: the language
# server answers `initialize` and the CLI builds its parser without it (issue 18).

API = "/api/v2"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
TOKEN_HEADER = "Coder-Session-Token"


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_deployment_url(url: str) -> str:
    """The URL without a trailing slash; raises InsecureDeploymentURL when it may not be used."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureDeploymentURL(f"{url!r} is not an http(s) URL of a Coder deployment")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureDeploymentURL(
            f"refusing plain http:// for {parts.hostname}: a session token would travel unencrypted; "
            "use https:// (http:// is allowed only for loopback addresses)"
        )
    if parts.username or parts.password:
        raise InsecureDeploymentURL("the deployment URL must not contain a user name or password")
    return url.strip().rstrip("/")


@functools.cache
def _session_token_auth() -> Callable[[Credential], httpx.Auth]:
    """The httpx.Auth class below, made on first use (httpx is imported then)."""
    import httpx

    class _SessionTokenAuth(httpx.Auth):
        """Adds the token header, only for requests to the credential's own origin."""

        def __init__(self, credential: Credential) -> None:
            self._credential = credential

        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
            if origin_of(str(request.url)) == self._credential.origin:
                request.headers[TOKEN_HEADER] = self._credential.token.reveal()
            yield request

    return _SessionTokenAuth


def create_workspace_request(
    name: str,
    parameters: Mapping[str, str],
    *,
    template_id: str | None = None,
    template_version_id: str | None = None,
    user: str = "me",
    preset_id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The path and JSON body of ``POST /users/{user}/workspaces`` (what ``create --print`` shows)."""
    if (template_id is None) == (template_version_id is None):
        raise ValueError("give exactly one of template_id and template_version_id")
    body: dict[str, Any] = {"name": name}
    if template_id is not None:
        body["template_id"] = template_id
    else:
        body["template_version_id"] = template_version_id
    if preset_id is not None:
        body["template_version_preset_id"] = preset_id
    body["rich_parameter_values"] = [{"name": k, "value": v} for k, v in parameters.items()]
    return f"{API}/users/{_seg(user)}/workspaces", body


class CoderClient:
    """One deployment, one optional credential, one connection pool."""

    def __init__(
        self,
        url: str,
        credential: Credential | None = None,
        *,
        ca_bundle: str | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_retries: int = 3,
        retry_budget: float = 20.0,
        backoff: float = 0.25,
        max_concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = check_deployment_url(url)
        self.origin = origin_of(self.url)
        if credential is not None and credential.origin != self.origin:
            # Never offer a token to a deployment it was not resolved for.
            raise InsecureDeploymentURL(
                f"the credential belongs to {credential.origin}, not to {self.origin}; it will not be sent"
            )
        self.credential = credential
        self.max_retries = max_retries
        self.retry_budget = retry_budget
        self.backoff = backoff
        self._semaphore = asyncio.Semaphore(max_concurrency)
        verify: ssl.SSLContext | bool = True
        if ca_bundle:
            try:
                verify = ssl.create_default_context(cafile=ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise TLSFailure(f"cannot read the CA bundle {ca_bundle}: {exc.__class__.__name__}") from None
        import httpx

        self._http = httpx.AsyncClient(
            base_url=self.url,
            auth=_session_token_auth()(credential) if credential else None,
            headers={"Accept": "application/json", "User-Agent": f"coder-catalog/{__version__}"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,
            verify=verify,
            transport=transport,
        )

    # -- lifecycle -----------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> CoderClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"CoderClient({self.url!r}, credential={'yes' if self.credential else 'no'})"

    # -- the endpoints ---------------------------------------------------------------------------

    async def buildinfo(self) -> BuildInfo:
        return BuildInfo.from_api(await self._get_object(f"{API}/buildinfo"))

    async def me(self) -> User:
        return User.from_api(await self._get_object(f"{API}/users/me"))

    async def organizations(self) -> list[Organization]:
        return [Organization.from_api(o) for o in await self._get_list(f"{API}/organizations")]

    async def templates(
        self, *, deprecated: bool | None = None, organization: str | None = None
    ) -> list[Template]:
        """Templates of the deployment (or one organization), in one request. Coder lists
        deprecated templates with the others unless ``q`` says ``deprecated:false`` (none of them)
        or ``deprecated:true`` (only them): ``deprecated`` None asks for no filter."""
        path = f"{API}/organizations/{_seg(organization)}/templates" if organization else f"{API}/templates"
        params = None if deprecated is None else {"q": f"deprecated:{str(deprecated).lower()}"}
        return [Template.from_api(t) for t in await self._get_list(path, params=params)]

    async def all_templates(self, organization: str | None = None) -> list[Template]:
        """Every template, deprecated ones included: one request."""
        return await self.templates(organization=organization)

    async def template_by_name(self, name: str, organization: str = "default") -> Template:
        data = await self._get_object(f"{API}/organizations/{_seg(organization)}/templates/{_seg(name)}")
        return Template.from_api(data)

    async def rich_parameters(self, template_version_id: str) -> list[TemplateParameter]:
        path = f"{API}/templateversions/{_seg(template_version_id)}/rich-parameters"
        return [TemplateParameter.from_api(p) for p in await self._get_list(path)]

    async def presets(self, template_version_id: str) -> list[Preset]:
        path = f"{API}/templateversions/{_seg(template_version_id)}/presets"
        return [Preset.from_api(p) for p in await self._get_list(path)]

    async def evaluate_dynamic_parameters(
        self, template_version_id: str, inputs: Mapping[str, str], owner_id: str
    ) -> DynamicEvaluation | None:
        """Coder's own verdict on these inputs; None when the server has no such endpoint (404/405)."""
        path = f"{API}/templateversions/{_seg(template_version_id)}/dynamic-parameters/evaluate"
        body = {"id": 1, "inputs": dict(inputs), "owner_id": owner_id}
        try:
            data = await self._request("POST", path, json_body=body, safe=True)
        except CoderHTTPError as exc:
            if exc.status in (404, 405) and not isinstance(exc, UnexpectedResponse):
                return None
            raise
        return DynamicEvaluation.from_api(_expect_object(data, self._describe("POST", path)))

    async def workspaces(
        self, query: str = "", *, limit: int = 0, offset: int = 0
    ) -> tuple[list[Workspace], int]:
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if query:
            params["q"] = query
        data = await self._get_object(f"{API}/workspaces", params=params)
        items = data.get("workspaces")
        count = data.get("count")
        workspaces = (
            [Workspace.from_api(w) for w in items if isinstance(w, Mapping)]
            if isinstance(items, list)
            else []
        )
        return workspaces, count if isinstance(count, int) else len(workspaces)

    async def workspace_by_name(self, owner: str, name: str) -> Workspace:
        return Workspace.from_api(await self._get_object(f"{API}/users/{_seg(owner)}/workspace/{_seg(name)}"))

    async def create_workspace(
        self,
        name: str,
        parameters: Mapping[str, str],
        *,
        template_id: str | None = None,
        template_version_id: str | None = None,
        user: str = "me",
        preset_id: str | None = None,
    ) -> Workspace:
        path, body = create_workspace_request(
            name,
            parameters,
            template_id=template_id,
            template_version_id=template_version_id,
            user=user,
            preset_id=preset_id,
        )
        data = await self._request("POST", path, json_body=body)
        return Workspace.from_api(_expect_object(data, self._describe("POST", path)))

    async def workspace_build(self, workspace_id: str, transition: str) -> WorkspaceBuild:
        if transition not in ("start", "stop", "delete"):
            raise ValueError(f"unknown transition {transition!r}")
        path = f"{API}/workspaces/{_seg(workspace_id)}/builds"
        data = await self._request("POST", path, json_body={"transition": transition})
        return WorkspaceBuild.from_api(_expect_object(data, self._describe("POST", path)))

    async def workspace(self, workspace_id: str, *, include_deleted: bool = False) -> Workspace:
        """``GET /workspaces/{id}`` (``include_deleted``: also a deleted one, to follow a delete build)."""
        params = {"include_deleted": "true"} if include_deleted else None
        return Workspace.from_api(await self._get_object(f"{API}/workspaces/{_seg(workspace_id)}", params))

    async def build_parameters(self, build_id: str) -> dict[str, str]:
        """``GET /workspacebuilds/{id}/parameters``: the values Coder stored for a build."""
        path = f"{API}/workspacebuilds/{_seg(build_id)}/parameters"
        return {str(p.get("name", "")): str(p.get("value", "")) for p in await self._get_list(path)}

    async def update_workspace(
        self, workspace_id: str, template_version_id: str, parameters: Mapping[str, str]
    ) -> WorkspaceBuild:
        """A start build on ``template_version_id`` (Coder's "Update"), with the values given."""
        path = f"{API}/workspaces/{_seg(workspace_id)}/builds"
        body = {
            "transition": "start",
            "template_version_id": template_version_id,
            "rich_parameter_values": [{"name": k, "value": v} for k, v in parameters.items()],
        }
        data = await self._request("POST", path, json_body=body)
        return WorkspaceBuild.from_api(_expect_object(data, self._describe("POST", path)))

    async def workspace_with_agents(
        self, owner: str, name: str
    ) -> tuple[Workspace, tuple[WorkspaceAgent, ...]]:
        """The workspace and the agents (with their apps) of its latest build."""
        data = await self._get_object(f"{API}/users/{_seg(owner)}/workspace/{_seg(name)}")
        return Workspace.from_api(data), agents_of(data)

    async def app_host(self) -> str:
        """The wildcard host subdomain apps live under (``*.apps.example.com``); "" when none."""
        data = await self._get_object(f"{API}/applications/host")
        host = data.get("host")
        return host if isinstance(host, str) else ""

    async def start_workspace(self, workspace_id: str) -> WorkspaceBuild:
        return await self.workspace_build(workspace_id, "start")

    async def stop_workspace(self, workspace_id: str) -> WorkspaceBuild:
        return await self.workspace_build(workspace_id, "stop")

    # -- plumbing --------------------------------------------------------------------------------

    async def _get_object(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return _expect_object(await self._request("GET", path, params=params), self._describe("GET", path))

    async def _get_list(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        data = await self._request("GET", path, params=params)
        if not isinstance(data, list):
            raise UnexpectedResponse(
                200,
                "expected a JSON array from Coder",
                deployment=self.url,
                request=self._describe("GET", path),
            )
        return [item for item in data if isinstance(item, dict)]

    def _describe(self, method: str, path: str) -> str:
        return f"{method} {path}"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        safe: bool | None = None,
    ) -> Any:
        retry = (method == "GET") if safe is None else safe
        attempts = self.max_retries + 1 if retry else 1
        deadline = time.monotonic() + self.retry_budget
        described = self._describe(method, path)
        for attempt in range(attempts):
            try:
                async with self._slot():
                    response = await self._http.request(method, path, params=params, json=json_body)
                return self._parse(response, described)
            except (RateLimited, CoderHTTPError, ConnectionDropped, ConnectionRefused) as exc:
                status = getattr(exc, "status", None)
                retryable = status in RETRY_STATUSES if status is not None else True
                if not retryable or attempt + 1 >= attempts:
                    raise
                delay = self._delay(attempt, exc)
                if time.monotonic() + delay > deadline:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, exc: CoderError) -> float:
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return max(0.0, exc.retry_after)
        return self.backoff * (2**attempt) * (0.75 + random.random() / 2)

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        import httpx

        async with self._semaphore:
            try:
                yield
            except httpx.TimeoutException:
                raise CoderTimeout("Coder did not answer in time", deployment=self.url) from None
            except httpx.ConnectError as exc:
                raise self._connect_failure(exc) from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                raise ConnectionDropped(
                    "the connection to Coder closed before an answer arrived", deployment=self.url
                ) from None
            except httpx.ProxyError:
                raise ConnectionRefused(
                    "the HTTP proxy refused the connection", deployment=self.url
                ) from None
            except httpx.HTTPError as exc:
                raise CoderError(f"HTTP failure: {exc.__class__.__name__}", deployment=self.url) from None

    def _connect_failure(self, exc: httpx.ConnectError) -> CoderError:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                return TLSFailure(
                    f"the TLS certificate of {self.origin} could not be verified ({cause.verify_message}); "
                    "set a CA bundle if the deployment uses a private CA",
                    deployment=self.url,
                )
            if isinstance(cause, ssl.SSLError):
                return TLSFailure(
                    f"TLS handshake with {self.origin} failed ({cause.reason})", deployment=self.url
                )
            cause = cause.__cause__ or cause.__context__
        if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in str(exc):
            return TLSFailure(f"TLS handshake with {self.origin} failed", deployment=self.url)
        return ConnectionRefused(f"cannot connect to {self.origin}", deployment=self.url)

    def _parse(self, response: httpx.Response, described: str) -> Any:
        status = response.status_code
        body: Any = None
        is_json = "json" in response.headers.get("content-type", "")
        if response.content:
            try:
                body = json.loads(response.content)
            except (ValueError, RecursionError):
                body = None
                is_json = False
        if 200 <= status < 300:
            if body is None and response.content:
                raise UnexpectedResponse(
                    status,
                    f"Coder answered {status} with a body that is not JSON",
                    deployment=self.url,
                    request=described,
                )
            return body
        if 300 <= status < 400:
            raise UnexpectedResponse(
                status,
                f"unexpected redirect ({status}); redirects are not followed so the token stays put",
                deployment=self.url,
                request=described,
            )
        if not is_json or not isinstance(body, dict):
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise UnexpectedResponse(
                status,
                f"HTTP {status} with a {kind} body instead of Coder's JSON (a proxy or load balancer "
                "in front of Coder may be failing)",
                deployment=self.url,
                request=described,
            )
        raw_message, raw_detail = body.get("message"), body.get("detail")
        message = raw_message if isinstance(raw_message, str) and raw_message else f"HTTP {status}"
        detail = raw_detail if isinstance(raw_detail, str) else ""
        validations = [
            FieldError(str(v.get("field", "")), str(v.get("detail", "")))
            for v in body.get("validations") or []
            if isinstance(v, dict)
        ]
        cls = error_class_for(status)
        kwargs: dict[str, Any] = {
            "detail": detail,
            "validations": validations,
            "deployment": self.url,
            "request": described,
        }
        if cls is RateLimited:
            kwargs["retry_after"] = _retry_after(response.headers.get("retry-after"))
        raise cls(status, message, **kwargs)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _expect_object(data: Any, described: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise UnexpectedResponse(200, "expected a JSON object from Coder", request=described)
    return data


def _seg(value: str) -> str:
    """One URL path segment, escaped (template names and usernames are user input)."""
    return quote(value, safe="")


__all__ = ["CoderClient", "NotFound", "Secret", "check_deployment_url", "is_loopback_host"]
