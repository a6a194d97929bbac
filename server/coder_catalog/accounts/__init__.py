"""Which Coder credential to use for which deployment.

A credential is always bound to the origin of the deployment it was resolved for, and the
Coder client refuses to send it anywhere else.
"""

from coder_catalog.accounts.credentials import Credential, Secret, resolve_credential

__all__ = ["Credential", "Secret", "resolve_credential"]
