"""Open Badges 3.0: a credential signed with the provider's key verifies with the published key, and not
after tampering. LinkedIn's add-to-profile link carries the certificate."""

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
    response = client.get(f"/certificates/{certificate.number}.jwt")
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
    token = response.content.decode()
    published = client.get("/.well-known/jwks.json").json()["keys"]
    [key] = [k for k in published if k["kid"] == json.loads(badges._unb64url(token.split(".")[0]))["kid"]]

    claims = badges.verify_credential(token, key)
    credential = claims["vc"]
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["credentialSubject"]["name"] == "Eva de Vries"
    assert credential["credentialSubject"]["achievement"]["name"] == "Basistraining 2e spoorcoaching"
    assert credential["id"].endswith(f"/verify/{certificate.code}/")
    issuer = client.get("/badges/issuer.json").json()
    assert credential["issuer"]["id"] == issuer["id"] and claims["iss"] == issuer["id"]


def test_a_tampered_badge_does_not_verify(certificate):
    token = badges.signed_credential(certificate)
    header, payload, signature = token.split(".")
    claims = json.loads(badges._unb64url(payload))
    claims["vc"]["credentialSubject"]["name"] = "Iemand Anders"
    forged = f"{header}.{badges._b64url(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(ValueError):
        badges.verify_credential(forged, badges.public_jwk())
    other_key = badges.public_jwk(badges.Ed25519PrivateKey.generate().public_key())
    with pytest.raises(ValueError):
        badges.verify_credential(token, other_key)
    assert badges.verify_credential(token, badges.public_jwk())["sub"] == certificate.number


def test_only_the_holder_gets_the_badge(client, certificate):
    client.force_login(UserFactory())
    assert client.get(f"/certificates/{certificate.number}.jwt").status_code == 404


def test_linkedin_link_fills_in_the_certificate(client, certificate):
    client.force_login(certificate.user)
    html = client.get("/my/certificates/").content.decode()
    assert "Toevoegen aan LinkedIn" in html
    query = parse_qs(urlsplit(services.linkedin_url(certificate)).query)
    assert query["name"] == ["Basistraining 2e spoorcoaching"] and query["certId"] == [certificate.number]
    assert query["certUrl"] == [services.verify_url(certificate)]
    assert query["issueYear"] == [str(certificate.issued_at.year)]
