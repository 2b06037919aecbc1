"""One version number, written once in ``veza/__init__.py``; every other statement agrees."""

import re
import tomllib
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest

from veza import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_takes_the_version_from_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "veza.__version__"}


def test_installed_distribution_reports_the_package_version():
    assert installed_version("veza") == __version__


@pytest.mark.parametrize(
    ("relative", "pattern"),
    [
        ("README.md", r"Current version: \*\*([0-9][^*]*)\*\*"),
        ("Dockerfile", r'org\.opencontainers\.image\.version="([^"]+)"'),
        ("docker-compose.yml", r"image: veza:([0-9][^\s]*)"),
    ],
)
def test_every_file_that_states_a_version_agrees(relative, pattern):
    text = (ROOT / relative).read_text()

    stated = re.findall(pattern, text)

    assert stated, f"{relative} no longer states the version; update this test"
    assert set(stated) == {__version__}


def test_openapi_schema_reports_the_package_version(settings):
    assert settings.SPECTACULAR_SETTINGS["VERSION"] == __version__
