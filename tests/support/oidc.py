"""A real OpenID Connect provider on loopback (npm ``oidc-provider``, started with node), never a mock.

``OidcProvider`` starts it with the clients a test needs and a signing key the test holds, so a test can
- sign in through the provider's own login and consent pages (a browser, or ``code_flow`` with httpx) and
  get genuine id_tokens;
- sign tokens "as the provider" (``sign``) with a wrong audience, a past expiry or another issuer, which the
  provider itself would never issue, and forged ones with another key (``forge``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.server import ROOT, free_port

SCRIPT = ROOT / "tests" / "support" / "oidc_provider.mjs"


def _rsa(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


class OidcProvider:
    def __init__(self, folder: Path, clients: list[dict[str, Any]]) -> None:
        if shutil.which("node") is None:
            pytest.fail("node is required for the OpenID Connect tests (Debian: apt-get install nodejs)", pytrace=False)
        if not (ROOT / "node_modules" / "oidc-provider").is_dir():
            pytest.fail("node_modules/oidc-provider is missing: run `make install-test` (npm ci)", pytrace=False)
        self.folder = folder
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = _rsa("saekdam-test-1")
        self.accounts_file = folder / "accounts.json"
        self.accounts_file.write_text("{}")
        config = {
            "port": self.port,
            "clients": clients,
            "jwk": self.key.as_dict(private=True),
            "accounts_file": str(self.accounts_file),
        }
        (folder / "config.json").write_text(json.dumps(config))
        self.log_path = folder / "oidc-provider.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115  # the provider's output while it runs; closed in stop()
        self.proc = subprocess.Popen(
            ["node", str(SCRIPT), str(folder / "config.json")], cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oidc-provider exited:\n{self.log()}")
            try:
                if httpx.get(self.issuer + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"oidc-provider not ready:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self._log.close()

    # ------------------------------------------------------------------ people
    def add_account(self, sub: str, **claims: Any) -> str:
        accounts = json.loads(self.accounts_file.read_text())
        accounts[sub] = claims
        self.accounts_file.write_text(json.dumps(accounts))
        return sub

    # ------------------------------------------------------------------ tokens
    def claims(self, aud: str, sub: str, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.issuer, "aud": aud, "sub": sub, "iat": now, "exp": now + 600, **extra}

    def sign(self, claims: dict[str, Any]) -> str:
        """A token signed with the provider's own key: valid signature, whatever the claims say."""
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)

    def forge(self, claims: dict[str, Any]) -> str:
        """A token that claims the provider's key id but is signed with another key."""
        other = _rsa(self.key.kid or "saekdam-test-1")
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, other)

    async def code_flow(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        login: str,
        scope: str = "openid email profile",
        nonce: str | None = None,
        auth_method: str = "client_secret_basic",
    ) -> dict[str, Any]:
        """The authorization-code flow with PKCE through the provider's own pages; its token response."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {
            "client_id": client_id,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": redirect_uri,
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **({"nonce": nonce} if nonce else {}),
        }
        async with httpx.AsyncClient(base_url=self.issuer, timeout=30) as http:
            url = f"/auth?{urlencode(params)}"
            for _ in range(12):
                r = await http.get(url)
                if r.status_code in (302, 303):
                    location = r.headers["location"]
                    if location.startswith(redirect_uri):
                        code = parse_qs(urlsplit(location).query)["code"][0]
                        break
                    url = location
                    continue
                assert r.status_code == 200, r.text
                action = re.search(r'<form[^>]*action="([^"]+)"', r.text)
                assert action is not None, r.text
                if 'name="login"' in r.text:
                    r = await http.post(html.unescape(action.group(1)), data={"prompt": "login", "login": login})
                else:
                    r = await http.post(html.unescape(action.group(1)), data={"prompt": "consent"})
                assert r.status_code in (302, 303), r.text
                url = r.headers["location"]
            else:
                raise AssertionError("the provider's flow did not end at the redirect URI")
            form = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
            if auth_method == "client_secret_post":
                token = await http.post("/token", data={**form, "client_id": client_id, "client_secret": client_secret})
            else:
                token = await http.post("/token", data=form, auth=(client_id, client_secret))
            assert token.status_code == 200, token.text
            return dict(token.json())
