"""Issues into mail and web pages: Markdown to sanitised HTML, a wrapped plain-text part, and
the personalised message the mail engine sends.

An issue is rendered once per worker with placeholders for the reader's name and links; each
message only fills those in, so personalising 20,000 messages costs little more than sending
them.
"""

import re
import unicodedata
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from outbox.models import Delivery, Mailing
from outbox.wire import MessageTemplate
from portal import names
from portal.html import markdown_to_html
from portal.mail import PortalMessage, mailbox, one_line

from .models import Issue
from .tokens import unsubscribe_token

TEXT_WIDTH = 72  # display columns: a full-width character takes two
# Characters that must not start a line (禁則処理): they stay at the end of the previous one.
NO_LINE_START = set("、。，．,.)）」』】〕！？!?ー～…ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")

ISSUE_RENDERER = "newsletter.issue"

# Placeholders for what differs per reader (see outbox/wire.py: Japanese in the body ones
# keep the text parts 8bit; header ones are ASCII).
_NAME, _NAME_HTML = "@@宛名@@", "@@宛名HTML@@"
_LINK, _LINK_HTML = "@@配信停止@@", "@@配信停止HTML@@"
_TO, _MESSAGE_ID = "@@TO@@", "@@MESSAGE-ID@@"
_HEADER_LINK, _HEADER_TOKEN = "@@UNSUBSCRIBE-URL@@", "@@UNSUBSCRIBE-TOKEN@@"
_TOKENS = [_NAME, _NAME_HTML, _LINK, _LINK_HTML, _TO, _MESSAGE_ID, _HEADER_LINK, _HEADER_TOKEN]


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "FW" else 1


def _tokens(line: str):
    """Runs of non-space ASCII (words, URLs) stay whole; any other character stands alone."""
    word = ""
    for char in line:
        if char.isascii() and not char.isspace():
            word += char
            continue
        if word:
            yield word
            word = ""
        yield char
    if word:
        yield word


def wrap(text: str, width: int = TEXT_WIDTH) -> str:
    """Wrap by display width, breaking between Japanese characters or at spaces."""
    lines = []
    for source in text.splitlines():
        line, used = "", 0
        for token in _tokens(source):
            size = sum(_width(char) for char in token)
            fits = used + size <= width or not line.strip() or token[0] in NO_LINE_START
            if token.isspace() and not fits:
                token, size = "", 0
            if not fits and not token.isspace():
                lines.append(line.rstrip())
                line, used = "", 0
            line += token
            used += size
        lines.append(line.rstrip())
    return "\n".join(lines)


_SOFT_BREAK_CJK = re.compile(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])")


class _TextConverter(HTMLParser):
    """Sanitised HTML to readable text: headings marked, list items bulleted, links spelt out."""

    BLOCKS = {"p", "div", "ul", "ol", "table", "tr", "blockquote", "pre", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.parts.append("\n\n")
        if tag in {"h1", "h2"}:
            self.parts.append("■ ")
        elif tag in {"h3", "h4", "h5", "h6"}:
            self.parts.append("● ")
        elif tag == "li":
            self.parts.append("\n・")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("――――――――――")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and href not in self.parts[-1:]:
                self.parts.append(f" <{href}>")
        elif tag in {"td", "th"}:
            self.parts.append("  ")

    def handle_data(self, data):
        if not data.strip() and "\n" in data:
            return  # the newlines between HTML tags
        # A newline in HTML text is a space, except between Japanese characters.
        data = _SOFT_BREAK_CJK.sub("", data).replace("\n", " ")
        if self.parts and self.parts[-1].endswith("\n"):
            data = data.lstrip()
        self.parts.append(data)

    def text(self) -> str:
        paragraphs = "".join(self.parts).split("\n\n")
        kept = ("\n".join(line.strip() for line in p.strip().splitlines()) for p in paragraphs)
        return "\n\n".join(p for p in kept if p)


def html_to_text(html: str) -> str:
    converter = _TextConverter()
    converter.feed(html)
    converter.close()
    return wrap(converter.text())


def _context(issue: Issue) -> dict:
    return {
        "issue": issue,
        "header_html": markdown_to_html(issue.masthead.header),
        "footer_html": markdown_to_html(issue.masthead.footer),
        "body_html": markdown_to_html(issue.body),
        "archive_url": settings.SITE_URL + reverse("newsletter:issue", args=[issue.pk]),
        "preferences_url": settings.SITE_URL + reverse("newsletter:preferences"),
    }


def _shell(issue: Issue) -> tuple[str, str]:
    """The issue's text and HTML parts with placeholders for what differs per reader."""
    context = _context(issue)
    context.update(
        header_text=html_to_text(context["header_html"]),
        footer_text=html_to_text(context["footer_html"]),
        body_text=html_to_text(context["body_html"]),
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "newsletter/email/issue.txt", {**context, "name": _NAME, "unsubscribe_url": _LINK}
        )
        html = render_to_string(
            "newsletter/email/issue.html",
            {**context, "name": _NAME_HTML, "unsubscribe_url": _LINK_HTML},
        )
    return text, html


def _compose(issue: Issue, text: str, html: str, to: str, headers: dict, prefix: str = ""):
    message = PortalMessage(
        subject=prefix + issue.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"List-Id": f"<newsletter.{settings.MAIL_MESSAGE_ID_DOMAIN}>", **headers},
    )
    message.attach_alternative(html, "text/html")
    return message


