"""Public verification of a certificate, and the holder's own certificates."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from core import page_cache, ratelimit, storage
from core.models import ProviderSettings

from . import badges
from .models import Certificate, CertificateDesign, PublicStatus
from .services import certificate_pdf_store, expires_at, linkedin_url, public_status, renewal_page


def client_address(request) -> str:
    """The visitor's address; behind TRUSTED_PROXY_COUNT proxies, the one the outermost proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _too_many(request) -> bool:
    """Guessing codes is hopeless (144 random bits), and this makes it slow too: per address per minute."""
    key = f"verify:{client_address(request)}:{timezone.now():%Y%m%d%H%M}"
    return ratelimit.hits(key, window_seconds=70) > settings.CERTIFICATE_VERIFY_LIMIT_PER_MINUTE


def _public_facts(certificate: Certificate) -> dict:
    """What anyone may see: no email, no register numbers, nothing else about the person. A certificate that is
    no longer valid says since when and (revoked) why, and has no validity to show."""
    status = public_status(certificate)
    standing = status in (PublicStatus.VALID, PublicStatus.EXPIRED)
    return {
        "number": certificate.number,
        "holder": certificate.holder_name,
        "course": certificate.course_title,
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),  # the day in the Netherlands
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until and standing else None,
        "status": status,
        "status_since": None if standing or not certificate.status_changed_at
        else timezone.localdate(certificate.status_changed_at).isoformat(),
        "reason": certificate.status_reason if status.is_revoked and not certificate.withdrawn_by_holder else None,
        "provider": certificate.provider.get("name", ""),
    }


@page_cache.cacheable(page_cache.SITE, page_cache.CERTIFICATES)
def verify(request, code: str, fmt: str = "html"):
    """A certificate's public page. Anonymous visitors get it from the cache once someone has looked (no limit
    there: the code is known); what reaches the database is limited per address, so codes cannot be guessed."""
    if _too_many(request):
        response = JsonResponse({"error": "too many requests"}, status=429) if fmt == "json" else render(
            request, "certification/too_many.html", status=429)
        response["Retry-After"] = "60"
        add_never_cache_headers(response)
        return response
    certificate = Certificate.objects.filter(code=code).select_related("replaced_by").first()
    if certificate is None:
        raise Http404
    page_cache.valid_until(request, expires_at(certificate))
    facts = _public_facts(certificate)
    if fmt == "json":
        return JsonResponse(facts)
    return render(request, "certification/verify.html", {"certificate": certificate, "facts": facts})


@login_required
def my_certificates(request):
    certificates = (Certificate.objects.filter(user=request.user).order_by("-issued_at")
                    .select_related("course__recertification_course"))
    today = timezone.localdate()
    return render(request, "certification/my_certificates.html", {
        "certificates": [(certificate, public_status(certificate, today), linkedin_url(certificate),
                          renewal_page(certificate, today)) for certificate in certificates],
    })


@login_required
def certificate_download(request, number: str):
    certificate = certificate_pdf_store(get_object_or_404(Certificate, number=number, user=request.user))
    return storage.download(certificate.pdf, filename=f"{certificate.number}.pdf", content_type="application/pdf",
                            sha256=certificate.sha256)


@login_required
def badge_download(request, number: str):
    """The certificate as a signed Open Badges 3.0 credential, for a wallet or a backpack."""
    certificate = get_object_or_404(Certificate.objects.select_related("user"), number=number, user=request.user)
    response = JsonResponse(badges.signed_credential(certificate), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/vc+ld+json"
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    return response


def badge_issuer(request):
    provider = ProviderSettings.load()
    return JsonResponse(badges.issuer_profile({"name": provider.name, "email": provider.email}, with_key=True))


@page_cache.cacheable(page_cache.SITE, page_cache.CERTIFICATES)
def badge_status_list(request, number: int):
    """The signed revocation list every credential points at. A revocation renders it afresh at once (the
    certificates' topic): a verifier that asks again sees it; one keeping it follows its `ttl` (five minutes)."""
    if str(number) != badges.STATUS_LIST:
        raise Http404
    revoked, since = Certificate.objects.revoked_positions()
    response = JsonResponse(badges.status_list_credential(revoked, valid_from=since),
                            json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/vc+ld+json"
    response["Cache-Control"] = page_cache.CACHE_CONTROL
    return response


def badge_image(request):
    """The picture Open Badges credentials name for their achievement: the provider's seal in its colour."""
    response = HttpResponse(badges.badge_svg(ProviderSettings.load().name, CertificateDesign.load().accent_colour),
                            content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def jwks(request):
    """The public half of the key that signs credentials."""
    return JsonResponse({"keys": [badges.public_jwk()]})
