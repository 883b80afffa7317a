"""No name makes a header (issue 25): every mail the portal sends, with a name holding CR/LF
stored before names were validated, arrives through a real SMTP server without an injected
header, the name on one line.

The mails: each template pair under templates/**/email/ (what portal.mail.render_templated
and send_templated send: the engine's renderers of dues, surveys, assemblies and awards, the
invitation, the newsletter confirmation, the paused-mailing notice), rendered with the name
in every value; the newsletter issue spliced by the engine and built in full (test send).
allauth's mails carry no names (their links: tests/accounts/test_password_reset.py).
"""

from pathlib import Path

import pytest
from django.conf import settings

from newsletter import rendering, services
from newsletter.models import Subscriber
from outbox.models import Delivery
from portal.mail import render_templated
from tests import factories

pytestmark = pytest.mark.django_db

EVIL = "Evil\r\nBcc: victim@evil.example"
ON_ONE_LINE = "Evil Bcc: victim@evil.example"


class Everywhere:
    """A template value that is the evil name as text and itself as any attribute or item."""

    def __str__(self):
        return EVIL

    def __getattr__(self, name):
        return self

    def __getitem__(self, key):
        return self

    def __iter__(self):  # a list of pairs, or a pair
        return iter([self, self])

    def __index__(self):  # for the numbers and dates templates format
        return 1

    def __len__(self):
        return 2

    def __hash__(self):
        return 1

    def __eq__(self, other):
        return other == 1


TEMPLATES = sorted(
    str(path.relative_to(root))[: -len("_subject.txt")]
    for root in (Path(settings.BASE_DIR) / "templates",)
    for path in root.glob("*/email/*_subject.txt")
)


def assert_no_injected_header(message):
    assert message["Bcc"] is None and message["Cc"] is None
    assert "victim@evil.example" not in {a.addr_spec for a in message["To"].addresses}
    assert len(message["To"].addresses) == 1
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])


def test_the_sweep_covers_every_templated_mail():
    assert len(TEMPLATES) >= 14 and "accounts/email/invitation" in TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_templated_mail_keeps_names_out_of_its_headers(smtp_server, name):
    everywhere = Everywhere()
    keys = ("invitation", "mailing", "invoice", "entry", "survey", "assembly", "response",
            "question", "nomination", "organisation", "person", "outstanding", "designated",
            "url", "sections", "edition")  # fmt: skip
    context = dict.fromkeys(keys, everywhere)

    render_templated(name, context, "reader@example.jp").send()

    [message] = smtp_server.messages()
    assert_no_injected_header(message)
    assert [to for to, _raw in smtp_server.received] == [["reader@example.jp"]]


def _evil_subscriber(email):
    subscriber = factories.make_subscriber(email)
    Subscriber.objects.filter(pk=subscriber.pk).update(name=EVIL)  # as if stored long ago
    return subscriber


def test_the_newsletter_issue_encodes_the_readers_name(
    secretariat, smtp_server, django_capture_on_commit_callbacks
):
    _evil_subscriber("reader@example.jp")
    issue = factories.make_issue(secretariat, subject="第1号", body="本文")
    services.mark_test_sent(issue.pk)
    issue.refresh_from_db()
    services.approve(issue, factories.make_user("second@example.jp", is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule(issue)

    [message] = smtp_server.messages()
    assert_no_injected_header(message)
    assert message["To"].addresses[0].display_name == ON_ONE_LINE
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert f"{ON_ONE_LINE} 様" in message.get_body(("plain",)).get_content()


def test_the_newsletter_test_send_encodes_the_name(secretariat, smtp_server):
    issue = factories.make_issue(secretariat, subject="第1号", body="本文")

    rendering.render_test(issue, "reader@example.jp", EVIL).send()

    [message] = smtp_server.messages()
    assert_no_injected_header(message)
    assert message["To"].addresses[0].display_name == ON_ONE_LINE
