"""Open Badges 3.0: a JSON credential signed with the provider's key (eddsa-jcs-2022) verifies with the key
the site publishes, and not after tampering. LinkedIn's add-to-profile link carries the certificate."""

import copy
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from certification import badges, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(classroom):
    return services.certificate_issue(enrolment=classroom.place, actor=classroom.trainer, reason="test")


def test_the_holder_downloads_a_signed_badge_that_verifies_with_the_published_key(client, certificate):
    client.force_login(certificate.user)
    response = client.get(f"/certificates/{certificate.number}.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+ld+json"
    document = json.loads(response.content)
    assert "OpenBadgeCredential" in document["type"]
    assert document["credentialSubject"]["name"] == "Eva de Vries"
    assert document["credentialSubject"]["achievement"]["name"] == "Basistraining 2e spoorcoaching"
    assert document["id"].endswith(f"/verify/{certificate.code}/")

    issuer = client.get("/badges/issuer.json").json()  # what anyone can fetch: the issuer and its key
    assert document["issuer"]["id"] == issuer["id"]
    [method] = [m for m in issuer["verificationMethod"] if m["id"] == document["proof"]["verificationMethod"]]
    assert badges.verify_credential(document, method["publicKeyMultibase"]) == document
    jwks = client.get("/.well-known/jwks.json").json()["keys"]
    assert jwks[0]["kty"] == "OKP" and jwks[0]["crv"] == "Ed25519"


@pytest.mark.parametrize("tamper", [
    lambda d: d["credentialSubject"].__setitem__("name", "Iemand Anders"),
    lambda d: d.__setitem__("validUntil", "2099-12-31T23:59:59Z"),
    lambda d: d["proof"].__setitem__("created", "2020-01-01T00:00:00Z"),
])
def test_a_tampered_badge_does_not_verify(certificate, tamper):
    document = badges.signed_credential(certificate)
    key = badges.public_key_multibase()
    assert badges.verify_credential(copy.deepcopy(document), key)
    forged = copy.deepcopy(document)
    tamper(forged)
    with pytest.raises(ValueError):
        badges.verify_credential(forged, key)


def test_another_key_does_not_verify(certificate):
    other = badges.public_key_multibase(badges.Ed25519PrivateKey.generate().public_key())
    with pytest.raises(ValueError):
        badges.verify_credential(badges.signed_credential(certificate), other)


def test_base58_round_trips():
    for data in (b"", b"\0\0abc", bytes(range(256))):
        assert badges._unbase58(badges._base58(data)) == data


def test_only_the_holder_gets_the_badge(client, certificate):
    client.force_login(UserFactory())
    assert client.get(f"/certificates/{certificate.number}.json").status_code == 404


def test_linkedin_link_fills_in_the_certificate(client, certificate):
    client.force_login(certificate.user)
    html = client.get("/my/certificates/").content.decode()
    assert "Toevoegen aan LinkedIn" in html
    query = parse_qs(urlsplit(services.linkedin_url(certificate)).query)
    assert query["name"] == ["Basistraining 2e spoorcoaching"] and query["certId"] == [certificate.number]
    assert query["certUrl"] == [services.verify_url(certificate)]
    assert query["issueYear"] == [str(certificate.issued_at.year)]
