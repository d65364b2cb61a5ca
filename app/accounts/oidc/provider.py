"""One OpenID Connect provider: discovery, its signing keys, the authorization-code flow with PKCE (authlib)
and id_token validation (joserfc: signature by the provider's JWKS, issuer, audience, expiry, nonce)."""

from __future__ import annotations

import base64
import logging
import time
from typing import Any

import httpx
import msgspec
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.core.errors import NotAuthenticated, Unavailable
from app.core.settings import OidcProvider

log = logging.getLogger("saekdam.oidc")

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
METADATA_TTL_S = 3600
KEYS_REFRESH_MIN_S = 30  # an unknown key id refetches the JWKS, at most this often (key rotation)
LEEWAY_S = 60


class Metadata(msgspec.Struct, kw_only=True):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _kid(id_token: str) -> str | None:
    try:
        header = id_token.split(".", 1)[0]
        value = msgspec.json.decode(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, msgspec.DecodeError):
        raise NotAuthenticated("invalid_id_token") from None
    return value.get("kid") if isinstance(value, dict) else None


class OidcClient:
    def __init__(self, config: OidcProvider, http: httpx.AsyncClient) -> None:
        self.config = config
        self.http = http
        self._metadata: tuple[float, Metadata] | None = None
        self._keys: tuple[float, KeySet] | None = None

    @property
    def name(self) -> str:
        return self.config.name

    async def _get_json(self, url: str) -> Any:
        try:
            response = await self.http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("provider %s: %s failed: %s", self.name, url, exc)
            raise Unavailable("provider_unavailable", headers={"Retry-After": "5"}) from None

    async def metadata(self) -> Metadata:
        if self._metadata is not None and time.monotonic() - self._metadata[0] < METADATA_TTL_S:
            return self._metadata[1]
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            meta = msgspec.convert(await self._get_json(url), Metadata)
        except msgspec.ValidationError:
            raise Unavailable("provider_unavailable") from None
        if meta.issuer.rstrip("/") != self.config.issuer.rstrip("/"):
            log.error(
                "provider %s: discovery names issuer %r, settings say %r", self.name, meta.issuer, self.config.issuer
            )
            raise Unavailable("provider_unavailable")
        self._metadata = (time.monotonic(), meta)
        return meta

    async def keys(self, kid: str | None) -> KeySet:
        cached = self._keys
        known = cached is not None and (kid is None or any(k.kid == kid for k in cached[1].keys))
        if cached is not None and (known or time.monotonic() - cached[0] < KEYS_REFRESH_MIN_S):
            return cached[1]
        meta = await self.metadata()
        try:
            keys = KeySet.import_key_set(await self._get_json(meta.jwks_uri))
        except (JoseError, ValueError, TypeError):
            raise Unavailable("provider_unavailable") from None
        self._keys = (time.monotonic(), keys)
        return keys

    def _oauth(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret or None,
            token_endpoint_auth_method=self.config.token_auth,
            scope=self.config.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=10,
        )

    async def authorization_url(self, redirect_uri: str, state: str, nonce: str, verifier: str) -> str:
        meta = await self.metadata()
        async with self._oauth(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                meta.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
        return str(url)

    async def exchange(self, code: str, verifier: str, redirect_uri: str) -> str:
        """The id_token for an authorization code (client authentication and the PKCE verifier included)."""
        meta = await self.metadata()
        try:
            async with self._oauth(redirect_uri) as client:
                token = await client.fetch_token(
                    meta.token_endpoint, grant_type="authorization_code", code=code, code_verifier=verifier
                )
        except Exception as exc:  # authlib raises OAuthError for refusals, httpx errors for the network
            log.warning("provider %s refused the code: %s", self.name, exc)
            raise NotAuthenticated("oidc_failed") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise NotAuthenticated("oidc_failed")
        return id_token

    async def validate(self, id_token: str, *, nonce: str | None, native: bool = False) -> dict[str, Any]:
        """The id_token's claims once its signature, issuer, audience, expiry (and nonce) hold; else 401."""
        meta = await self.metadata()
        audiences = [self.config.client_id, *(self.config.audiences if native else [])]
        keys = await self.keys(_kid(id_token))
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            options: dict[str, Any] = {
                "iss": {"essential": True, "value": meta.issuer},
                "aud": {"essential": True, "values": audiences},
                "exp": {"essential": True},
                "sub": {"essential": True},
            }
            if nonce is not None:
                options["nonce"] = {"essential": True, "value": nonce}
            jwt.JWTClaimsRegistry(leeway=LEEWAY_S, **options).validate(token.claims)
        except (JoseError, ValueError, TypeError) as exc:
            log.info("provider %s: id_token refused: %s", self.name, exc)
            raise NotAuthenticated("invalid_id_token") from None
        claims = dict(token.claims)
        aud = claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") not in audiences:
            raise NotAuthenticated("invalid_id_token")  # a token issued to another party that lists us too
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise NotAuthenticated("invalid_id_token")
        return claims
