"""The Docker image's HEALTHCHECK passes with the production example's settings: gunicorn with
DEBUG off, HTTPS redirects on and ALLOWED_HOSTS naming only the public host, probed by IP."""

import re
import shlex
import subprocess
import sys

import pytest
import requests

from tests.servers import ROOT, gunicorn_server
from tests.test_settings import PRODUCTION, env_file


def healthcheck_code() -> str:
    """The Python one-liner of the Dockerfile's HEALTHCHECK, as written there."""
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    command = re.search(r"^HEALTHCHECK .*?CMD (.+)$", dockerfile, flags=re.MULTILINE).group(1)
    argv = shlex.split(command)
    assert argv[:2] == ["python", "-c"], argv
    return argv[2]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_image_healthcheck_passes_with_the_production_example():
    env = {
        **env_file(".env.production.example"),
        "SECRET_KEY": "real-" + "s" * 60,
        "CHAT_JWT_SECRET": "chat-" + "c" * 60,
        "FIELD_ENCRYPTION_KEY": PRODUCTION["FIELD_ENCRYPTION_KEY"],
    }
    env.pop("DATABASE_URL")  # the test database (tests.servers)
    env.pop("REDIS_URL")
    code = healthcheck_code()

    with gunicorn_server(extra_env=env) as base:
        port = base.rsplit(":", 1)[1]
        probe = subprocess.run(
            [sys.executable, "-c", code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        other_path = requests.get(f"{base}/api/v1/features", timeout=10, allow_redirects=False)

    assert "127.0.0.1:8000/api/v1/health" in code
    assert probe.returncode == 0, probe.stdout + probe.stderr
    # The host check still guards everything else.
    assert other_path.status_code == 400
