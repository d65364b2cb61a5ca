"""One typed place for every setting, read from ``SAEKDAM_*`` environment variables (and ``.env``).

No settings at all means the embedded default: SQLite, local storage, in-process queue and event bus
under ``var/``. Setting a database, Redis or S3 URL switches that one part; the mode is configuration.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import logging
import os
import secrets
import tempfile
from pathlib import Path
from typing import Annotated, Literal

import msgspec

PREFIX = "SAEKDAM_"
MIN_SECRET_BYTES = 32
# SAEKDAM_* variables that are read elsewhere, not settings: no "unknown variable" warning for them
OTHER_VARIABLES = frozenset({"SAEKDAM_SUPERUSER_PASSWORD"})
OTHER_PREFIXES = ("SAEKDAM_TEST_",)  # the test suite's own switches

log = logging.getLogger("saekdam.settings")


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


class OidcProvider(msgspec.Struct, kw_only=True, frozen=True):
    """One OpenID Connect provider people may sign in with (``SAEKDAM_OIDC_PROVIDERS`` or the Kakao preset)."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_-]{1,32}$")]
    issuer: str
    client_id: str
    client_secret: str = ""
    scopes: str = "openid email profile"
    # button text, "한국어|English" or one text for both
    label: str = ""
    # extra id_token audiences accepted from native apps (their own client ids)
    audiences: list[str] = []
    # how the client authenticates at the token endpoint: client_secret_basic or client_secret_post (Kakao)
    token_auth: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """Every knob of Saekdam. Field ``x`` is read from ``SAEKDAM_X``."""

    # where embedded-mode state lives (SQLite file, local objects, secret, tiny models)
    var_dir_path: str = "var"
    # HMAC key for signed URLs, session and CSRF tokens; generated once into var/ when unset
    secret_key: str = ""
    debug: bool = False
    # one line per HTTP request on stdout (app/web/access_log.py: buffered, no query strings)
    access_log: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # public base URL used in signed links handed to clients (default http://host:port)
    public_url: str = ""
    # proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (client address for limits and view counts,
    # https for HSTS): comma-separated addresses or networks, "*" for any; empty = none (the client's own address)
    forwarded_allow_ips: str = ""
    default_language: Literal["ko", "en"] = "ko"

    # database: empty = SQLite under var/; postgres://... = PostgreSQL (?sslmode=require etc. is honoured)
    database_url: str = ""
    database_pool_min: int = 1
    database_pool_max: int = 10
    database_connect_timeout_s: float = 10.0
    # longest one SQL statement may run before asyncpg gives up; 0 = no limit
    database_command_timeout_s: float = 60.0

    # redis: empty = in-process queue and event bus
    redis_url: str = ""

    # S3: a bucket name switches storage from local disk to S3. Empty keys = the AWS default chain
    # (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, ECS/EC2 instance roles)
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    # the address browsers and apps use for signed URLs when it differs from the servers' (proxy, public DNS)
    s3_public_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_path_style: bool = False
    s3_connect_timeout_s: float = 5.0
    s3_read_timeout_s: float = 30.0
    s3_max_attempts: int = 3

    # CPU-bound steps of requests (password hashing, decoding uploaded photos) run in this many threads at once
    # (0 = one per core but one, left to the event loop), each at this niceness (0-19) so that the event loop's
    # thread wins the CPU
    cpu_threads: int = 0
    cpu_nice: int = 10

    # accounts
    access_token_ttl_s: int = 7 * 24 * 3600
    session_ttl_s: int = 14 * 24 * 3600
    password_iterations: int = 600_000
    login_email_max_failures: int = 10
    login_email_window_s: int = 300
    login_ip_max_failures: int = 30
    login_ip_window_s: int = 60
    # sign-ups (email and password, API and page) an hour per client address and in all; beyond them 429
    signup_per_address_per_hour: int = 30
    signup_per_hour: int = 1000
    # open task streams (SSE, WebSocket) re-check their token this often (seconds; at most 60) and close
    # (WebSocket code 4401) once it was revoked
    stream_auth_recheck_s: float = 30.0
    # open event streams (SSE and WebSocket, task and board) per signed-in user and per client address, in
    # each API process; one more gets 429 (a WebSocket: close code 4429) with Retry-After
    streams_per_user: int = 10
    streams_per_address: int = 50
    # connections: request headers must arrive within this many seconds (slowloris), a request body within
    # http_body_timeout_s; an idle keep-alive connection closes after http_keep_alive_s; an upload to the
    # app's own file URL that sends no byte for upload_idle_timeout_s is refused (408) and closed
    http_header_timeout_s: float = 10.0
    http_body_timeout_s: float = 600.0
    http_keep_alive_s: int = 5
    http_max_header_bytes: int = 64 * 1024
    upload_idle_timeout_s: float = 30.0
    # password reset: lifetime of the mailed link (seconds), and requests per email / per client address an hour
    password_reset_ttl_s: int = 1800
    password_reset_per_email_per_hour: int = 5
    password_reset_per_address_per_hour: int = 20
    # an account without a password (signed up with Kakao or another provider) changes or deletes itself only
    # within this many seconds of signing in
    recent_login_s: int = 900

    # mail (password reset, notices): an SMTP server; empty host = each mail is written as an .eml file under
    # var/outbox/ and its link is logged (the embedded default)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout_s: float = 10.0
    mail_from: str = "Saekdam <no-reply@localhost>"

    # sign-in with Kakao (OpenID Connect): the app's REST API key and client secret; empty id = off
    kakao_client_id: str = ""
    kakao_client_secret: str = ""
    kakao_issuer: str = "https://kauth.kakao.com"
    # more OpenID Connect providers, as a JSON list of objects: name (a-z0-9_-), issuer, client_id,
    # client_secret, scopes (default "openid email profile"), label (button text), audiences (extra id_token
    # audiences accepted from native apps)
    oidc_providers: str = ""

    # terms and privacy pages: who runs this site and how to reach them
    operator_name: str = ""
    operator_contact: str = ""

    # board: writes per user and window (anti-spam); a burst beyond them gets 429 with Retry-After
    board_posts_per_hour: int = 10
    board_comments_per_10_min: int = 30
    board_likes_per_min: int = 120
    board_reports_per_hour: int = 20

    # uploads and signed URLs
    max_upload_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 40_000_000
    upload_url_ttl_s: int = 15 * 60
    download_url_ttl_s: int = 60 * 60
    file_retention_days: int = 30
    # storage held by tasks waiting for their photo (`created`): at most this many per user, declaring at most
    # this many bytes together (photos and masks); a create beyond them gets 429 until one is submitted or deleted
    max_open_tasks: int = 10
    max_open_upload_bytes: int = 100 * 1024 * 1024
    # objects under tasks/<id>/ whose task is gone, and `created` tasks whose upload URL expired without a
    # photo, are removed once older than the grace (seconds); the sweep runs this often (seconds)
    orphan_grace_s: int = 3600
    orphan_sweep_interval_s: int = 3600

    # tasks
    max_concurrent_tasks: int = 3
    max_tasks_per_day: int = 50
    job_timeout_s: int = 600
    job_max_tries: int = 2
    # a running task whose heartbeat is older than this is presumed lost with its worker and is retried
    heartbeat_timeout_s: int = 30
    worker_poll_delay_s: float = 0.01
    wall_timeout_s: float = 30.0  # POST /wall in distributed mode: no worker's answer by then → 503 unavailable
    # each `saekdam worker` serves its job metrics (Prometheus) on this port; 0 = off
    worker_metrics_port: int = 0
    run_painter_in_api: bool = True

    # models: "auto" uses the real models when present else tiny ones; "tiny" forces tiny; "real" forces real
    models: Literal["auto", "tiny", "real"] = "auto"
    models_dir_path: str = ""
    inpaint_model: str = "stable-diffusion-v1-5/stable-diffusion-inpainting"
    segment_model: str = "nvidia/segformer-b0-finetuned-ade-512-512"
    translate_model: str = "Helsinki-NLP/opus-mt-ko-en"
    translate_api_url: str = ""
    translate_api_key: str = ""
    translate_api_model: str = "gpt-4o-mini"
    lcm_lora: str = "latent-consistency/lcm-lora-sdv1-5"
    device: str = "auto"
    preview_every: int = 2
    preview_interval_s: float = 0.5  # previews at most this often (seconds), the first after as long
    # geometry guides (api.md `guide`): ControlNets for edges and depth, and the depth estimator
    controlnet_lines_model: str = "lllyasviel/control_v11p_sd15_canny"
    controlnet_depth_model: str = "lllyasviel/control_v11f1p_sd15_depth"
    depth_model: str = "depth-anything/Depth-Anything-V2-Small-hf"
    # the content filter before the public board: diffusers' safety checker (a CLIP image classifier) run on
    # every result when it is painted; a flagged result (or one that could not be checked) cannot be published
    # until an admin releases it. Empty = no checker: then every result needs an admin's release
    safety_model: str = "CompVis/stable-diffusion-safety-checker"
    # `detail` when a task leaves it to the server: auto = high on CUDA, standard on CPU
    detail_default: Literal["auto", "standard", "high"] = "auto"

    # the painter's sheet (app/sheets): paint coverage per coat and coats for the litres, the smallest region
    # kept (cm² on the wall when its size is known, else pixels at 1,024 px), sheets made at once per process
    sheet_coverage_m2_per_l: float = 10.0
    sheet_coats: int = 2
    sheet_min_region_cm2: float = 50.0
    sheet_min_region_px: int = 150
    sheet_concurrency: int = 2
    sheet_paper: Literal["A4", "A3"] = "A4"

    @property
    def oidc_provider_list(self) -> list[OidcProvider]:
        """Every configured OpenID Connect provider: the Kakao preset first, then ``oidc_providers``."""
        providers = []
        if self.kakao_client_id:
            providers.append(
                OidcProvider(
                    name="kakao",
                    issuer=self.kakao_issuer,
                    client_id=self.kakao_client_id,
                    client_secret=self.kakao_client_secret,
                    scopes="openid profile_nickname account_email",
                    label="카카오 로그인|Sign in with Kakao",
                    token_auth="client_secret_post",
                )
            )
        if self.oidc_providers.strip():
            providers += msgspec.json.decode(self.oidc_providers, type=list[OidcProvider])
        return providers

    @property
    def embedded(self) -> bool:
        return not self.redis_url

    @property
    def var_dir(self) -> Path:
        return Path(self.var_dir_path)

    @property
    def models_dir(self) -> Path:
        """Where model folders live (real downloads and the tiny ones); default var/models."""
        return Path(self.models_dir_path) if self.models_dir_path else self.var_dir / "models"

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "saekdam.sqlite"

    @property
    def storage_dir(self) -> Path:
        return self.var_dir / "storage"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def _validate(s: Settings) -> None:
    if s.database_url and not s.database_url.startswith(("postgres://", "postgresql://")):
        raise SettingsError(
            f"{PREFIX}DATABASE_URL must start with postgres:// or postgresql://, got {s.database_url!r}"
        )
    if s.redis_url and not s.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"{PREFIX}REDIS_URL must start with redis://, rediss:// or unix://, got {s.redis_url!r}")
    for name in ("s3_endpoint_url", "s3_public_endpoint_url"):
        value = getattr(s, name)
        if value and not value.startswith(("http://", "https://")):
            raise SettingsError(f"{PREFIX}{name.upper()} must be an http(s) URL, got {value!r}")
    if s.secret_key and len(s.secret_key.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{PREFIX}SECRET_KEY is too short ({len(s.secret_key.encode())} bytes): it signs sessions, CSRF tokens and "
            f"file URLs, so it must be at least {MIN_SECRET_BYTES} random bytes, e.g. "
            f"`python -c 'import secrets; print(secrets.token_urlsafe(48))'` (or leave it unset in embedded mode)"
        )
    if not 1 <= s.port <= 65535:
        raise SettingsError(f"{PREFIX}PORT must be between 1 and 65535, got {s.port}")
    if s.max_upload_bytes <= 0 or s.max_pixels <= 0:
        raise SettingsError(f"{PREFIX}MAX_UPLOAD_BYTES and {PREFIX}MAX_PIXELS must be positive")
    if not 0 <= s.preview_interval_s <= 60:
        raise SettingsError(f"{PREFIX}PREVIEW_INTERVAL_S must be between 0 and 60, got {s.preview_interval_s}")
    for name in (
        "streams_per_user",
        "streams_per_address",
        "http_header_timeout_s",
        "http_body_timeout_s",
        "http_keep_alive_s",
        "http_max_header_bytes",
        "upload_idle_timeout_s",
    ):
        if getattr(s, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be positive, got {getattr(s, name)}")
    for name in ("max_open_tasks", "max_open_upload_bytes", "orphan_grace_s", "orphan_sweep_interval_s"):
        if getattr(s, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be positive, got {getattr(s, name)}")
    if not 0 < s.stream_auth_recheck_s <= 60:
        raise SettingsError(
            f"{PREFIX}STREAM_AUTH_RECHECK_S must be more than 0 and at most 60, got {s.stream_auth_recheck_s}"
        )
    try:
        providers = s.oidc_provider_list
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise SettingsError(f"{PREFIX}OIDC_PROVIDERS: {exc}") from None
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise SettingsError(f"{PREFIX}OIDC_PROVIDERS: provider names must be unique, got {names}")
    for provider in providers:
        if not provider.issuer.startswith(("https://", "http://")):
            raise SettingsError(f"{PREFIX}OIDC_PROVIDERS: issuer of {provider.name!r} must be an http(s) URL")
    if s.signup_per_address_per_hour < 1 or s.signup_per_hour < 1:
        raise SettingsError(f"{PREFIX}SIGNUP_PER_ADDRESS_PER_HOUR and {PREFIX}SIGNUP_PER_HOUR must be at least 1")
    if s.cpu_threads < 0 or not 0 <= s.cpu_nice <= 19:
        raise SettingsError(f"{PREFIX}CPU_THREADS must be 0 or more and {PREFIX}CPU_NICE between 0 and 19")
    for name in (
        "sheet_coverage_m2_per_l",
        "sheet_coats",
        "sheet_min_region_cm2",
        "sheet_min_region_px",
        "sheet_concurrency",
    ):
        if getattr(s, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()} must be positive, got {getattr(s, name)}")


def setting_variables() -> list[str]:
    """Every settings variable's name (``SAEKDAM_X`` for field ``x``; ``_PATH`` fields without it)."""
    return [PREFIX + name.upper().removesuffix("_PATH") for name in Settings.__struct_fields__]


def unknown_variables(env: dict[str, str]) -> dict[str, str | None]:
    """``SAEKDAM_*`` names in ``env`` that no setting reads, each with the closest setting (or None)."""
    known = setting_variables()
    unknown = sorted(
        k
        for k in env
        if k.startswith(PREFIX) and k not in known and k not in OTHER_VARIABLES and not k.startswith(OTHER_PREFIXES)
    )
    # compared without the common prefix, which would make every name look alike
    names = {k.removeprefix(PREFIX): k for k in known}
    closest = {k: difflib.get_close_matches(k.removeprefix(PREFIX), list(names), n=1, cutoff=0.6) for k in unknown}
    return {k: names[found[0]] if found else None for k, found in closest.items()}


def warn_unknown_variables(env: dict[str, str]) -> None:
    """A typo'd variable would be ignored silently (and its default used): say so, naming the closest setting."""
    for name, closest in unknown_variables(env).items():
        hint = f"; did you mean {closest}?" if closest else ""
        log.warning("%s is not a Saekdam setting and is ignored%s", name, hint)


def load_settings(environ: dict[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Build settings from the environment (winning) and ``.env``; raise SettingsError naming the variable."""
    env = dict(_read_dotenv(dotenv)) if dotenv else {}
    env.update(os.environ if environ is None else environ)
    raw: dict[str, object] = {}
    for name in Settings.__struct_fields__:
        key = PREFIX + name.upper().removesuffix("_PATH")
        if key in env:
            raw[name] = env[key]
    warn_unknown_variables(env)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        # msgspec says "... - at `$.field`": turn the path back into the variable's name
        message = str(exc)
        field = message.rsplit("$.", 1)[-1].rstrip("`") if "$." in message else ""
        variable = PREFIX + field.upper().removesuffix("_PATH") if field else "a SAEKDAM_* variable"
        raise SettingsError(f"{variable}: {message.split(' - at ')[0]}") from None
    _validate(settings)
    return settings


def ensure_secret(settings: Settings) -> Settings:
    """Embedded mode keeps a generated secret under var/ so a restart keeps sessions and links valid."""
    if settings.secret_key:
        return settings
    if not settings.embedded:
        raise SettingsError(f"{PREFIX}SECRET_KEY must be set when {PREFIX}REDIS_URL is set (shared by all processes)")
    path = settings.var_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _write_new_secret(path)
    secret = path.read_text().strip()
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{path} holds no usable secret ({len(secret.encode())} bytes); delete it to make a new one"
        )
    return msgspec.structs.replace(settings, secret_key=secret)


def _write_new_secret(path: Path) -> None:
    """Write the whole key to a temporary file, then link it into place: a process starting at the same time
    sees either no file or the complete key, never an empty one, and the first of them wins (no overwrite)."""
    fd, temp = tempfile.mkstemp(prefix=".secret_key.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, 0o600)
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temp, path)
    finally:
        os.unlink(temp)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached: tests set the environment before the first call)."""
    return ensure_secret(load_settings())
