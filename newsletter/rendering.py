"""Issues into mail and web pages: Markdown to sanitised HTML, a wrapped plain-text part, and
the personalised message the mail engine sends.

An issue is rendered once per worker with placeholders for the reader's name and links; each
message only fills those in, so personalising 20,000 messages costs little more than sending
them.
"""

import unicodedata
from email.utils import formataddr
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from urllib.parse import quote

import markdown
import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.mail import PortalMessage

from .models import Delivery, Issue, Mailing
from .tokens import unsubscribe_token

TEXT_WIDTH = 72  # display columns: a full-width character takes two
# Characters that must not start a line (禁則処理): they stay at the end of the previous one.
NO_LINE_START = set("、。，．,.)）」』】〕！？!?ー～…ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")

_NAME = "\x00NAME\x00"
_UNSUBSCRIBE = "\x00UNSUBSCRIBE\x00"


def markdown_to_html(text: str) -> str:
    """Markdown to HTML that keeps no script, event handler, style or foreign frame."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(html, url_schemes={"http", "https", "mailto"}, link_rel="noopener")


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
        if data.strip() or "\n" not in data:  # not the newlines between HTML tags
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
        "name": _NAME,
        "unsubscribe_url": _UNSUBSCRIBE,
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
        text = render_to_string("newsletter/email/issue.txt", context)
        html = render_to_string("newsletter/email/issue.html", context)
    return text, html


@lru_cache(maxsize=16)
def _sent_shell(mailing_id: int) -> tuple[Issue, tuple[str, str]]:
    """Cached per worker: an issue that is being sent can no longer change."""
    issue = Issue.objects.select_related("masthead").get(mailing_id=mailing_id)
    return issue, _shell(issue)


def build_message(
    issue: Issue,
    shell: tuple[str, str],
    address: str,
    name: str,
    subscriber_id: int | None,
    *,
    subject_prefix: str = "",
) -> PortalMessage:
    text, html = shell
    headers = {"List-Id": f"<newsletter.{settings.MAIL_MESSAGE_ID_DOMAIN}>"}
    link = settings.SITE_URL + reverse("newsletter:preferences")
    if subscriber_id is not None:
        token = unsubscribe_token(subscriber_id, address)
        link = settings.SITE_URL + reverse("newsletter:unsubscribe", args=[token])
        mailto = (
            f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}"
            f"?subject={quote('unsubscribe ' + token)}"
        )
        headers["List-Unsubscribe"] = f"<{link}>, <{mailto}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    greeting = f"{name} 様" if name else ""
    message = PortalMessage(
        subject=subject_prefix + issue.subject,
        body=text.replace(_NAME, greeting).replace(_UNSUBSCRIBE, link),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((name, address)) if name else address],
        headers=headers,
    )
    message.attach_alternative(
        html.replace(_NAME, escape(greeting)).replace(_UNSUBSCRIBE, escape(link)), "text/html"
    )
    return message


def render_issue(mailing: Mailing, delivery: Delivery) -> PortalMessage:
    """The mail engine's renderer for newsletter issues."""
    issue, shell = _sent_shell(mailing.pk)
    return build_message(issue, shell, delivery.address, delivery.name, delivery.subscriber_id)


def render_test(issue: Issue, address: str, name: str) -> PortalMessage:
    """The draft as it stands, for the author's test send."""
    with translation.override(settings.LANGUAGE_CODE):
        prefix = translation.gettext("[TEST] ")
    return build_message(issue, _shell(issue), address, name, None, subject_prefix=prefix)
