"""The layers (README "Layout") hold: imports, model relations and string references
all point down. The contracts live in pyproject.toml ([tool.importlinter]) and run in `make lint`;
these tests show that they pass on the project and fail on an import that breaks them."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _layer_of() -> dict[str, int]:
    """Top-level package -> layer number (0 = lowest)."""
    layers = next(c for c in CONFIG["contracts"] if c["id"] == "layers")["layers"]
    ranks: dict[str, int] = {}
    for rank, layer in enumerate(reversed(layers)):
        for name in re.split(r"[|:]", layer):
            ranks[name.strip()] = rank
    return ranks


LAYER = _layer_of()


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    """A tree of empty packages named like ours, under our own contract configuration."""
    for package in CONFIG["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_project_keeps_every_import_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_pass_on_an_empty_tree_of_our_packages(skeleton: Path) -> None:
    (skeleton / "patients" / "uses_payers.py").write_text("import payers\n")
    result = _lint(skeleton)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        (
            "payers/uses_patients.py",
            "import patients\n",
            "payers is not allowed to import patients",
        ),
        (
            "credentialing/uses_claims.py",
            "from claims import models\n",
            "credentialing is not allowed to import claims",
        ),
        ("rcm/uses_patients.py", "import patients\n", "rcm is not allowed to import patients"),
        (
            "authorizations/uses_consent.py",
            "import consent\n",
            "authorizations is not allowed to import consent",
        ),
        ("coding/uses_django.py", "import django\n", "coding is not allowed to import django"),
        ("edi/uses_rcm.py", "import rcm\n", "edi is not allowed to import rcm"),
    ],
)
def test_an_import_that_breaks_a_layer_fails_the_contracts(
    skeleton: Path, module: str, source: str, broken: str
) -> None:
    (skeleton / module).write_text(source)
    result = _lint(skeleton)
    assert result.returncode != 0
    assert broken in result.stdout


def test_model_relations_point_only_down_the_layers() -> None:
    """String references ("payers.Payer") escape the import graph; the app registry does not."""
    upward = []
    for model in apps.get_models():
        here = model._meta.app_label
        if here not in LAYER:
            continue
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.auto_created or target is None:
                continue
            there = target._meta.app_label
            if there in LAYER and LAYER[there] > LAYER[here]:
                upward.append(f"{model._meta.label}.{field.name} -> {target._meta.label}")
    assert upward == []


MODEL_LABEL = re.compile(r"^([a-z_]+)\.([A-Z]\w+)$")
URL_NAME = re.compile(r"^([a-z_]+):[a-z_]+$")  # "patients:patient_list"


def _upward_string_references(path: Path, package: str) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        label = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODEL_LABEL.match(node.value) or URL_NAME.match(node.value)
            label = match.group(1) if match else None
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                label = first.value.split(".")[0]
        if label in LAYER and LAYER[label] > LAYER[package]:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} -> {label}")
    return found


def test_no_module_names_a_model_or_page_of_a_higher_layer_in_a_string() -> None:
    upward = []
    for package in LAYER:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                upward += _upward_string_references(path, package)
    assert upward == []
