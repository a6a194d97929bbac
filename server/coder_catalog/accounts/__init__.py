"""Which Coder credential to use for which deployment.

A credential is always bound to the origin of the deployment it was resolved for, and the
Coder client refuses to send it anywhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coder_catalog.accounts.credentials import Credential, Secret, resolve_credential

__all__ = ["Credential", "Secret", "resolve_credential"]


def __getattr__(name: str) -> Any:
    """The names above, imported on first use: importing a light module of this package
    (``accounts.redact`` for ``serve``'s log handler) must not import the settings and the keyring
    (issue 18)."""
    if name in __all__:
        from coder_catalog.accounts import credentials

        return getattr(credentials, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
