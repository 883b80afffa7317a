"""Transactional mail from templates, in the portal's language.

Each mail is a pair of templates, `<name>_subject.txt` and `<name>_message.txt`; both get the
context plus `signature_context()` (the secretariat's and the site's names, `site_url`). Bulk
mail goes through the mail engine (outbox/engine.py).
"""

import unicodedata
from email.header import Header
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def signature_context() -> dict:
    """What every mail's signature (templates/partials/email_signature.txt) names: the
    secretariat, the site by its name (never its host) and its address. The names are lazy,
    so that they come out in the language the mail is rendered in."""
    return {
        "secretariat_name": settings.SECRETARIAT_NAME,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }


def render_templated(name: str, context: dict, recipient: str) -> "PortalMessage":
    """The message, for a mail engine renderer; send_templated sends it at once."""
    context = {**signature_context(), **context}
    with translation.override(settings.LANGUAGE_CODE):
        # A title or name in the subject could hold a line break: the subject is one line.
        subject = one_line(render_to_string(f"{name}_subject.txt", context))
        body = render_to_string(f"{name}_message.txt", context)
    return PortalMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def send_templated(name: str, context: dict, recipient: str) -> None:
    render_templated(name, context, recipient).send()


def encode_subject(subject: str) -> str:
    """RFC 2047 encoded words of at most 12 characters each."""
    if subject.isascii():
        return subject
    chunks = (subject[i : i + 12] for i in range(0, len(subject), 12))
    return " ".join(Header(chunk, "utf-8").encode() for chunk in chunks)


class PortalMessage(EmailMultiAlternatives):
    """Mail whose Japanese subject is encoded in short words.

    Django encodes a long subject as words that do not fit after "Subject:", so the line is
    folded straight after the colon and readers show the subject with a leading space.
    """

    def message(self):
        message = super().message()
        del message["Subject"]
        message["Subject"] = encode_subject(str(self.subject))
        return message


def one_line(name: str) -> str:
    """The name with control characters and line breaks as single spaces.

    Names are validated (portal.validators.validate_name), but one stored before that, or
    written by a path that skips validation, must still not start a header line of its own.
    """
    name = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in name)
    return " ".join(name.split())


def mailbox(name: str, address: str) -> str:
    """`name <address>` for a header: the name on one line, RFC 2047 encoded if not ASCII."""
    name = one_line(name)
    return formataddr((name, address), charset="utf-8") if name else address


def portal_url(path: str) -> str:
    return settings.SITE_URL + path
