"""Open Badges 3.0 credentials for certificates: JSON, signed by the provider with a Data Integrity proof
(eddsa-jcs-2022: Ed25519 over the canonical JSON).

The public key is published in the issuer profile (/badges/issuer.json, as a Multikey) and as a JSON Web Key
Set (/.well-known/jwks.json), so anyone can check a credential without asking us; a changed byte fails.

Revocation: each credential points at its bit in a W3C Bitstring Status List (v1.0, purpose "revocation")
that we publish, signed with the same key, at /badges/status/1.json. A revoked or replaced certificate's bit is
1. The list has the spec's minimum of 131,072 entries and each certificate's position is drawn at random
(certification.models), so a position reveals nothing."""

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from core.links import absolute_url

from .models import STATUS_LIST_SIZE, Certificate

KEY_ID = "certificates-1"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
STATUS_LIST = "1"  # the one list in use; a second would follow when the first is full
STATUS_LIST_TTL_SECONDS = 300  # how long a verifier may keep the list (its `ttl`; the response says no more)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signing_key() -> Ed25519PrivateKey:
    if settings.CERTIFICATE_SIGNING_KEY:
        seed = base64.b64decode(settings.CERTIFICATE_SIGNING_KEY)
    else:  # demo and tests only: production requires CERTIFICATE_SIGNING_KEY
        seed = hashlib.sha256(f"certificate-signing:{settings.SECRET_KEY}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_jwk(key: Ed25519PublicKey | None = None) -> dict:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = key or signing_key().public_key()
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": KEY_ID, "use": "sig", "alg": "EdDSA"}


def issuer_profile(provider: dict, *, with_key: bool = False) -> dict:
    """The issuer as a credential names it, or (with_key) the profile we publish: then a JSON-LD document of its
    own whose key may make assertions (the proof purpose of every credential and status list we sign)."""
    profile = {"id": absolute_url(reverse("badge_issuer")), "type": ["Profile"], "name": provider.get("name", ""),
               "url": absolute_url("/"), **({"email": provider["email"]} if provider.get("email") else {})}
    if with_key:
        profile = {"@context": [*CONTEXT, "https://w3id.org/security/multikey/v1"], **profile}
        profile["verificationMethod"] = [{"id": verification_method_id(), "type": "Multikey",
                                          "controller": profile["id"],
                                          "publicKeyMultibase": public_key_multibase()}]
        profile["assertionMethod"] = [verification_method_id()]
    return profile


def _number(value: Decimal) -> str:
    """6 rather than 6.0; 7.5 stays."""
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def badge_svg(name: str, colour: str) -> str:
    """The badge's picture: a round seal in the provider's colour with its initials."""
    initials = "".join(word[0] for word in name.split()[:3] if word[:1].isalnum()).upper() or "✓"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" aria-label="{escape(name)}">'
            f'<circle cx="100" cy="100" r="96" fill="{escape(colour)}"/>'
            f'<circle cx="100" cy="100" r="80" fill="none" stroke="#fff" stroke-width="4"/>'
            f'<text x="100" y="118" font-family="Helvetica, Arial, sans-serif" font-size="52" font-weight="700" '
            f'fill="#fff" text-anchor="middle">{escape(initials)}</text></svg>')


