"""Property-based fuzzing of the served OpenAPI schema with schemathesis, against a real server process.

Each operation gets ``EXAMPLES`` generated requests (valid and invalid, positive and negative modes), sent with
a bearer token so authenticated operations run past the auth check. Checks: no 5xx anywhere; every response's
content type and body match what the schema documents for its status.

Left out: the two SSE streams (the board's never ends; schemathesis cannot read a stream) and logout and
logout-all (they would revoke the token that the other operations use).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.reliability.conftest import Deployed, start_own_server

pytestmark = [pytest.mark.db, pytest.mark.slow]
EXAMPLES = 25  # per operation and mode: 26 operations × 2 modes ≈ 880 requests (some run out of cases), ~20 s
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def fuzz_server(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    d = start_own_server(log_dir, tmp_path_factory.mktemp("fuzz-var"), "fuzz")
    yield d
    d.server.stop()


@pytest.fixture(scope="module")
def fuzz_token(fuzz_server: Deployed) -> str:
    with httpx.Client(base_url=fuzz_server.server.url, timeout=30) as http:
        creds = {"email": "fuzzer@example.com", "password": "correct horse battery"}
        assert http.post("/api/auth/signup", json={**creds, "nickname": "fuzzer"}).status_code == 201
        r = http.post("/api/auth/token", json=creds)
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])


@pytest.fixture(scope="module")
def api_schema(fuzz_server: Deployed) -> Any:
    schema = schemathesis.openapi.from_url(fuzz_server.server.url + "/schema/openapi.json")
    return schema.exclude(path_regex=r"/events$").exclude(path="/api/auth/logout").exclude(path="/api/auth/logout-all")


def _fuzz_operation(
    operation: Any, mode: GenerationMode, base_url: str, headers: dict[str, str], sent: list[str]
) -> str | None:
    """Run EXAMPLES generated cases through one operation; the first failure's report, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        verbosity=Verbosity.quiet,
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        sent.append(f"{case.method} {case.path} -> {response.status_code}")
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # nothing about this operation can be made invalid (no parameters, no body)
        return None
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup, a transport error: report, go on
        return f"{operation.method.upper()} {operation.path} ({mode}):\n{exc}"[:3000]
    return None


def test_openapi_operations_never_fail_and_match_their_schema(
    api_schema: Any, fuzz_server: Deployed, fuzz_token: str
) -> None:
    headers = {"authorization": f"Bearer {fuzz_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25, [op.path for op in operations]
    sent: list[str] = []
    failures = [
        f
        for op in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (f := _fuzz_operation(op, mode, fuzz_server.server.url, headers, sent))
    ]
    print(f"fuzzed {len(operations)} operations with {len(sent)} requests")
    assert not failures, "\n\n".join(failures) + "\n--- server log ---\n" + fuzz_server.server.log()[-3000:]
