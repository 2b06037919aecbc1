"""Veza's Django project package.

``__version__`` is the one place the version is written: ``pyproject.toml`` reads it
(dynamic version), the health endpoint and the OpenAPI schema report it, and
``tests/test_version.py`` fails when any other file states a different one.
"""

from .celery import app as celery_app

__version__ = "0.1.0"

__all__ = ["__version__", "celery_app"]
