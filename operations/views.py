from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import OPTIONAL, health_report


@never_cache
@require_GET
def healthz(request):
    """For the load balancer and monitoring: 200 when every part is ok ("ok") or only a part the site works without
    is not ("degraded": keep the server in rotation), else 503 saying which part is not."""
    report = health_report()
    failing = {part for part, state in report.items() if state != "ok"}
    status = "unavailable" if failing - set(OPTIONAL) else "degraded" if failing else "ok"
    return JsonResponse({"status": status, **report}, status=503 if status == "unavailable" else 200)
