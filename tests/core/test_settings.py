"""Settings: typed, from SAEKDAM_* variables; a bad value stops start-up with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.settings import SettingsError, load_settings
from tests.support.server import ROOT


def test_defaults_are_the_embedded_mode() -> None:
    s = load_settings({}, None)
    assert s.embedded and not s.database_url and not s.s3_bucket
    assert s.sqlite_path == Path("var/saekdam.sqlite") and s.models_dir == Path("var/models")


def test_variables_switch_parts() -> None:
    s = load_settings({"SAEKDAM_DATABASE_URL": "postgresql://u@h/db", "SAEKDAM_REDIS_URL": "redis://h:6379/0",
                       "SAEKDAM_S3_BUCKET": "murals", "SAEKDAM_PORT": "9000", "SAEKDAM_S3_PATH_STYLE": "true",
                       "SAEKDAM_VAR_DIR": "/srv/saekdam"}, None)
    assert s.database_url.startswith("postgresql://") and not s.embedded and s.s3_bucket == "murals"
    assert s.port == 9000 and s.s3_path_style is True and s.var_dir == Path("/srv/saekdam")


@pytest.mark.parametrize("env, variable", [
    ({"SAEKDAM_PORT": "eighty"}, "SAEKDAM_PORT"),
    ({"SAEKDAM_DATABASE_URL": "mysql://x"}, "SAEKDAM_DATABASE_URL"),
    ({"SAEKDAM_REDIS_URL": "http://x"}, "SAEKDAM_REDIS_URL"),
    ({"SAEKDAM_MODELS": "huge"}, "SAEKDAM_MODELS"),
    ({"SAEKDAM_S3_PATH_STYLE": "maybe"}, "SAEKDAM_S3_PATH_STYLE"),
    ({"SAEKDAM_SMTP_TLS": "ssl3"}, "SAEKDAM_SMTP_TLS"),
    ({"SAEKDAM_STREAM_AUTH_RECHECK_S": "120"}, "SAEKDAM_STREAM_AUTH_RECHECK_S"),
    ({"SAEKDAM_OIDC_PROVIDERS": "[{"}, "SAEKDAM_OIDC_PROVIDERS"),
    ({"SAEKDAM_OIDC_PROVIDERS": '[{"name": "Bad Name", "issuer": "https://id.example", "client_id": "x"}]'},
     "SAEKDAM_OIDC_PROVIDERS"),
    ({"SAEKDAM_OIDC_PROVIDERS": '[{"name": "corp", "issuer": "ftp://id.example", "client_id": "x"}]'},
     "SAEKDAM_OIDC_PROVIDERS"),
    ({"SAEKDAM_KAKAO_CLIENT_ID": "k", "SAEKDAM_OIDC_PROVIDERS": '[{"name": "kakao", "issuer": "https://a.b", "client_id": "x"}]'},
     "SAEKDAM_OIDC_PROVIDERS"),
])
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(env, None)


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nSAEKDAM_PORT=8100\nexport SAEKDAM_HOST='0.0.0.0'\n")
    s = load_settings({"SAEKDAM_PORT": "8200"}, dotenv)
    assert s.port == 8200 and s.host == "0.0.0.0"


def test_cli_stops_with_one_clear_line() -> None:
    env = {**os.environ, "SAEKDAM_PORT": "eighty"}
    done = subprocess.run([sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "SAEKDAM_PORT" in done.stderr


def test_oidc_providers_come_from_the_kakao_preset_and_the_list() -> None:
    s = load_settings({"SAEKDAM_KAKAO_CLIENT_ID": "rest-key", "SAEKDAM_KAKAO_CLIENT_SECRET": "secret",
                       "SAEKDAM_OIDC_PROVIDERS": '[{"name": "corp", "issuer": "https://id.example.com", '
                                                 '"client_id": "web", "audiences": ["ios"]}]'}, None)
    kakao, corp = s.oidc_provider_list
    assert kakao.name == "kakao" and kakao.issuer == "https://kauth.kakao.com" and kakao.token_auth == "client_secret_post"
    assert "account_email" in kakao.scopes and corp.audiences == ["ios"] and corp.scopes == "openid email profile"
    assert load_settings({}, None).oidc_provider_list == []  # none by default: no buttons
