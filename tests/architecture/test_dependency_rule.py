"""The dependency rule of pyproject.toml's import contract holds, and the contract would catch a breach:
a copy of the apps with one import pointing up (courses importing payments) fails `lint-imports`."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree,
                          env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, check=False)


def copy_of_the_apps(tmp_path: Path) -> Path:
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "templates",
                                                                                  "static", "locale"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "import_cycles.py", tmp_path / "scripts" / "import_cycles.py")
    return tmp_path


def import_cycles(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(tree / "scripts" / "import_cycles.py")], capture_output=True,
                          text=True, check=False)


def test_the_apps_keep_the_dependency_rule(tmp_path):
    result = lint_imports(copy_of_the_apps(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_that_points_up_breaks_the_contract(tmp_path):
    tree = copy_of_the_apps(tmp_path)
    with (tree / "courses" / "selectors.py").open("a") as selectors:
        selectors.write("\nfrom payments import services as payments  # noqa: E402\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "0 kept, 1 broken" in result.stdout
    assert "courses.selectors -> payments.services" in result.stdout


def test_the_modules_have_no_import_cycle_and_no_import_hidden_in_a_function(tmp_path):
    result = import_cycles(copy_of_the_apps(tmp_path))
    assert result.returncode == 0, result.stdout
    assert " 0 cycles, 0 imports inside functions" in result.stdout


def test_a_cycle_inside_an_app_and_an_import_hidden_in_a_function_are_caught(tmp_path):
    tree = copy_of_the_apps(tmp_path)
    with (tree / "courses" / "models" / "pages.py").open("a") as pages:  # pages -> selectors -> models
        pages.write("\nfrom courses import selectors  # noqa: E402\n")
    with (tree / "payments" / "views.py").open("a") as views:
        views.write("\n\ndef later():\n    from .services import place_cancel\n    return place_cancel\n")

    result = import_cycles(tree)

    assert result.returncode == 1
    assert "1 cycles, 1 imports inside functions" in result.stdout
    assert "courses.models.pages" in result.stdout and "courses.selectors" in result.stdout
    assert "inside a function: payments/views.py:" in result.stdout
