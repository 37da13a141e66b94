from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter

from core.mail import with_honest_headers
from core.models import ProviderSettings


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails greet from the provider's name, not from the host name the request came in on.

    Failed logins are counted per address ("10/m/ip") and per address and account together (the "key" rate):
    someone guessing passwords for an account from their own address cannot lock its owner out, who logs in
    from another address. Every answer is the same whether the account exists or not."""

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return f"{self.get_client_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"

    def send_mail(self, template_prefix, email, context):
        site = context.get("current_site")
        context["current_site"] = SimpleNamespace(
            name=ProviderSettings.load().name, domain=getattr(site, "domain", "")
        )
        super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        return with_honest_headers(super().render_mail(template_prefix, email, context, headers=headers))
