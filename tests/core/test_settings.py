"""Settings: typed, from SAEKDAM_* variables; a bad value stops start-up with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.settings import SettingsError, load_settings
from tests.support.server import ROOT


def test_defaults_are_the_embedded_mode() -> None:
    s = load_settings({}, None)
    assert s.embedded and not s.database_url and not s.s3_bucket
    assert s.sqlite_path == Path("var/saekdam.sqlite") and s.models_dir == Path("var/models")


def test_variables_switch_parts() -> None:
    s = load_settings(
        {
            "SAEKDAM_DATABASE_URL": "postgresql://u@h/db",
            "SAEKDAM_REDIS_URL": "redis://h:6379/0",
            "SAEKDAM_S3_BUCKET": "murals",
            "SAEKDAM_PORT": "9000",
            "SAEKDAM_S3_PATH_STYLE": "true",
            "SAEKDAM_VAR_DIR": "/srv/saekdam",
        },
        None,
    )
    assert s.database_url.startswith("postgresql://") and not s.embedded and s.s3_bucket == "murals"
    assert s.port == 9000 and s.s3_path_style is True and s.var_dir == Path("/srv/saekdam")


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"SAEKDAM_PORT": "eighty"}, "SAEKDAM_PORT"),
        ({"SAEKDAM_DATABASE_URL": "mysql://x"}, "SAEKDAM_DATABASE_URL"),
        ({"SAEKDAM_REDIS_URL": "http://x"}, "SAEKDAM_REDIS_URL"),
        ({"SAEKDAM_MODELS": "huge"}, "SAEKDAM_MODELS"),
        ({"SAEKDAM_S3_PATH_STYLE": "maybe"}, "SAEKDAM_S3_PATH_STYLE"),
        ({"SAEKDAM_SMTP_TLS": "ssl3"}, "SAEKDAM_SMTP_TLS"),
        ({"SAEKDAM_STREAM_AUTH_RECHECK_S": "120"}, "SAEKDAM_STREAM_AUTH_RECHECK_S"),
        ({"SAEKDAM_OIDC_PROVIDERS": "[{"}, "SAEKDAM_OIDC_PROVIDERS"),
        (
            {"SAEKDAM_OIDC_PROVIDERS": '[{"name": "Bad Name", "issuer": "https://id.example", "client_id": "x"}]'},
            "SAEKDAM_OIDC_PROVIDERS",
        ),
        (
            {"SAEKDAM_OIDC_PROVIDERS": '[{"name": "corp", "issuer": "ftp://id.example", "client_id": "x"}]'},
            "SAEKDAM_OIDC_PROVIDERS",
        ),
        (
            {
                "SAEKDAM_KAKAO_CLIENT_ID": "k",
                "SAEKDAM_OIDC_PROVIDERS": '[{"name": "kakao", "issuer": "https://a.b", "client_id": "x"}]',
            },
            "SAEKDAM_OIDC_PROVIDERS",
        ),
    ],
)
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
    s = load_settings(
        {
            "SAEKDAM_KAKAO_CLIENT_ID": "rest-key",
            "SAEKDAM_KAKAO_CLIENT_SECRET": "secret",
            "SAEKDAM_OIDC_PROVIDERS": '[{"name": "corp", "issuer": "https://id.example.com", '
            '"client_id": "web", "audiences": ["ios"]}]',
        },
        None,
    )
    kakao, corp = s.oidc_provider_list
    assert (
        kakao.name == "kakao" and kakao.issuer == "https://kauth.kakao.com" and kakao.token_auth == "client_secret_post"
    )
    assert "account_email" in kakao.scopes and corp.audiences == ["ios"] and corp.scopes == "openid email profile"
    assert load_settings({}, None).oidc_provider_list == []  # none by default: no buttons


def test_weak_secret_key_is_refused_at_start_with_a_clear_line() -> None:
    """Issue 17: SAEKDAM_SECRET_KEY="a" was accepted; it signs sessions, CSRF tokens and file URLs."""
    with pytest.raises(SettingsError, match=r"SAEKDAM_SECRET_KEY is too short \(1 bytes\).*at least 32"):
        load_settings({"SAEKDAM_SECRET_KEY": "a"}, None)
    assert load_settings({"SAEKDAM_SECRET_KEY": "k" * 32}, None).secret_key == "k" * 32
    env = {**os.environ, "SAEKDAM_SECRET_KEY": "short"}
    done = subprocess.run([sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
    assert "SAEKDAM_SECRET_KEY is too short" in done.stderr


def test_unknown_variables_warn_and_name_the_closest_setting(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="saekdam.settings"):
        s = load_settings(
            {
                "SAEKDAM_MAX_UPLOADS_BYTES": "10",
                "SAEKDAM_SECRETKEY": "x",
                "SAEKDAM_ZZZ": "1",
                "SAEKDAM_PORT": "8100",
                "SAEKDAM_SUPERUSER_PASSWORD": "pw",
                "SAEKDAM_TEST_DATABASE": "x",
            },
            None,
        )
    assert s.port == 8100 and s.max_upload_bytes == 25 * 1024 * 1024  # the typo changed nothing
    messages = sorted(r.getMessage() for r in caplog.records)
    assert messages == [
        "SAEKDAM_MAX_UPLOADS_BYTES is not a Saekdam setting and is ignored; did you mean SAEKDAM_MAX_UPLOAD_BYTES?",
        "SAEKDAM_SECRETKEY is not a Saekdam setting and is ignored; did you mean SAEKDAM_SECRET_KEY?",
        "SAEKDAM_ZZZ is not a Saekdam setting and is ignored",
    ], messages


def test_generated_secret_is_never_read_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: 1 start-up in 30 read the key file empty (created, not yet written). Make the writer slow and
    start a second process meanwhile: it must see no file (and make its own attempt) or the whole key."""
    import threading

    from app.core import settings as settings_module

    settings = load_settings({"SAEKDAM_VAR_DIR": str(tmp_path)}, None)
    real_token = settings_module.secrets.token_urlsafe
    writing = threading.Event()

    def slow_token(n: int) -> str:
        if threading.current_thread().name == "slow":
            writing.set()
            time.sleep(0.5)
        return real_token(n)

    monkeypatch.setattr(settings_module.secrets, "token_urlsafe", slow_token)
    keys: dict[str, str] = {}

    def start(name: str) -> None:
        keys[name] = settings_module.ensure_secret(settings).secret_key

    slow = threading.Thread(target=start, args=("slow",), name="slow")
    slow.start()
    assert writing.wait(5)
    start("fast")
    slow.join()
    assert len(keys["fast"]) >= 32 and keys["fast"] == keys["slow"] == (tmp_path / "secret_key").read_text()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left
