"""allauth's account adapter: allauth's mails are the portal's mails.

- Their links point at SITE_URL. allauth builds them from the request (its Host header), so a
  reset requested with a forged Host would mail a link to that host, with the reset key in
  it. Like every other mail of the portal (portal.mail.portal_url), they are built from
  SITE_URL instead.
- Their texts are the portal's (templates/account/email/), signed by the secretariat like
  every other mail (portal.mail.signature_context), the site named by its name, never by
  its host; the subject starts with the portal's prefix and is encoded as every portal
  subject is (portal.mail.PortalMessage).
- A user who has not agreed to the current privacy policy is asked once, right after
  logging in, before going where the login was going (accounts.views.privacy_consent).
"""

from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from portal.mail import PortalMessage, portal_url, signature_context

from . import privacy

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
        """The site's name and domain in the mail (allauth's `current_site`) come from the
        settings too, not from the request."""
        domain = urlsplit(settings.SITE_URL).netloc
        links = {key: on_site(context[key]) for key in _OTHER_LINKS if key in context}
        site = SimpleNamespace(name=settings.SITE_NAME, domain=domain)
        super().send_mail(
            template_prefix,
            email,
            {**context, **links, **signature_context(), "current_site": site},
        )

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if privacy.needs_consent(user) and isinstance(response, HttpResponseRedirect):
            query = urlencode({"next": response.url})
            return HttpResponseRedirect(f"{reverse('accounts:privacy_consent')}?{query}")
        return response

    def format_email_subject(self, subject: str) -> str:
        # Outside the f-string, so that makemessages finds it.
        prefix = gettext("[Innovation Net]")
        return f"{prefix} {subject}"

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers)
        return PortalMessage(  # the same message, its subject encoded as the portal's are
            message.subject,
            message.body,
            message.from_email,
            message.to,
            headers=message.extra_headers,
            alternatives=getattr(message, "alternatives", None),
        )
