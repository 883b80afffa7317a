"""Transactional mail from templates, in the portal's language.

Each mail is a pair of templates, `<name>_subject.txt` and `<name>_message.txt`; both get the
context plus `site_url`. Bulk mail (newsletter, campaigns) will get its own engine.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(name: str, context: dict, recipient: str) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{name}_subject.txt", context).strip()
        body = render_to_string(f"{name}_message.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def portal_url(path: str) -> str:
    return settings.SITE_URL + path
