"""docker-compose.yml: the fleet's roles, and the web health check passing with the example
environment (README "Scaling out"). Docker itself is not needed: the web container's command
(gunicorn) runs here with ``.env.production.example``'s values and the compose file's own check."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests import servers

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_runs_every_role_of_the_fleet():
    assert set(SERVICES) == {
        "migrate",
        "web",
        "worker-media",
        "worker-default",
        "beat",
        "postgres",
        "redis",
        "minio",
        "createbucket",
    }
    assert SERVICES["worker-media"]["command"][3:6] == ["worker", "-Q", "media"]
    assert SERVICES["worker-default"]["command"][3:6] == ["worker", "-Q", "default"]
    assert SERVICES["beat"]["command"][3] == "beat"


def test_every_veza_process_uses_the_bucket_created_before_it_starts():
    for name in ("migrate", "web", "worker-media", "worker-default", "beat"):
        service = SERVICES[name]
        assert service["environment"]["STORAGE_BACKEND"] == "s3", name
        assert service["environment"]["AWS_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert service["depends_on"]["createbucket"] == {
            "condition": "service_completed_successfully"
        }, name
    assert "mc mb --ignore-existing" in SERVICES["createbucket"]["command"][0]


def _example_env() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (ROOT / ".env.production.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_web_health_check_passes_with_the_example_environment(tmp_path):
    example = _example_env()
    assert example["DEBUG"] == "false"
    port = servers.free_port()
    env = {
        **os.environ,
        **example,
        # What the compose file sets for the web container (database and Redis hosts here).
        "DATABASE_URL": servers.test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "veza.settings",
    }
    stderr = (tmp_path / "gunicorn.log").open("wb")
    web = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "veza.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    check = SERVICES["web"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    command = check[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + servers.READY_DEADLINE_SECONDS
        while True:
            result = subprocess.run(
                [sys.executable, "-c", command], env=env, capture_output=True, timeout=30
            )
            if result.returncode == 0 or web.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        web.terminate()
        web.wait(timeout=30)
        stderr.close()

    log = (tmp_path / "gunicorn.log").read_text()[-3000:]
    assert result.returncode == 0, result.stderr.decode()[-2000:] + log