def credential(certificate: Certificate) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0, on the Verifiable Credentials data model 2.0)."""
    verify = absolute_url(reverse("verify", args=[certificate.code]))
    hours = _number(certificate.net_hours)
    points = "; ".join(f"{a['register']}: {_number(Decimal(a['points']))} PE" for a in certificate.accreditations)
    document = {
        "@context": CONTEXT,
        "id": verify,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(certificate.provider),
        "validFrom": certificate.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": certificate.course_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            **({"identifier": [holder_identity(certificate)]} if certificate.user_id else {}),
            "name": certificate.holder_name,
            "achievement": {
                "id": absolute_url(certificate.course.url) if certificate.course else verify,
                "type": ["Achievement"],
                "name": certificate.course_title,
                "image": {"id": absolute_url(reverse("badge_image")), "type": "Image"},
                "description": f"{certificate.course_title}: {hours} netto contacturen." + (
                    f" {points}." if points else ""),
                "criteria": {"narrative": "Voldaan aan de afrondingseisen van de opleiding (aanwezigheid, "
                                          "toetsen, opdrachten en evaluatie zoals de opleiding die vraagt)."},
            },
        },
    }
    if certificate.valid_until:
        document["validUntil"] = f"{certificate.valid_until.isoformat()}T23:59:59Z"
    if certificate.status_list_index is not None:
        document["credentialStatus"] = {
            "id": f"{status_list_url()}#{certificate.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_index),
            "statusListCredential": status_list_url(),
        }
    return document


def holder_identity(certificate: Certificate) -> dict:
    """Who the badge belongs to without saying it (Open Badges 3.0 IdentityObject): the SHA-256 of the holder's
    email address and a salt, so a verifier who is given the address can check it. The salt is the credential's
    own (from its verification code), so one address hashes differently in each credential."""
    salt = hashlib.sha256(f"identity-salt:{certificate.code}".encode()).hexdigest()[:16]
    digest = hashlib.sha256((certificate.user.email.lower() + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
            "identityHash": f"sha256${digest}", "salt": salt}


def status_list_url() -> str:
    return absolute_url(reverse("badge_status_list", args=[STATUS_LIST]))


def encoded_list(positions: Iterable[int]) -> str:
    """The bitstring with these positions set (position 0 is the first byte's most significant bit), GZIP'd
    and base64url-encoded without padding, as multibase ("u")."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    return "u" + _b64url(gzip.compress(bytes(bits), mtime=0))


def status_list_credential(revoked: Iterable[int], *, valid_from: datetime) -> dict:
    """The signed BitstringStatusListCredential: `revoked` are the positions of certificates no longer valid."""
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": absolute_url(reverse("badge_issuer")),
        "validFrom": valid_from.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{status_list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked),
            "ttl": STATUS_LIST_TTL_SECONDS * 1000,
        },
    }
    return signed(document)


# Data Integrity proof, cryptosuite eddsa-jcs-2022: JSON canonicalisation (RFC 8785), SHA-256, Ed25519.

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_MULTICODEC = b"\xed\x01"


def _base58(data: bytes) -> str:
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def _unbase58(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _canonical(value) -> bytes:
    """RFC 8785 for the values a credential holds here (strings, integers, lists, objects)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public_key_multibase(key: Ed25519PublicKey | None = None) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = key or signing_key().public_key()
    return "z" + _base58(ED25519_MULTICODEC + key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def verification_method_id() -> str:
    return absolute_url(reverse("badge_issuer")) + f"#{KEY_ID}"


def _hash_data(document: dict, proof: dict) -> bytes:
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    config = {name: value for name, value in proof.items() if name != "proofValue"}
    config["@context"] = unsecured["@context"]
    return hashlib.sha256(_canonical(config)).digest() + hashlib.sha256(_canonical(unsecured)).digest()


def signed_credential(certificate: Certificate) -> dict:
    """The credential with its proof: what a wallet or backpack imports."""
    return signed(credential(certificate))


def signed(document: dict) -> dict:
    """The document with a Data Integrity proof by the provider's key, for the purpose of asserting it."""
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
             "created": document["validFrom"], "verificationMethod": verification_method_id(),
             "proofPurpose": "assertionMethod"}
    proof["proofValue"] = "z" + _base58(signing_key().sign(_hash_data(document, proof)))
    return {**document, "proof": proof}


def verify_credential(document: dict, public_key_multibase_value: str) -> dict:
    """The document, when its proof holds for this public key (multibase Ed25519); ValueError otherwise."""
    try:
        proof = document["proof"]
        if proof.get("cryptosuite") != "eddsa-jcs-2022" or not proof["proofValue"].startswith("z"):
            raise ValueError("unsupported proof")
        raw_key = _unbase58(public_key_multibase_value.removeprefix("z"))
        if not raw_key.startswith(ED25519_MULTICODEC):
            raise ValueError("not an Ed25519 key")
        key = Ed25519PublicKey.from_public_bytes(raw_key[len(ED25519_MULTICODEC):])
        key.verify(_unbase58(proof["proofValue"][1:]), _hash_data(document, proof))
        return document
    except (InvalidSignature, ValueError, KeyError, TypeError) as error:
        raise ValueError("The credential's proof does not verify.") from error
