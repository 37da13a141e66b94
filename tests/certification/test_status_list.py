"""A revoked certificate's badge stops verifying as valid: every credential points at its bit in the W3C
Bitstring Status List we publish, signed with the same key. Checked as a verifier would, with code of its own:
the list decoded here (multibase base64url, GZIP, the first bit the most significant), the signatures checked
with RFC 8032's reference Ed25519 (tests/ed25519_reference.py), not the library that signed them."""

import base64
import gzip
import hashlib
import json
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from certification import services
from tests import ed25519_reference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@pytest.fixture
def certificate(classroom):
    return services.certificate_issue(enrolment=classroom.place, actor=classroom.trainer, reason="test")


def fetch(url: str) -> dict:
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 200, url
    return json.loads(response.content)


def bit(status_list: dict, position: int) -> int:
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase: base64url without padding
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 >= 131_072  # the spec's minimum size: a position says nothing about anyone
    return raw[position // 8] >> (7 - position % 8) & 1


def set_bits(status_list: dict) -> int:
    encoded = status_list["credentialSubject"]["encodedList"][1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return sum(bin(byte).count("1") for byte in raw)


def unbase58(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58.index(char)
    return b"\0" * (len(text) - len(text.lstrip("1"))) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def jcs(value) -> bytes:
    """RFC 8785 for what these documents hold (strings, integers, booleans, lists, objects)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def proof_holds(document: dict, issuer: dict) -> bool:
    """eddsa-jcs-2022, as a strict verifier checks it: the key must be one the issuer lists for assertions."""
    proof = document["proof"]
    assert proof["cryptosuite"] == "eddsa-jcs-2022" and proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] in issuer["assertionMethod"]
    [method] = [m for m in issuer["verificationMethod"] if m["id"] == proof["verificationMethod"]]
    key = unbase58(method["publicKeyMultibase"].removeprefix("z"))
    assert key[:2] == b"\xed\x01"  # the multicodec of an Ed25519 public key
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    config = {**{name: value for name, value in proof.items() if name != "proofValue"},
              "@context": unsecured["@context"]}
    signed = hashlib.sha256(jcs(config)).digest() + hashlib.sha256(jcs(unsecured)).digest()
    return ed25519_reference.verify(key[2:], signed, unbase58(proof["proofValue"].removeprefix("z")))


def test_revoking_sets_the_credentials_bit_in_the_signed_status_list(client, certificate):
    client.force_login(certificate.user)
    badge = json.loads(client.get(f"/certificates/{certificate.number}.json").content)
    entry = badge["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    position = int(entry["statusListIndex"])
    issuer = fetch(badge["issuer"]["id"])
    assert proof_holds(badge, issuer)

    before = fetch(entry["statusListCredential"])
    assert before["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert before["id"] == entry["statusListCredential"] and before["issuer"] == issuer["id"]
    assert before["credentialSubject"]["statusPurpose"] == "revocation"
    assert proof_holds(before, issuer)
    assert bit(before, position) == 0 and set_bits(before) == 0

    services.certificate_revoke(certificate=certificate, actor=UserFactory(is_staff=True), reason="Fraude")

    after = fetch(entry["statusListCredential"])
    assert bit(after, position) == 1 and set_bits(after) == 1
    assert proof_holds(after, issuer)
    forged = json.loads(json.dumps(after))
    forged["credentialSubject"]["encodedList"] = before["credentialSubject"]["encodedList"]
    assert not proof_holds(forged, issuer)  # an old list cannot be passed off with the new signature


def test_a_replaced_certificates_bit_is_set_and_its_successor_has_a_bit_of_its_own(certificate):
    new = services.certificate_reissue(certificate=certificate, actor=UserFactory(is_staff=True),
                                       reason="Naam verbeterd")
    certificate.refresh_from_db()
    status_list = fetch("http://testserver/badges/status/1.json")
    assert new.status_list_index != certificate.status_list_index
    assert bit(status_list, certificate.status_list_index) == 1 and bit(status_list, new.status_list_index) == 0


def test_the_status_list_is_renewed_at_once_and_caches_must_ask_again(certificate):
    first = Client().get("/badges/status/1.json")
    assert first["Content-Type"] == "application/vc+ld+json"
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate" and first["ETag"]
    assert json.loads(first.content)["credentialSubject"]["ttl"] == 300_000  # five minutes, in milliseconds
    services.certificate_revoke(certificate=certificate, actor=UserFactory(is_staff=True), reason="Fraude")
    assert Client().get("/badges/status/1.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert Client().get("/badges/status/2.json").status_code == 404


def test_the_holder_is_identified_by_a_salted_hash_of_their_email(certificate):
    from certification import badges

    identity = badges.credential(certificate)["credentialSubject"]["identifier"][0]
    assert identity["type"] == "IdentityObject" and identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True and certificate.user.email not in json.dumps(identity)
    expected = hashlib.sha256((certificate.user.email.lower() + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


def test_the_issuer_profile_is_a_json_ld_document_whose_key_may_assert():
    issuer = Client().get("/badges/issuer.json").json()
    assert "https://www.w3.org/ns/credentials/v2" in issuer["@context"]
    assert issuer["assertionMethod"] == [issuer["verificationMethod"][0]["id"]]


def test_the_holder_hears_of_the_revocation_with_the_reason(certificate, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_revoke(certificate=certificate, actor=UserFactory(is_staff=True),
                                    reason="De opdracht bleek niet zelf gemaakt")
    [message] = mail.outbox
    assert message.to == [certificate.user.email]
    assert message.subject == f"Je certificaat {certificate.number} is ingetrokken"
    assert "De opdracht bleek niet zelf gemaakt" in message.body and "niet meer geldig" in message.body


def test_positions_are_drawn_at_random_not_in_order(course):
    from datetime import date

    from certification.models import STATUS_LIST_SIZE
    from tests.factories import make_certificate

    positions = [make_certificate(course, UserFactory(), date(2026, 11, 20), []).status_list_index
                 for _ in range(6)]
    assert len(set(positions)) == 6 and all(0 <= position < STATUS_LIST_SIZE for position in positions)
    assert max(positions) - min(positions) > 100  # not handed out one after another
