"""Sign in with Kakao and any OpenID Connect provider from the settings (browser flow and native apps)."""

from app.accounts.oidc.service import OidcService, PendingLink

__all__ = ["OidcService", "PendingLink"]
