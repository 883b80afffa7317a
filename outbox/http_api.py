"""Sending through Resend's HTTP API (django-anymail), chosen by EMAIL_URL=resend://KEY@host.

Resend keeps an Idempotency-Key for 24 hours and answers a request repeated with the same key
with its first answer, sending nothing again. Each request's key is the message's Message-ID,
fixed per delivery, so a message posted again (after a timeout, by the retries here or the
engine's, or by a second worker once a lease ran out) still reaches its reader once.
"""

import logging
from email import message_from_bytes, policy
from email.utils import make_msgid
from time import sleep

from anymail.backends.resend import EmailBackend as ResendBackend
from anymail.backends.resend import ResendPayload
from anymail.exceptions import AnymailRequestsAPIError
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives

from .wire import Prepared

logger = logging.getLogger(__name__)

# Headers that are fields of the API request, or that describe the MIME structure Resend
# builds itself. The Date is left to Resend too: it differs between the workers that render a
# spliced issue, and a key reused with another payload is refused (409).
_NOT_FORWARDED = {
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}


def retryable(error: AnymailRequestsAPIError) -> bool:
    """Rate limited (429), a server error (5xx), or the same key still being processed by an
    earlier request (409 concurrent_idempotent_requests): worth trying again later."""
    status = error.status_code
    if status == 409:
        try:
            return error.response.json().get("name") == "concurrent_idempotent_requests"
        except (AttributeError, ValueError):
            return False
    return status is not None and (status == 429 or status >= 500)


def _wait(error: AnymailRequestsAPIError, attempt: int) -> float:
    """Retry-After when the answer gives it in seconds, else 1, 2, 4… s; capped."""
    try:
        seconds = float(error.response.headers["Retry-After"])
    except (KeyError, ValueError):
        seconds = 2.0**attempt
    return min(max(seconds, 0.0), settings.MAILING_API_MAX_WAIT_SECONDS)


def from_wire(message: Prepared) -> EmailMultiAlternatives:
    """A spliced message as the fields and headers the API takes.

    The engine's renderers stay unaware of the transport: parsing the bytes back costs about
    a millisecond, next to nothing beside an HTTPS request, and keeps every header the splice wrote
    (Message-ID, List-Unsubscribe…).
    """
    parsed = message_from_bytes(message.data, policy=policy.default)
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    result = EmailMultiAlternatives(
        subject=str(parsed["Subject"]),
        body=_lines(text) if text else "",
        from_email=message.from_email,
        to=[str(parsed["To"])],
        headers={
            name: str(value)
            for name, value in parsed.items()
            if name.lower() not in _NOT_FORWARDED
        },
    )
    if html is not None:
        result.attach_alternative(_lines(html), "text/html")
    for part in parsed.iter_attachments():
        result.attach(part.get_filename(), part.get_content(), part.get_content_type())
    return result


def _lines(part) -> str:
    """A text part's content with the wire's CRLF as newlines, as a renderer writes it."""
    return part.get_content().replace("\r\n", "\n")


def _message_id(message: EmailMessage) -> str:
    """The message's Message-ID; mail sent outside the engine is given one here, so that the
    retries below cannot send it twice either."""
    for name, value in message.extra_headers.items():
        if name.lower() == "message-id":
            return str(value)
    message.extra_headers["Message-ID"] = make_msgid(domain=settings.MAIL_MESSAGE_ID_DOMAIN)
    return message.extra_headers["Message-ID"]


class EmailBackend(ResendBackend):
    """Resend's backend with each message's Message-ID as its Idempotency-Key, and up to
    MAILING_API_RETRIES retries with backoff when Resend is busy (429) or failing (5xx).

    After the last try the error goes to the caller: the engine then retries the delivery
    later, as it does a 4xx from an SMTP relay; any other 4xx is permanent.
    """

    def _send(self, message):
        if isinstance(message, Prepared):
            message = from_wire(message)
        return super()._send(message)

    def build_message_payload(self, message, defaults):
        headers = {"Idempotency-Key": _message_id(message)}
        return ResendPayload(message, defaults, self, headers=headers)

    def post_to_esp(self, payload, message):
        for attempt in range(settings.MAILING_API_RETRIES):
            try:
                return super().post_to_esp(payload, message)
            except AnymailRequestsAPIError as error:
                if not retryable(error):
                    raise
                wait = _wait(error, attempt)
                logger.warning(
                    "Resend answered %s; trying again in %.1f s",
                    error.status_code,
                    wait,
                    extra={"status": error.status_code, "attempt": attempt + 1},
                )
                sleep(wait)
        return super().post_to_esp(payload, message)
