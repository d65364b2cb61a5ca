"""Test settings are fixed here, before anything imports the app (settings are cached per process).

Database tests run on SQLite by default and on a fresh PostgreSQL database when
``SAEKDAM_TEST_DATABASE=postgres`` (``make test`` runs both). A missing server fails loudly, never skips.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="saekdam-test-"))
atexit.register(shutil.rmtree, TMP, ignore_errors=True)

os.environ.update(
    {
        "SAEKDAM_VAR_DIR": str(TMP / "var"),
        "SAEKDAM_SECRET_KEY": "test-" + uuid.uuid4().hex,
        "SAEKDAM_PASSWORD_ITERATIONS": "1000",
        "SAEKDAM_MODELS": "tiny",
        "SAEKDAM_MODELS_DIR": str(ROOT / "var" / "models"),
        "SAEKDAM_DEFAULT_LANGUAGE": "ko",
        # test servers sign many people up from 127.0.0.1; the limits' own tests set small ones
        "SAEKDAM_SIGNUP_PER_ADDRESS_PER_HOUR": "100000",
        "SAEKDAM_SIGNUP_PER_HOUR": "100000",
    }
)
for key in ("SAEKDAM_DATABASE_URL", "SAEKDAM_REDIS_URL", "SAEKDAM_S3_BUCKET"):
    os.environ.pop(key, None)

if os.environ.get("SAEKDAM_TEST_DATABASE") == "postgres":
    from tests.support.postgres import create_database

    os.environ["SAEKDAM_DATABASE_URL"] = create_database()

pytest_plugins = ["tests.support.server", "tests.support.fixtures", "tests.support.accounts", "tests.support.browser"]
