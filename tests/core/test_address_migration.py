"""Addresses typed in one field before they were kept in parts: the migration splits them where the postcode shows
where, and leaves what it cannot tell apart in the street for the office to finish."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0005_organisation_approval")]  # places' company addresses split with the same function
AFTER = [("accounts", "0006_structured_address")]


def migrate(targets):
    """Migrates the test database to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_organisations_keep_their_address_in_parts_after_the_migration():
    try:
        apps = migrate(BEFORE)
        Organisation = apps.get_model("accounts", "Organisation")
        Organisation.objects.create(name="De Brug", invoice_address="Brugstraat 12\n3811 ab  Amersfoort",
                                    invoice_email="f@debrug.example")
        Organisation.objects.create(name="Vaag", invoice_address="ergens achter de dijk",
                                    invoice_email="v@vaag.example")

        apps = migrate(AFTER)
        Organisation = apps.get_model("accounts", "Organisation")
        assert list(Organisation.objects.order_by("name").values_list("name", "street", "postcode", "city",
                                                                         "country")) == [
            ("De Brug", "Brugstraat 12", "3811 AB", "Amersfoort", "NL"),
            ("Vaag", "ergens achter de dijk", "", "", "NL")]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
