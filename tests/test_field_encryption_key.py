"""FIELD_ENCRYPTION_KEY: either base64 alphabet is accepted; a bad key fails start-up and the
deploy check with a clear message instead of every OAuth callback answering 500."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from veza import checks, crypto

ROOT = Path(__file__).resolve().parent.parent
# 32 bytes whose base64 uses both alphabet-specific characters ("+/" vs "-_").
RAW = bytes.fromhex("fbff" * 16)
STANDARD = base64.b64encode(RAW).decode()
URL_SAFE = base64.urlsafe_b64encode(RAW).decode()


def test_the_sample_key_really_differs_between_the_two_alphabets():
    assert STANDARD != URL_SAFE
    assert "+" in STANDARD or "/" in STANDARD
    assert "-" in URL_SAFE or "_" in URL_SAFE


@pytest.mark.parametrize(
    "value",
    [STANDARD, STANDARD.rstrip("="), URL_SAFE, URL_SAFE.rstrip("="), f"  {URL_SAFE}\n"],
    ids=["standard", "standard-unpadded", "url-safe", "url-safe-unpadded", "surrounding-space"],
)
def test_standard_and_url_safe_keys_with_or_without_padding_encrypt_and_decrypt(settings, value):
    settings.FIELD_ENCRYPTION_KEY = value

    sealed = crypto.encrypt("provider-token", purpose="test")

    assert crypto.decrypt(sealed, purpose="test") == "provider-token"
    assert sealed.split(":")[1] == crypto.key_id(RAW)
    assert checks.field_encryption_key_decodes(None) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            base64.b64encode(os.urandom(16)).decode(),
            "must decode to 32 bytes (AES-256); it decodes to 16",
        ),
        (base64.urlsafe_b64encode(os.urandom(48)).decode(), "it decodes to 48"),
        ("not base64 at all!", "must be base64"),
        ("", "must be base64"),
    ],
    ids=["16-bytes", "48-bytes", "garbage", "empty"],
)
def test_a_wrong_key_fails_the_deploy_check_with_a_clear_message(settings, value, message):
    settings.FIELD_ENCRYPTION_KEY = value

    errors = checks.field_encryption_key_decodes(None)

    assert [error.id for error in errors] == ["veza.E003"]
    assert message in errors[0].msg


def test_a_wrong_fallback_key_fails_the_deploy_check_too(settings):
    settings.FIELD_ENCRYPTION_KEY_FALLBACKS = [base64.b64encode(b"short").decode()]

    errors = checks.field_encryption_key_decodes(None)

    assert [error.id for error in errors] == ["veza.E003"]


def _manage_check(key: str) -> subprocess.Popen:
    """Start ``manage.py check`` with ``key``; the caller collects it (both run at once)."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "FIELD_ENCRYPTION_KEY": key,
        "DATABASE_URL": "sqlite:////tmp/veza-key-check.sqlite3",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finished(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_a_process_refuses_to_start_with_a_wrong_length_key_and_starts_with_a_url_safe_one():
    refusing = _manage_check(base64.urlsafe_b64encode(os.urandom(24)).decode())
    starting = _manage_check(URL_SAFE.rstrip("="))
    refused, started = _finished(refusing), _finished(starting)

    assert refused.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must decode to 32 bytes" in refused.stderr
    assert started.returncode == 0, started.stderr
