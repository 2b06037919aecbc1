"""`make run` prints nothing that looks like an error: no kombu hostname warning with the
in-process broker, and each log line once (Django's logger and the root's used to both print)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import logging
import django

django.setup()
logging.getLogger("django.request").warning("probe-line")
logging.getLogger("django.utils.autoreload").info("Watching for file changes with StatReloader")
from veza.tasks import send_templated_email

send_templated_email.delay(
    template="password_reset",
    to="someone@example.com",
    context={"username": "someone", "link": "http://localhost:8000/reset-password?token=abc"},
)
"""


def test_a_development_process_logs_each_line_once_and_warns_about_nothing():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "veza.settings",
    }

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("probe-line") == 1, output
    assert output.count("Watching for file changes") == 1, output
    assert "No hostname was supplied" not in output, output
    assert "http://localhost:8000/reset-password?token=abc\n" in result.stdout
    assert "WARNING" not in output.replace("WARNING django.request probe-line", ""), output
