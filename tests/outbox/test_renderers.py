"""Renderers are registered by name by the apps that send; the engine refuses unknown ones."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from outbox import engine, renderers
from outbox.models import Mailing
from tests.outbox.renderers import GREETING, greeting


@pytest.mark.django_db
def test_an_unknown_renderer_is_refused_before_anything_is_stored():
    with pytest.raises(renderers.UnknownRenderer, match="no_such_renderer"):
        engine.start_mailing("第1号", "tests.no_such_renderer", [{"address": "a@example.jp"}])

    assert not Mailing.objects.exists()


def test_a_name_is_given_to_one_renderer_only():
    renderers.register(GREETING, greeting)  # the same again: harmless

    with pytest.raises(ImproperlyConfigured, match=re.escape(GREETING)):
        renderers.register(GREETING, lambda mailing, delivery: None)

    assert renderers.get(GREETING) is greeting


def test_every_app_registers_its_renderers():
    """What the apps pass to start_mailing is registered by their AppConfig.ready()."""
    from assemblies import mail as assemblies_mail
    from awards import decisions
    from awards import mail as awards_mail
    from dues import mail as dues_mail
    from newsletter import rendering
    from surveys import mail as surveys_mail

    expected = {
        dues_mail.INVOICE_NOTICE: dues_mail.render_invoice_notice,
        dues_mail.DUES_REMINDER: dues_mail.render_reminder,
        surveys_mail.RENDERER: surveys_mail.render,
        assemblies_mail.RENDERER: assemblies_mail.render,
        awards_mail.RENDERER: awards_mail.render,
        decisions.NOTIFICATION_RENDERER: decisions.render_notification,
        rendering.ISSUE_RENDERER: rendering.render_issue,
    }
    assert {name: renderers.get(name) for name in expected} == expected
