"""The simulator's HTTP face: Coder's routes on an ``aiohttp.web`` application.

Handlers only translate HTTP to :class:`~coder_catalog.simulator.state.Deployment` calls and
render the answers; middlewares (outermost first) log every API request, inject faults,
apply the rate limit, and turn :class:`ApiError` / :class:`OAuthError` and unknown routes
into Coder's bodies. Every response carries ``X-Coder-Build-Version``. The admin routes
under ``/__simulator__/`` need no token and escape faults, rate limits and the request log.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from coder_catalog.simulator.bodies import decode_create_build, decode_create_workspace, decode_evaluate
from coder_catalog.simulator.data import SeedData, UserRecord, load_data
from coder_catalog.simulator.errors import (
    INTERNAL_ERROR,
    INVALID_JSON,
    NO_TOKEN_DETAIL,
    ROUTE_NOT_FOUND,
    ApiError,
    OAuthError,
    Validation,
    response_body,
    signed_out,
)
from coder_catalog.simulator.faults import ADMIN_PREFIX, DROPPED, FaultInjector, apply_faults
from coder_catalog.simulator.oauth import OAuthProvider
from coder_catalog.simulator.ratelimit import RateLimiter
from coder_catalog.simulator.render import Renderer
from coder_catalog.simulator.state import Clock, Deployment, utcnow

_log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UserHandler = Callable[[web.Request, UserRecord], Awaitable[web.StreamResponse]]


class RequestLog:
    """Every API request served (admin routes excluded), for tests that count requests."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []

    def add(self, request: web.Request, status: int | None) -> None:
        self._entries.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.rel_url.raw_query_string,
                "status": status,
            }
        )

    def entries(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self._entries]

    def clear(self) -> int:
        count = len(self._entries)
        self._entries.clear()
        return count


@dataclass
class Simulator:
    """Everything one running simulator holds; the app and SimulatorServer share it."""

    deployment: Deployment
    faults: FaultInjector = field(default_factory=FaultInjector)
    requests: RequestLog = field(default_factory=RequestLog)
    rate_limiter: RateLimiter = field(init=False)
    oauth: OAuthProvider = field(init=False)

    def __post_init__(self) -> None:
        self.rate_limiter = RateLimiter(self.deployment.settings.rate_limit_per_minute)
        self.oauth = OAuthProvider(self.deployment)

    @classmethod
    def from_data(
        cls, data: Path | str | Mapping[str, Any] | SeedData | None = None, clock: Clock = utcnow
    ) -> Simulator:
        seed = data if isinstance(data, SeedData) else load_data(data)
        return cls(Deployment(seed, clock))


SIMULATOR = web.AppKey("simulator", Simulator)


def _sim(request: web.Request) -> Simulator:
    return request.app[SIMULATOR]


def _is_admin(request: web.Request) -> bool:
    return request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/")


def session_token(request: web.Request) -> str | None:
    """``Coder-Session-Token`` header, else ``Authorization: Bearer``."""
    token = request.headers.get("Coder-Session-Token")
    if token:
        return token
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


# --------------------------------------------------------------------------- middlewares


