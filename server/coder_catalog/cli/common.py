"""What several subcommands share: settings from flags, the deployment, the template source."""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

    from coder_catalog.coder.client import CoderClient
    from coder_catalog.settings import Settings
    from coder_catalog.templates.model import TemplateCatalog

# The Coder client, the accounts and the settings are imported by the functions that use them: every
# subcommand imports this module to build its parser, and `--version` or `lint --offline` do without
# httpx, asyncio or the keyring (issue 18).

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

T = TypeVar("T")


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class TemplateSource(Protocol):
    @property
    def description(self) -> str: ...

    async def catalog(self) -> TemplateCatalog: ...

    async def full_catalog(self, *, presets: bool = True) -> TemplateCatalog: ...


def add_deployment_flags(parser: argparse.ArgumentParser, *, snapshot: bool = True) -> None:
    group = parser.add_argument_group("deployment")
    group.add_argument("--url", metavar="URL", help="Coder deployment URL (overrides every other source)")
    group.add_argument(
        "--ca-bundle", metavar="PEM", help="CA bundle to verify the deployment's TLS certificate"
    )
    if snapshot:
        group.add_argument(
            "--templates",
            metavar="SNAPSHOT",
            help="read templates from this snapshot instead of the deployment",
        )


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of the workspace commands (``workspaces``, ``open``, ``create``, ``start``, ``stop``)."""
    add_deployment_flags(parser, snapshot=False)


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the deployment flags override, in the project file's shape."""
    overrides: dict[str, Any] = {}
    if getattr(args, "url", None):
        overrides["deployment"] = {"accessUrl": args.url}
    if getattr(args, "ca_bundle", None):
        overrides["tls"] = {"caBundle": os.path.abspath(args.ca_bundle)}
    if getattr(args, "templates", None):
        overrides["templates"] = os.path.abspath(args.templates)
    return overrides


def settings_from_args(args: argparse.Namespace, path: str | None = None) -> Settings:
    from coder_catalog.settings import SettingsError, resolve_settings

    try:
        return resolve_settings(path, overrides=overrides_from_args(args))
    except SettingsError as exc:
        raise CommandError(str(exc)) from None


def open_client(settings: Settings) -> CoderClient:
    from coder_catalog.accounts.oauth import current_credential
    from coder_catalog.coder.client import CoderClient
    from coder_catalog.coder.errors import CoderError, InsecureDeploymentURL

    if not settings.access_url:
        raise CommandError(
            "no Coder deployment is configured: pass --url, set CODER_URL, or set deployment.accessUrl "
            "in .coder-catalog.yaml (see docs/configuration.md)"
        )
    try:
        return CoderClient(
            settings.access_url,
            current_credential(
                settings.access_url, settings_oauth=settings.oauth, ca_bundle=settings.ca_bundle
            ),
            ca_bundle=settings.ca_bundle,
        )
    except InsecureDeploymentURL as exc:
        raise CommandError(str(exc)) from None
    except CoderError as exc:
        raise CommandError(str(exc)) from None


def template_source(settings: Settings, client: CoderClient | None) -> TemplateSource:
    from coder_catalog.coder.cache import TemplateCache
    from coder_catalog.templates.snapshot import SnapshotTemplates

    if settings.templates_snapshot:
        return SnapshotTemplates(settings.templates_snapshot)
    if client is None:
        raise CommandError("no template snapshot and no deployment")
    return TemplateCache(client)


async def run_coder(
    call: Callable[[], Awaitable[T]], cleanup: AbstractAsyncContextManager[Any] | None = None
) -> T:
    """Run a Coder call, turning its failures into command errors with the right exit code."""
    from coder_catalog.coder.errors import CoderError, CoderUnreachable
    from coder_catalog.templates.snapshot import SnapshotError

    try:
        if cleanup is not None:
            async with cleanup:
                return await call()
        return await call()
    except CoderUnreachable as exc:
        raise CommandError(str(exc), EXIT_UNREACHABLE) from None
    except CoderError as exc:
        raise CommandError(str(exc), EXIT_FAILED) from None
    except SnapshotError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def display_path(path: str | Path) -> str:
    """Relative to the current folder when below it, else as given."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
