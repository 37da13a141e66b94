import pytest

from accounts.models import RegisterMembership
from accounts.registers import register_number_validate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "full_name": "drs. C.M. de Coach", "phone": "06 12345678", "organisation": "Re-integratie Midden",
        "register_nobco": "", "register_noloc": "nl-20931", "register_registerplein": "204417", "register_sra": "",
        "language": "nl",
    }
    return {**data, **overrides}


@pytest.fixture
def coach(client, site):
    user = UserFactory(full_name="Carla")
    client.force_login(user)
    return user


def test_profile_requires_login(client, site):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_coach_saves_profile_and_register_numbers(client, coach):
    response = client.post("/accounts/profile/", profile_data(), follow=True)

    assert "Je profiel is opgeslagen." in response.content.decode()
    coach.refresh_from_db()
    assert coach.full_name == "drs. C.M. de Coach" and coach.organisation == "Re-integratie Midden"
    assert dict(coach.register_memberships.values_list("register", "number")) == {
        "noloc": "NL-20931", "registerplein": "204417",
    }
    html = client.get("/accounts/profile/").content.decode()
    assert 'value="NL-20931"' in html and 'value="drs. C.M. de Coach"' in html


def test_clearing_a_number_ends_the_membership(client, coach):
    client.post("/accounts/profile/", profile_data())
    client.post("/accounts/profile/", profile_data(register_noloc=""))
    assert list(coach.register_memberships.values_list("register", flat=True)) == ["registerplein"]


SHAPE = "Een registernummer bestaat uit 3 tot 20 letters en cijfers"


@pytest.mark.parametrize(
    ("bad_number", "message"),
    [("12", SHAPE), ("NL 20931", SHAPE), ("ABC-DEF", SHAPE), ("<script>", SHAPE),
     ("1" * 21, "niet meer dan 20 tekens bevat")],
)
def test_bad_register_number_is_explained_and_nothing_is_saved(client, coach, bad_number, message):
    response = client.post("/accounts/profile/", profile_data(register_nobco=bad_number, full_name="Nieuwe Naam"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Je profiel is niet opgeslagen" in html
    assert message in html
    coach.refresh_from_db()
    assert coach.full_name == "Carla"
    assert not RegisterMembership.objects.filter(user=coach).exists()


def test_bad_phone_number_is_explained(client, coach):
    html = client.post("/accounts/profile/", profile_data(phone="bel me")).content.decode()
    assert "Vul een telefoonnummer van 8 tot 20 cijfers in" in html


def test_messages_follow_the_language(client, coach):
    html = client.post("/en/accounts/profile/", profile_data(register_nobco="12")).content.decode()
    assert "A register number has 3 to 20 letters and digits" in html


def test_full_name_is_required(client, coach):
    html = client.post("/accounts/profile/", profile_data(full_name="")).content.decode()
    assert "Dit is een verplicht veld." in html


def test_the_database_keeps_one_membership_per_register(coach):
    from django.db import IntegrityError, transaction

    RegisterMembership.objects.create(user=coach, register="nobco", number="4821")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegisterMembership.objects.create(user=coach, register="nobco", number="9999")


@pytest.mark.parametrize("number", ["4821", "NL-20931", "RP.2044/17", "a12"])
def test_plausible_register_numbers_pass(number):
    register_number_validate(number)


def test_email_is_unique_whatever_its_case(site):
    from django.db import IntegrityError, transaction

    UserFactory(email="Coach@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="coach@example.org")


def test_coach_chooses_the_language_of_our_emails(client, coach):
    client.post("/accounts/profile/", profile_data(language="en"))
    coach.refresh_from_db()
    assert coach.language == "en"


def test_registers_that_report_through_pe_online_take_digits_only(client, coach):
    response = client.post("/accounts/profile/", profile_data(register_registerplein="RP-2044"))

    assert "Een Registerplein-nummer bestaat uit 3 tot 10 cijfers" in response.content.decode()
    assert not coach.register_memberships.exists()  # nothing saved, the form shows again
    response = client.post("/accounts/profile/", profile_data(register_sra="12.34"))
    assert "Een Register Arbeidsdeskundigen (SRA)-nummer bestaat uit 3 tot 10 cijfers" in response.content.decode()