def _unsubscribe_headers(link: str, token: str) -> dict:
    # The token is URL-safe as it is (digits, "-" and hex), placeholder included.
    mailto = f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{token}"
    return {
        "List-Unsubscribe": f"<{link}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@lru_cache(maxsize=4)
def _unsubscribe_url_parts(site_url: str) -> tuple[str, str]:
    """The unsubscribe URL around its token, reversed once (reverse() costs per message)."""
    url = site_url + reverse("newsletter:unsubscribe", args=["TOKEN"])
    prefix, _token, suffix = url.rpartition("TOKEN")
    return prefix, suffix


def _greeting(name: str) -> str:
    """「山田 花子 様」, in the language the issue is written in (the portal's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return names.to_person(name)


def _personal(address: str, name: str, subscriber_id: int | None) -> dict[str, str]:
    """The placeholders' values for one reader; without a subscription, no unsubscribe link."""
    greeting = _greeting(one_line(name)) if name else ""
    token = unsubscribe_token(subscriber_id, address) if subscriber_id is not None else ""
    prefix, suffix = _unsubscribe_url_parts(settings.SITE_URL)
    link = (
        prefix + token + suffix if token else settings.SITE_URL + reverse("newsletter:preferences")
    )
    return {
        _NAME: greeting,
        _NAME_HTML: escape(greeting),
        _LINK: link,
        _LINK_HTML: escape(link),
        _TO: mailbox(name, address),
        _HEADER_LINK: link,
        _HEADER_TOKEN: token,
    }


def build_message(
    issue: Issue,
    shell: tuple[str, str],
    address: str,
    name: str,
    subscriber_id: int | None,
    *,
    subject_prefix: str = "",
) -> PortalMessage:
    """One reader's message, built in full."""
    values = _personal(address, name, subscriber_id)
    text, html = shell
    for token in (_NAME, _LINK):
        text = text.replace(token, values[token])
    for token in (_NAME_HTML, _LINK_HTML):
        html = html.replace(token, values[token])
    headers = _unsubscribe_headers(values[_LINK], values[_HEADER_TOKEN]) if subscriber_id else {}
    return _compose(issue, text, html, mailbox(name, address), headers, subject_prefix)


@lru_cache(maxsize=16)
def _sent_issue(mailing_id: int) -> tuple[Issue, tuple[str, str], MessageTemplate]:
    """Cached per worker: an issue that is being sent can no longer change."""
    issue = Issue.objects.select_related("masthead").get(mailing_id=mailing_id)
    shell = _shell(issue)
    headers = {
        **_unsubscribe_headers(_HEADER_LINK, _HEADER_TOKEN),
        "Message-ID": f"<{_MESSAGE_ID}>",
    }
    return issue, shell, MessageTemplate(_compose(issue, *shell, _TO, headers), _TOKENS)


def render_issue(mailing: Mailing, delivery: Delivery):
    """The mail engine's renderer for newsletter issues: spliced from the issue's template."""
    issue, shell, template = _sent_issue(mailing.pk)
    subscriber_id = delivery.context.get("subscriber")
    if subscriber_id is None or not template.spliceable:
        return build_message(issue, shell, delivery.address, delivery.name, subscriber_id)
    values = _personal(delivery.address, delivery.name, subscriber_id)
    values[_MESSAGE_ID] = delivery.message_id[1:-1]
    return template.fill(delivery.address, values)


def render_test(issue: Issue, address: str, name: str) -> PortalMessage:
    """The draft as it stands, for the author's test send."""
    with translation.override(settings.LANGUAGE_CODE):
        prefix = translation.gettext("[TEST] ")
    return build_message(issue, _shell(issue), address, name, None, subject_prefix=prefix)
