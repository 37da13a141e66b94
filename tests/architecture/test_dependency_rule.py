"""The dependency rule of pyproject.toml's import contract holds, and the contract would catch a breach:
a copy of the apps with one import pointing up (courses importing payments) fails `lint-imports`."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

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
    assert "2 kept, 0 broken" in result.stdout


def lint_with_an_import_added(tmp_path, module: str, line: str) -> subprocess.CompletedProcess:
    """import-linter on a copy of the apps in which `module` (a path) gained the import `line`."""
    tree = copy_of_the_apps(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"\n{line}  # noqa: E402\n")
    return lint_imports(tree)


@pytest.mark.parametrize(("module", "line", "said"), [
    ("courses/selectors.py", "from payments import refunds", "courses.selectors -> payments.refunds"),
    ("privacy/services.py", "from courses.models import Enrolment", "privacy is not allowed to import courses"),
], ids=["an import pointing up", "privacy reading an app's records itself"])
def test_an_import_against_a_contract_breaks_it(tmp_path, module, line, said):
    result = lint_with_an_import_added(tmp_path, module, line)

    assert result.returncode != 0
    assert "1 kept, 1 broken" in result.stdout
    assert said in result.stdout


def test_the_modules_have_no_import_cycle_and_no_import_hidden_in_a_function(tmp_path):
    result = import_cycles(copy_of_the_apps(tmp_path))
    assert result.returncode == 0, result.stdout
    assert " 0 cycles, 0 imports inside functions" in result.stdout


def test_a_cycle_inside_an_app_and_an_import_hidden_in_a_function_are_caught(tmp_path):
    tree = copy_of_the_apps(tmp_path)
    with (tree / "courses" / "models" / "pages.py").open("a") as pages:  # pages -> selectors -> models
        pages.write("\nfrom courses import selectors  # noqa: E402\n")
    with (tree / "payments" / "views.py").open("a") as views:
        views.write("\n\ndef later():\n    from .refunds import refund_request\n    return refund_request\n")

    result = import_cycles(tree)

    assert result.returncode == 1
    assert "1 cycles, 1 imports inside functions, 0 private names" in result.stdout
    assert "courses.models.pages" in result.stdout and "courses.selectors" in result.stdout
    assert "inside a function: payments/views.py:" in result.stdout


def test_a_private_name_used_by_another_module_is_caught(tmp_path):
    """What another module needs is public and named for what it does: `from x import _name` or `x._name`."""
    tree = copy_of_the_apps(tmp_path)
    with (tree / "places" / "changes.py").open("a") as changes:
        changes.write("\nfrom payments.refunds import _refund_settled  # noqa: E402\n"
                      "from courses import seating  # noqa\n\n\ndef peek():\n    return seating._hidden\n")

    result = import_cycles(tree)

    assert result.returncode == 1
    assert "2 private names across modules" in result.stdout
    assert "places/changes.py" in result.stdout and "payments.refunds._refund_settled" in result.stdout
    assert "courses.seating._hidden" in result.stdout
