"""Open Badges 3.0 credentials for certificates, signed by the provider (VC-JWT, EdDSA over Ed25519).

The public key is published as a JSON Web Key Set at /.well-known/jwks.json, so anyone can check a
credential without asking us; a changed byte makes the signature fail."""

import base64
import hashlib
import json
from datetime import UTC, datetime, time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.urls import reverse

from .models import Certificate

KEY_ID = "certificates-1"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def issuer_profile(provider: dict) -> dict:
    return {"id": _absolute(reverse("badge_issuer")), "type": ["Profile"], "name": provider.get("name", ""),
            "url": _absolute("/"), **({"email": provider["email"]} if provider.get("email") else {})}


def credential(certificate: Certificate) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0 on the VC data model 1.1) the JWT carries."""
    verify = _absolute(reverse("verify", args=[certificate.code]))
    hours = f"{certificate.net_hours:g}"
    points = "; ".join(f"{a['register']}: {a['points']} PE" for a in certificate.accreditations)
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": verify,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(certificate.provider),
        "issuanceDate": certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": certificate.course_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": _absolute(certificate.course.url) if certificate.course else verify,
                "type": ["Achievement"],
                "name": certificate.course_title,
                "description": f"{certificate.course_title}: {hours} netto contacturen." + (
                    f" {points}." if points else ""),
                "criteria": {"narrative": "Voldaan aan de afrondingseisen van de opleiding (aanwezigheid, "
                                          "toetsen, opdrachten en evaluatie zoals de opleiding die vraagt)."},
            },
        },
    }
    if certificate.valid_until:
        document["expirationDate"] = f"{certificate.valid_until.isoformat()}T23:59:59Z"
    return document


def signed_credential(certificate: Certificate) -> str:
    """A compact JWS: header.payload.signature."""
    document = credential(certificate)
    claims = {"iss": document["issuer"]["id"], "jti": document["id"], "sub": certificate.number,
              "nbf": int(certificate.issued_at.timestamp()), "vc": document}
    if certificate.valid_until:
        claims["exp"] = int(datetime.combine(certificate.valid_until, time(23, 59, 59), tzinfo=UTC).timestamp())
    header = {"alg": "EdDSA", "typ": "JWT", "kid": KEY_ID}
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64url(signing_key().sign(signing_input.encode()))}"


def verify_credential(token: str, jwk: dict) -> dict:
    """The claims, when the signature holds for this public key; ValueError otherwise."""
    try:
        header, payload, signature = token.split(".")
        key = Ed25519PublicKey.from_public_bytes(_unb64url(jwk["x"]))
        key.verify(_unb64url(signature), f"{header}.{payload}".encode())
        return json.loads(_unb64url(payload))
    except (InvalidSignature, ValueError, KeyError) as error:
        raise ValueError("The credential's signature does not verify.") from error
