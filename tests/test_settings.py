"""Settings: production values pass the deploy checks; equal JWT and chat secrets do not."""

import json
import os
import re
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
        "veza.email_backends.ReadableConsoleEmailBackend",
        "http://localhost:8000",
        10,
        False,
        ["localhost"],
    ]


def test_production_hashes_passwords_with_argon2_while_tests_use_a_fast_hasher(embedded_process):
    """The suite swaps in a fast hasher (tests/conftest.py); a real process keeps Argon2."""
    assert embedded_process["hasher"] == "argon2"
    assert PRODUCTION_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def env_file(name: str) -> dict[str, str]:
    """The active ``NAME=value`` lines of an example env file."""
    values = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def settings_of(*names: str, **env) -> dict:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}))"
    )
    full_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**full_env, "DJANGO_SETTINGS_MODULE": "veza.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SECURE_FLAGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
)


@pytest.mark.slow
def test_production_keeps_https_and_secure_cookies_on_by_default():
    assert settings_of(*SECURE_FLAGS, **PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    }


@pytest.mark.slow
def test_a_proxy_that_handles_tls_may_turn_the_redirect_and_secure_flags_off():
    env = {
        **PRODUCTION,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
    }

    assert settings_of(*SECURE_FLAGS, **env) == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
    }


def test_the_production_example_lists_every_variable_of_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n### ", 1)[0]
    documented = set(
        re.findall(
            r"`([A-Z][A-Z0-9_]+)`",
            "\n".join(line.split("|")[1] for line in table.splitlines() if line.startswith("| `")),
        )
    )
    example = (ROOT / ".env.production.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert documented, table[:300]
    assert documented <= listed, sorted(documented - listed)
    assert env_file(".env.production.example")["DEBUG"] == "false"


@pytest.mark.slow
def test_the_production_example_passes_the_deploy_check_once_its_secrets_are_replaced():
    env = {
        **env_file(".env.production.example"),
        "SECRET_KEY": "real-" + "s" * 60,
        "CHAT_JWT_SECRET": "chat-" + "c" * 60,
        "FIELD_ENCRYPTION_KEY": PRODUCTION["FIELD_ENCRYPTION_KEY"],
        # No PostgreSQL or payment gateway here: the check itself needs neither.
        "DATABASE_URL": PRODUCTION["DATABASE_URL"],
        "REDIS_URL": PRODUCTION["REDIS_URL"],
        "BILLING_SANDBOX": "true",
    }

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_deploy_check_refuses_the_example_placeholder_secrets():
    env = {
        **env_file(".env.production.example"),
        "DATABASE_URL": PRODUCTION["DATABASE_URL"],
        "BILLING_SANDBOX": "true",
    }

    result = manage("check", "--deploy", **env)

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "veza.E004" in output
    assert "SECRET_KEY, CHAT_JWT_SECRET, FIELD_ENCRYPTION_KEY" in output


@pytest.mark.slow
def test_the_development_example_runs_with_debug_on():
    env = env_file(".env.example")

    assert env["DEBUG"] == "true"
    assert settings_of("DEBUG", "EMAIL_BACKEND", "FRONTEND_URL", **env) == {
        "DEBUG": True,
        "EMAIL_BACKEND": "veza.email_backends.ReadableConsoleEmailBackend",
        "FRONTEND_URL": "http://localhost:8000",
    }
