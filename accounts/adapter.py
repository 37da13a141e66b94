from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter

from home.models import ProviderSettings


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails greet from the provider's name, not from the host name the request came in on."""

    def send_mail(self, template_prefix, email, context):
        site = context.get("current_site")
        context["current_site"] = SimpleNamespace(
            name=ProviderSettings.load().name, domain=getattr(site, "domain", "")
        )
        super().send_mail(template_prefix, email, context)
