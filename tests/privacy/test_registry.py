"""Each app says what it holds about a person (core.privacy): the registry must know every app's part, or a
person's copy would miss it and their erasure leave it behind."""

from pathlib import Path

from django.apps import apps

from core.privacy import parts, parts_in_erase_order, retention_rules

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_with_a_privacy_module_registers_its_part():
    local_apps = [config for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    holding = {config.name for config in local_apps if (Path(config.path) / "privacy.py").exists()} - {"core"}

    assert {part.app for part in parts()} == holding


def test_the_places_are_erased_last_as_the_other_apps_find_a_persons_data_through_them():
    assert parts_in_erase_order()[-1].app == "courses"


def test_the_apps_retention_rules_are_registered():
    assert {"assignment_files", "evaluations_detached"} <= {rule.name for rule in retention_rules()}
