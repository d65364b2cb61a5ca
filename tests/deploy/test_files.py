"""The deployment files stay in step with the code: every setting is in .env.example, compose.yaml parses and
names what exists, the proxy passes SSE unbuffered, torch is pinned in one place. With a docker that has the
compose plugin, `docker compose config -q` checks compose.yaml too (the one check that depends on the machine).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from app.core.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
NGINX = ROOT / "deploy" / "nginx.conf"
VAR_LINE = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
SERVICES = {"proxy", "api", "worker", "redis", "postgres", "minio", "createbuckets", "migrate"}


def setting_variables() -> list[str]:
    return [PREFIX + f.name.upper().removesuffix("_PATH") for f in msgspec.structs.fields(Settings)]


def env_example() -> dict[str, tuple[str, str | None]]:
    """name → (value, the comment line just above it, or None when the line above is not a description)."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    out: dict[str, tuple[str, str | None]] = {}
    for i, line in enumerate(lines):
        m = VAR_LINE.match(line.strip())
        if not m:
            continue
        above = lines[i - 1].strip() if i else ""
        description = above if above.startswith("#") and not VAR_LINE.match(above) else None
        if description is None and i >= 1 and VAR_LINE.match(above):
            # a group of related variables shares one description: walk up to it
            j = i - 1
            while j >= 0 and VAR_LINE.match(lines[j].strip()):
                j -= 1
            candidate = lines[j].strip() if j >= 0 else ""
            description = candidate if candidate.startswith("#") and len(candidate) > 2 else None
        out[m.group(1)] = (m.group(2), description)
    return out


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def test_every_setting_is_in_env_example_with_a_comment() -> None:
    documented = env_example()
    missing = [v for v in setting_variables() if v not in documented]
    assert not missing, f"add these to .env.example (with a comment line above each): {missing}"
    undocumented = [v for v in setting_variables() if not documented[v][1]]
    assert not undocumented, f"these .env.example entries need a description comment: {undocumented}"
    unknown = [
        v
        for v in documented
        if v.startswith(PREFIX) and v not in setting_variables() and v != "SAEKDAM_SUPERUSER_PASSWORD"
    ]
    assert not unknown, f".env.example names settings that do not exist: {unknown}"


def test_env_example_values_are_valid_settings() -> None:
    """The uncommented values (and the shown defaults) load: a typo'd default fails here, not at start-up."""
    from app.core.settings import load_settings

    values = {k: v for k, (v, _) in env_example().items() if k.startswith(PREFIX) and v}
    settings = load_settings(values, dotenv=None)
    assert settings.secret_key


def test_compose_parses_and_has_the_services() -> None:
    data = compose()
    services = data["services"]
    assert set(services) >= SERVICES, f"missing services: {SERVICES - set(services)}"
    assert services["api"]["deploy"]["replicas"] >= 2  # api ×2 behind the proxy
    gpu = services["worker"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["driver"] == "nvidia" and "gpu" in gpu["capabilities"]
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        build = service.get("build")
        if build:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            assert context.is_dir(), (name, context)
            if isinstance(build, dict) and "dockerfile" in build:
                assert (context / build["dockerfile"]).is_file(), (name, build["dockerfile"])
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), (name, source)
            else:
                assert source in (data.get("volumes") or {}), (name, source)
        for dep in service.get("depends_on", []):
            assert dep in services, (name, dep)
    # the app's processes get the distributed mode's settings, all of them real settings
    env = services["api"]["environment"]
    for key in ("SAEKDAM_REDIS_URL", "SAEKDAM_DATABASE_URL", "SAEKDAM_S3_BUCKET", "SAEKDAM_SECRET_KEY"):
        assert key in env and env[key], key
    known = set(setting_variables())
    for name in ("api", "worker", "migrate"):
        for key in services[name]["environment"]:
            assert not key.startswith(PREFIX) or key in known, (name, key)


def test_compose_variables_are_in_env_example() -> None:
    referenced = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text(encoding="utf-8")))
    assert referenced, "compose.yaml interpolates nothing?"
    missing = referenced - set(env_example())
    assert not missing, f"compose.yaml uses variables .env.example does not list: {sorted(missing)}"


def test_proxy_passes_sse_unbuffered_and_upgrades_websockets() -> None:
    conf = NGINX.read_text(encoding="utf-8")
    blocks = dict(re.findall(r"location\s+~\s+(\S+)\s*\{(.*?)\n\s*\}", conf, flags=re.S))
    sse = next(body for pattern, body in blocks.items() if "events" in pattern)
    sse_pattern = next(pattern for pattern in blocks if "events" in pattern)
    for path in ("/api/tasks/0b6d/events", "/api/board/events", "/board/events", "/tasks/0b6d/stream"):
        assert re.search(sse_pattern, path), path
    assert "proxy_buffering off;" in sse and "proxy_cache off;" in sse
    assert int(re.search(r"proxy_read_timeout (\d+)s;", sse).group(1)) >= 600  # type: ignore[union-attr]
    ws_pattern, ws = next((p, b) for p, b in blocks.items() if p.endswith("/ws$"))
    assert re.search(ws_pattern, "/api/tasks/0b6d/ws")
    assert "proxy_set_header Upgrade $http_upgrade;" in ws and "proxy_set_header Connection $connection_upgrade;" in ws
    assert "server api:8000" in conf and "X-Forwarded-For" in conf
    assert "proxy_pass http://minio:9000;" in conf and "proxy_set_header Host $http_host;" in conf


def test_torch_is_pinned_only_in_the_constraints() -> None:
    pin = re.search(r"^torch==(\S+)$", (ROOT / "constraints" / "cpu.txt").read_text(), flags=re.M)
    assert pin, "constraints/cpu.txt must pin torch"
    api = (ROOT / "deploy" / "Dockerfile.api").read_text()
    worker = (ROOT / "deploy" / "Dockerfile.worker").read_text()
    for text in (api, worker, COMPOSE.read_text()):
        assert pin.group(1) not in text and not re.search(r"torch==\d", text)
    assert "constraints/cpu.txt" in api and "download.pytorch.org/whl/cpu" in api
    assert re.search(r"^FROM (nvidia/cuda|\$\{CUDA_IMAGE\})", worker, flags=re.M) and "nvidia/cuda:" in worker
    assert "download.pytorch.org/whl/${TORCH_CUDA}" in worker and "constraints/cpu.txt" in worker
    assert "npm ci" in api and '"saekdam", "serve"' in api
    entry = (ROOT / "deploy" / "worker-entrypoint.sh").read_text()
    assert "saekdam models pull" in entry and "exec saekdam worker" in entry
    assert (ROOT / "deploy" / "worker-entrypoint.sh").stat().st_mode & 0o111


def _compose_plugin() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="docker with the compose plugin is not installed here")
def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    env = tmp_path / "ci.env"
    env.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        ["docker", "compose", "--env-file", str(env), "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
