"""The dependency direction between apps: streaming builds on the catalog, never the reverse,
accounts use neither, and no app imports another app's ``_private`` names (docs: STYLE.md,
"What the first wave taught")."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2] / "apps"


def _imports(app: str):
    """(file, imported module, imported names) of every import in an app, at any depth."""
    for path in sorted((APPS / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module, [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name, []


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [("catalog", "apps.streaming"), ("accounts", "apps.catalog"), ("accounts", "apps.streaming")],
)
def test_app_never_imports_the_app_that_builds_on_it(app, forbidden):
    offenders = [
        f"{path.relative_to(APPS)}: {module}"
        for path, module, _ in _imports(app)
        if module == forbidden or module.startswith(forbidden + ".")
    ]

    assert offenders == []


@pytest.mark.parametrize("app", ["catalog", "streaming"])
def test_no_private_name_is_imported_from_another_app(app):
    offenders = [
        f"{path.relative_to(APPS)}: {module}.{name}"
        for path, module, names in _imports(app)
        if module.startswith("apps.") and not module.startswith(f"apps.{app}")
        for name in names
        if name.startswith("_")
    ]

    assert offenders == []
