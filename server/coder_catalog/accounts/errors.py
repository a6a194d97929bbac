"""Why linking an account failed, in words the user can act on.

Every message is built from the deployment's origin, store names and Coder's own error texts;
never from a token, a refresh token, an authorization code or a client secret.
"""

from __future__ import annotations


class AccountError(Exception):
    """Linking, signing in or out failed; ``str()`` is a whole sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedToken(AccountError):
    """The text is not shaped like a Coder session token; nothing was sent anywhere."""


class TokenRejected(AccountError):
    """The deployment answered 401 to ``users/me`` with this token."""


class NoKeyring(AccountError):
    """No OS keyring is available and the user did not opt in to the file store."""


class StoreFailed(AccountError):
    """The keyring or the credentials file could not be read or written."""


class OAuthNotConfigured(AccountError):
    """No OAuth2 client id in the settings (``deployment.oauth.clientId``)."""


class OAuthUnavailable(AccountError):
    """The deployment's OAuth2 provider is off (404 from its OAuth2 endpoints): it cannot sign in or
    renew a sign-in until an admin sets ``CODER_OAUTH2_PROVIDER_ENABLE=true``."""


class OAuthFailed(AccountError):
    """The OAuth2 flow did not end with a token."""


class StateMismatch(OAuthFailed):
    """The redirect carried another ``state`` than the one sent: possibly forged, refused."""