@web.middleware
async def request_log_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_admin(request):
        return await handler(request)
    status: int | None = None  # stays None when the connection is dropped or the client gives up
    try:
        response = await handler(request)
        status = None if request.get(DROPPED) else response.status
        return response
    finally:
        _sim(request).requests.add(request, status)


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not _is_admin(request):
        injected = await apply_faults(request, _sim(request).faults)
        if injected is not None:
            return injected
    return await handler(request)


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _is_admin(request):
        return await handler(request)
    client = session_token(request) or request.remote or "unknown"
    decision = _sim(request).rate_limiter.hit(f"{client} {request.path}")
    if not decision.allowed:
        return web.json_response(response_body(decision.message), status=429, headers=decision.headers())
    response = await handler(request)
    if decision.limit > 0:
        response.headers.update(decision.headers())
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return web.json_response(exc.body(), status=exc.status, headers=exc.headers)
    except OAuthError as exc:
        return web.json_response(exc.body(), status=exc.status, headers={"Cache-Control": "no-store"})
    except web.HTTPNotFound:
        return web.json_response(response_body(ROUTE_NOT_FOUND), status=404)
    except web.HTTPMethodNotAllowed:
        if _oauth2_off(request):  # Coder does not mount these routes at all while the provider is off
            return web.json_response(response_body(ROUTE_NOT_FOUND), status=404)
        return web.json_response(response_body("Method not allowed."), status=405)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response(response_body(f"{exc.reason}."), status=exc.status)
    except Exception as exc:  # the simulator never crashes on a request: answer like Coder's recoverer
        _log.exception("internal error while serving %s %s", request.method, request.path)
        return web.json_response(response_body(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"), status=500)


async def _add_build_version(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Coder-Build-Version"] = _sim(request).deployment.settings.version


# --------------------------------------------------------------------------- helpers


def authenticated(handler: UserHandler) -> Handler:
    """Require a valid session token and pass the user it belongs to."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        user = _sim(request).deployment.authenticate(session_token(request))
        return await handler(request, user)

    return wrapper


async def read_json(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        raise ApiError(400, INVALID_JSON, "EOF")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ApiError(400, INVALID_JSON, str(exc) or type(exc).__name__) from None


def _renderer(request: web.Request) -> Renderer:
    return Renderer(_sim(request).deployment)


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _query_int(request: web.Request, name: str) -> int:
    raw = request.query.get(name, "")
    if raw == "":
        return 0
    value = int(raw) if re.fullmatch(r"\+?[0-9]{1,10}", raw) else -1  # Go's ParseInt, 32-bit, >= 0
    if value < 0 or value > 2**31 - 1:
        detail = f'Query param "{name}" must be a valid 32-bit positive integer: invalid value "{raw}"'
        raise ApiError(400, "Query parameters have invalid values.", validations=[Validation(name, detail)])
    return value


def _query_bool(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "")
    if raw in ("", "0", "f", "F", "false", "FALSE", "False"):
        return False
    if raw in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    raise ApiError(
        400,
        f'Invalid boolean value "{raw}" for "{name}" query param.',
        validations=[Validation("deleted", "Must be a valid boolean")],
    )


# --------------------------------------------------------------------------- API handlers


async def buildinfo(request: web.Request) -> web.StreamResponse:
    return ok(_renderer(request).buildinfo(_base_url(request)))


@authenticated
async def applications_host(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    """``GET /applications/host`` (``codersdk.AppHostResponse``): the wildcard host, "" when none."""
    return ok({"host": _sim(request).deployment.settings.wildcard_access_url})


@authenticated
async def get_user(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    user = _sim(request).deployment.user(request.match_info["user"], actor)
    return ok(_renderer(request).user(user))


@authenticated
async def list_organizations(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    orgs = _sim(request).deployment.visible_organizations(actor)
    return ok([Renderer.organization(o) for o in orgs])


@authenticated
async def get_organization(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    org = _sim(request).deployment.organization(request.match_info["organization"], actor)
    return ok(Renderer.organization(org))


@authenticated
async def list_templates(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    organization = request.match_info.get("organization")
    found = _sim(request).deployment.list_templates(actor, request.query.get("q", ""), organization)
    renderer = _renderer(request)
    return ok([renderer.template(t) for t in found])


@authenticated
async def get_template_by_name(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    info = request.match_info
    template = _sim(request).deployment.template_by_name(info["organization"], info["name"], actor)
    return ok(_renderer(request).template(template))


@authenticated
async def get_template(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    template = _sim(request).deployment.template(request.match_info["template"], actor)
    return ok(_renderer(request).template(template))


@authenticated
async def get_template_version(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    template, version = _sim(request).deployment.version(request.match_info["version"], actor)
    return ok(_renderer(request).template_version(template, version))


@authenticated
async def get_rich_parameters(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    records = _sim(request).deployment.rich_parameters(request.match_info["version"], actor)
    return ok([Renderer.parameter(r) for r in records])


@authenticated
async def get_presets(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    presets = _sim(request).deployment.presets(request.match_info["version"], actor)
    return ok([Renderer.preset(p) for p in presets])


@authenticated
async def evaluate_dynamic_parameters(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    deployment = _sim(request).deployment
    if not deployment.settings.dynamic_parameters:
        raise web.HTTPNotFound()
    body = decode_evaluate(await read_json(request))
    evaluated = deployment.evaluate_parameters(
        request.match_info["version"], actor, body.inputs, body.owner_id
    )
    return ok(_renderer(request).evaluation(body.id, evaluated))


@authenticated
async def list_workspaces(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    limit, offset = _query_int(request, "limit"), _query_int(request, "offset")
    found, count = _sim(request).deployment.search_workspaces(
        actor, request.query.get("q", ""), limit, offset
    )
    renderer = _renderer(request)
    return ok({"workspaces": [renderer.workspace(w) for w in found], "count": count})


@authenticated
async def get_workspace(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    include_deleted = _query_bool(request, "include_deleted")
    workspace = _sim(request).deployment.workspace(request.match_info["workspace"], actor, include_deleted)
    return ok(_renderer(request).workspace(workspace))


@authenticated
async def get_workspace_by_name(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    info = request.match_info
    workspace = _sim(request).deployment.workspace_by_name(info["user"], info["name"], actor)
    return ok(_renderer(request).workspace(workspace))


@authenticated
async def create_workspace(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    body = decode_create_workspace(await read_json(request))
    workspace = _sim(request).deployment.create_workspace(actor, request.match_info["user"], body)
    return ok(_renderer(request).workspace(workspace), status=201)


@authenticated
async def list_builds(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    workspace, builds = _sim(request).deployment.builds(request.match_info["workspace"], actor)
    renderer = _renderer(request)
    return ok([renderer.build(workspace, b) for b in builds])


@authenticated
async def get_build_parameters(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    """``GET /workspacebuilds/{id}/parameters``: the values Coder stored for the build."""
    _, build = _sim(request).deployment.build(request.match_info["build"], actor)
    return ok([{"name": name, "value": value} for name, value in build.parameters])


@authenticated
async def create_build(request: web.Request, actor: UserRecord) -> web.StreamResponse:
    deployment = _sim(request).deployment
    body = decode_create_build(await read_json(request))
    build = deployment.create_build(actor, request.match_info["workspace"], body)
    workspace = deployment.workspaces[build.workspace_id]
    return ok(_renderer(request).build(workspace, build), status=201)


# --------------------------------------------------------------------------- OAuth2


OAUTH2_PATHS = frozenset(
    {"/.well-known/oauth-authorization-server", "/oauth2/authorize", "/oauth2/tokens", "/oauth2/revoke"}
)


def _oauth2_off(request: web.Request) -> bool:
    """A path of the OAuth2 provider while it is off."""
    return request.path in OAUTH2_PATHS and not _sim(request).deployment.settings.oauth2_provider_enabled


def _require_oauth2(request: web.Request) -> OAuthProvider:
    """The provider; while it is off (``CODER_OAUTH2_PROVIDER_ENABLE`` unset, Coder's default) every
    OAuth2 route answers like a path Coder does not serve: 404 ``{"message": "Route not found."}``."""
    simulator = _sim(request)
    if not simulator.deployment.settings.oauth2_provider_enabled:
        raise ApiError(404, ROUTE_NOT_FOUND)
    return simulator.oauth


async def oauth_metadata(request: web.Request) -> web.StreamResponse:
    return ok(_require_oauth2(request).metadata(_base_url(request)))


async def oauth_authorize(request: web.Request) -> web.StreamResponse:
    provider = _require_oauth2(request)
    params: dict[str, str] = dict(request.query)
    if request.method == "POST":
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    token = session_token(request) or request.cookies.get("coder_session_token")
    user = provider.deployment.authenticate(token) if token else provider.auto_approve_user()
    if user is None:
        raise signed_out(NO_TOKEN_DETAIL)
    location = provider.authorize(params, user)
    return web.Response(status=302, headers={"Location": location})


async def oauth_tokens(request: web.Request) -> web.StreamResponse:
    provider = _require_oauth2(request)
    form = await _form(request)
    answer = provider.token(form, _basic_credentials(request))
    return web.json_response(answer, headers={"Cache-Control": "no-store"})


async def oauth_revoke(request: web.Request) -> web.StreamResponse:
    provider = _require_oauth2(request)
    provider.revoke(await _form(request), _basic_credentials(request))
    return web.Response(status=200)


async def _form(request: web.Request) -> dict[str, str]:
    posted = await request.post()
    return {k: v for k, v in posted.items() if isinstance(v, str)}


def _basic_credentials(request: web.Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(400, "invalid_request", "Malformed HTTP Basic credentials") from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


# --------------------------------------------------------------------------- admin


async def admin_add_fault(request: web.Request) -> web.StreamResponse:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid fault.", "the body must be a JSON object")
    unknown = set(body) - {"kind", "seconds", "status", "count", "path_prefix", "query_contains"}
    if unknown:
        raise ApiError(400, "Invalid fault.", f"unknown fields: {', '.join(sorted(unknown))}")
    try:
        fault = _sim(request).faults.add(**body)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, "Invalid fault.", str(exc)) from None
    return ok({"fault": fault.to_dict()}, status=201)


async def admin_list_faults(request: web.Request) -> web.StreamResponse:
    return ok({"faults": [f.to_dict() for f in _sim(request).faults.active()]})


async def admin_clear_faults(request: web.Request) -> web.StreamResponse:
    return ok({"cleared": _sim(request).faults.clear()})


async def admin_list_requests(request: web.Request) -> web.StreamResponse:
    return ok({"requests": _sim(request).requests.entries()})


async def admin_clear_requests(request: web.Request) -> web.StreamResponse:
    return ok({"cleared": _sim(request).requests.clear()})


_TEMPLATE_SWITCHES = {"deprecated": bool, "deprecation_message": str, "importing": bool}


async def admin_patch_template(request: web.Request) -> web.StreamResponse:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid template change.", "the body must be a JSON object")
    for key, value in body.items():
        expected = _TEMPLATE_SWITCHES.get(key)
        if expected is None or not isinstance(value, expected):
            allowed = ", ".join(f"{k} ({t.__name__})" for k, t in _TEMPLATE_SWITCHES.items())
            raise ApiError(400, "Invalid template change.", f"{key!r}: allowed fields are {allowed}")
    template = _sim(request).deployment.patch_template(request.match_info["name"], body)
    return ok({"template": _renderer(request).template(template)})


async def admin_revoke_tokens(request: web.Request) -> web.StreamResponse:
    username = request.match_info["username"]
    token = _sim(request).deployment.revoke_user_tokens(username)
    return ok({"username": username, "token": token})


# --------------------------------------------------------------------------- the app


def _api_routes() -> list[web.RouteDef]:
    api = "/api/v2"
    return [
        web.get(f"{api}/buildinfo", buildinfo),
        web.get(f"{api}/applications/host", applications_host),
        web.get(f"{api}/users/{{user}}", get_user),
        web.get(f"{api}/users/{{user}}/workspace/{{name}}", get_workspace_by_name),
        web.post(f"{api}/users/{{user}}/workspaces", create_workspace),
        web.get(f"{api}/organizations", list_organizations),
        web.get(f"{api}/organizations/{{organization}}", get_organization),
        web.get(f"{api}/organizations/{{organization}}/templates", list_templates),
        web.get(f"{api}/organizations/{{organization}}/templates/{{name}}", get_template_by_name),
        web.get(f"{api}/templates", list_templates),
        web.get(f"{api}/templates/{{template}}", get_template),
        web.get(f"{api}/templateversions/{{version}}", get_template_version),
        web.get(f"{api}/templateversions/{{version}}/rich-parameters", get_rich_parameters),
        web.get(f"{api}/templateversions/{{version}}/presets", get_presets),
        web.post(
            f"{api}/templateversions/{{version}}/dynamic-parameters/evaluate", evaluate_dynamic_parameters
        ),
        web.get(f"{api}/workspaces", list_workspaces),
        web.get(f"{api}/workspaces/{{workspace}}", get_workspace),
        web.get(f"{api}/workspaces/{{workspace}}/builds", list_builds),
        web.post(f"{api}/workspaces/{{workspace}}/builds", create_build),
        web.get(f"{api}/workspacebuilds/{{build}}/parameters", get_build_parameters),
    ]


def _oauth_routes() -> list[web.RouteDef]:
    return [
        web.get("/.well-known/oauth-authorization-server", oauth_metadata),
        web.get("/oauth2/authorize", oauth_authorize),
        web.post("/oauth2/authorize", oauth_authorize),
        web.post("/oauth2/tokens", oauth_tokens),
        web.post("/oauth2/revoke", oauth_revoke),
    ]


def _admin_routes() -> list[web.RouteDef]:
    admin = ADMIN_PREFIX
    return [
        web.get(f"{admin}/faults", admin_list_faults),
        web.post(f"{admin}/faults", admin_add_fault),
        web.delete(f"{admin}/faults", admin_clear_faults),
        web.get(f"{admin}/requests", admin_list_requests),
        web.delete(f"{admin}/requests", admin_clear_requests),
        web.patch(f"{admin}/templates/{{name}}", admin_patch_template),
        web.post(f"{admin}/users/{{username}}/revoke-tokens", admin_revoke_tokens),
    ]


def make_app(simulator: Simulator) -> web.Application:
    app = web.Application(
        middlewares=[request_log_middleware, fault_middleware, rate_limit_middleware, error_middleware]
    )
    app[SIMULATOR] = simulator
    app.add_routes(_api_routes() + _oauth_routes() + _admin_routes())
    app.on_response_prepare.append(_add_build_version)
    return app
