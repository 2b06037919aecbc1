"""The boundaries of docs/architecture.md that import-linter cannot see: no app imports another
app's ``_private`` names, and ``veza/`` names no app in an import (the direction between apps is
checked by ``lint-imports`` in ``make lint``)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = sorted(path.name for path in (ROOT / "apps").iterdir() if (path / "apps.py").exists())


def _imports(folder: Path):
    """(file, imported module, imported names) of every import in a folder, at any depth."""
    for path in sorted(folder.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module, [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name, []


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_a_private_name_of_another_app(app):
    offenders = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path, module, names in _imports(ROOT / "apps" / app)
        if module.startswith("apps.") and not module.startswith(f"apps.{app}")
        for name in names
        if name.startswith("_") or any(part.startswith("_") for part in module.split("."))
    ]

    assert offenders == []


def test_the_ground_floor_imports_no_app():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module, _ in _imports(ROOT / "veza")
        if module == "apps" or module.startswith("apps.")
    ]

    assert offenders == []
