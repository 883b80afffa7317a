"""allauth's account adapter: the links in allauth's mails point at SITE_URL.

allauth builds them from the request (its Host header), so a reset requested with a forged
Host would mail a link to that host, with the reset key in it. Like every other mail of the
portal (portal.mail.portal_url), they are built from SITE_URL instead.
"""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from portal.mail import portal_url

# Links allauth puts into a mail's context without an adapter method to build them (the
# mails for an unknown address and for an address that has an account already).
_OTHER_LINKS = ("signup_url", "password_reset_url")


def on_site(url: str) -> str:
    """The same path (and query) under SITE_URL, whatever host the URL was built with."""
    parts = urlsplit(url)
    return portal_url(parts.path + (f"?{parts.query}" if parts.query else ""))


class AccountAdapter(DefaultAccountAdapter):
    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """The site's name and domain in the mail (allauth's `current_site`) come from
        SITE_URL too, not from the request."""
        domain = urlsplit(settings.SITE_URL).netloc
        links = {key: on_site(context[key]) for key in _OTHER_LINKS if key in context}
        site = SimpleNamespace(name=domain, domain=domain)
        super().send_mail(template_prefix, email, {**context, **links, "current_site": site})
