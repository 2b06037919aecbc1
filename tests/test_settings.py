"""Settings: production values pass the deploy checks; equal JWT and chat secrets do not."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PRODUCTION_PASSWORD_HASHERS

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "prod-" + "k" * 60,
    "CHAT_JWT_SECRET": "chat-" + "c" * 60,
    "FIELD_ENCRYPTION_KEY": "cHJvZC1maWVsZC1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=",
    "ALLOWED_HOSTS": "api.veza.example",
    "DATABASE_URL": "sqlite:////tmp/veza-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    # No real payment gateway ships with Veza: this deployment declares itself a sandbox.
    "BILLING_SANDBOX": "true",
}


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_fails_when_chat_secret_equals_the_jwt_key():
    env = {**PRODUCTION, "CHAT_JWT_SECRET": PRODUCTION["SECRET_KEY"]}

    result = manage("check", "--deploy", **env)

    assert result.returncode != 0
    assert "veza.E001" in result.stderr + result.stdout


@pytest.mark.slow
def test_check_deploy_refuses_the_sandbox_gateway_unless_the_deployment_says_it_is_one():
    env = {k: v for k, v in PRODUCTION.items() if k != "BILLING_SANDBOX"}

    result = manage("check", "--deploy", **env)

    assert result.returncode != 0
    assert "billing.E001" in result.stderr + result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.fixture(scope="module")
def embedded_process() -> dict:
    """What a real process sees with nothing configured: its settings and how it hashes a
    password. One cold Django start serves the two tests below."""
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "from django.contrib.auth.hashers import make_password;"
        "print(json.dumps({'settings': [s.DATABASES['default']['ENGINE'],"
        " s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND,"
        " s.FRONTEND_URL, s.MAINTENANCE_CACHE_TTL, s.HLS_STREAMING,"
        " s.OAUTH_ALLOWED_REDIRECT_DOMAINS],"
        " 'hasher': make_password('correct horse battery staple').split('$')[0]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "veza.settings",
            "HOME": os.environ.get("HOME", "/tmp"),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_nothing_installed(embedded_process):
    assert embedded_process["settings"] == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        True,
        "django.core.mail.backends.console.EmailBackend",
        "http://localhost:8000",
        10,
        False,
        ["localhost"],
    ]


def test_production_hashes_passwords_with_argon2_while_tests_use_a_fast_hasher(embedded_process):
    """The suite swaps in a fast hasher (tests/conftest.py); a real process keeps Argon2."""
    assert embedded_process["hasher"] == "argon2"
    assert PRODUCTION_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
