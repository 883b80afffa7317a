"""Bulk messages spliced from bytes: render a mailing's message once, fill in each reader.

Building a MIME message with Python's email package costs about a millisecond, more than
sending it over a reused connection. A mailing's messages differ only in a few places (the
To header, the Message-ID, the reader's name and links), so the message is rendered once with
placeholder tokens and each delivery replaces them in the bytes.

The placeholders in the body contain Japanese characters, so the email package always
chooses 8bit transfer encoding for the text parts, in which UTF-8 can be spliced as it is.
A template in any other encoding (e.g. quoted-printable for lines over 998 bytes) is not
spliceable, and its renderer builds each message in full instead.
"""

import re
from email.utils import parseaddr

from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

_ENCODINGS = re.compile(rb"^Content-Transfer-Encoding: *(\S+)", re.IGNORECASE | re.MULTILINE)


class _Wire:
    """What Django's mail backends read from message(): bytes already in wire format."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, linesep: str = "\n") -> bytes:
        return self.data

    def get_charset(self):
        return None


class Prepared(EmailMessage):
    """A message in wire format (with its own Message-ID), sent by any mail backend."""

    def __init__(self, data: bytes, from_email: str, envelope_from: str, to: str):
        super().__init__(from_email=from_email, to=[to])
        self.data, self.envelope_from = data, envelope_from

    def message(self):
        return _Wire(self.data)


class MessageTemplate:
    def __init__(self, message: EmailMessage, tokens: list[str]):
        self.data = message.message().as_bytes(linesep="\r\n")
        self.from_email = message.from_email
        self.envelope_from = parseaddr(
            sanitize_address(message.from_email, message.encoding or "utf-8")
        )[1]
        encodings = {value.lower() for value in _ENCODINGS.findall(self.data)}
        self.spliceable = encodings <= {b"8bit", b"7bit"} and all(
            token.encode() in self.data for token in tokens
        )

    def fill(self, to: str, values: dict[str, str]) -> Prepared:
        """The message for one reader; a value with a line break is refused, as some values
        go into headers, where a line break would start a header of the value's choosing."""
        if any("\r" in value or "\n" in value for value in values.values()):
            raise ValueError("A spliced value contains a line break.")
        data = self.data
        for token, value in values.items():
            data = data.replace(token.encode(), value.encode())
        return Prepared(data, self.from_email, self.envelope_from, to)
