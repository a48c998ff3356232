"""The NLP core stays Flask-free and offline: checked on the source with ast."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "triage" / "nlp"
FORBIDDEN_ROOTS = {"flask", "sqlalchemy", "werkzeug", "jinja2", "requests", "urllib",
                   "http", "socket", "httpx", "huggingface_hub"}
MODULES = sorted(PACKAGE.glob("*.py"))


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.append("app.triage.nlp" + ("." + node.module if node.module else ""))
            else:
                names.append(node.module or "")
    return names


def test_the_package_has_the_public_modules():
    names = {p.stem for p in MODULES}
    assert {"text", "similarity", "clustering", "types", "evaluation", "petitions",
            "embeddings"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_flask_database_or_app_imports(path):
    for name in imported_modules(path):
        root = name.split(".")[0]
        assert root not in FORBIDDEN_ROOTS, f"{path.name} imports {name}"
        assert not root.startswith("flask"), f"{path.name} imports {name}"
        if root == "app":
            assert name == "app.triage.nlp" or name.startswith("app.triage.nlp."), (
                f"{path.name} imports {name} from outside the NLP core")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_nothing_is_downloaded(path):
    source = path.read_text(encoding="utf-8")
    assert "nltk.download" not in source
    assert "from_pretrained" not in source
