from datetime import date

import pytest
from django.core import mail

from dues import services
from dues.mail import send_dues_reminders
from dues.models import ReminderRule, ReminderSent
from members.models import PersonRole
from members.services import assign_role
from outbox.models import Mailing
from tests import factories

pytestmark = pytest.mark.django_db


def overdue_invoice(organisation):
    """An invoice due on 2026-05-01; the organisation has only a primary contact."""
    year = factories.due_membership_year(organisation, units=2)
    assign_role(
        factories.make_person(organisation, email="primary@isico.example.jp"),
        PersonRole.Kind.PRIMARY,
    )
    return services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)


@pytest.fixture
def overdue(organisation):
    factories.make_issuer()
    return overdue_invoice(organisation)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """send_dues_reminders, with the mail engine's workers run once it commits."""

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return send_dues_reminders(day)

    return run


def test_reminders_are_sent_once_per_rule_and_invoice(overdue, remind):
    ReminderRule.objects.create(days_after_due=14)
    ReminderRule.objects.create(days_after_due=60)
    assert remind(date(2026, 5, 14)) == 0  # not yet 14 days late
    assert remind(date(2026, 5, 15)) == 1
    assert remind(date(2026, 5, 16)) == 0  # this rule has reminded already
    assert remind(date(2026, 7, 1)) == 1  # the 60-day rule
    assert remind(date(2026, 8, 1)) == 0
    assert [m.to for m in mail.outbox] == [["primary@isico.example.jp"]] * 2
    assert "100,000" in mail.outbox[0].body
    assert overdue.display_number in mail.outbox[0].subject
    assert Mailing.objects.count() == 2  # one per rule that had something to send


def test_billing_contact_is_preferred(overdue, organisation, remind):
    ReminderRule.objects.create(days_after_due=14)
    assign_role(
        factories.make_person(organisation, email="billing@isico.example.jp"),
        PersonRole.Kind.BILLING,
    )
    remind(date(2026, 6, 1))
    assert mail.outbox[0].to == ["billing@isico.example.jp"]


def test_paid_invoices_and_inactive_rules_send_nothing(overdue, organisation, remind):
    ReminderRule.objects.create(days_after_due=30, active=False)
    rule = ReminderRule.objects.create(days_after_due=14)
    services.record_payment(
        organisation=organisation,
        received_on=date(2026, 5, 10),
        amount=100000,
        method="transfer",
    )
    assert remind(date(2026, 9, 1)) == 0
    assert not ReminderSent.objects.filter(rule=rule).exists()
    assert mail.outbox == []


def test_the_beat_task_is_scheduled(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["dues-reminders"]
    assert schedule["task"] == "dues.tasks.send_dues_reminders"
    from dues.tasks import send_dues_reminders as task

    assert task.name == schedule["task"]


def test_two_invoices_to_one_address_are_both_reminded(overdue, other_organisation, remind):
    """A treasurer paying for two members gets a reminder for each invoice."""
    second = overdue_invoice(other_organisation)  # the same primary contact address
    ReminderRule.objects.create(days_after_due=14)

    assert remind(date(2026, 6, 1)) == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert [m.to for m in mail.outbox] == [["primary@isico.example.jp"]] * 2
    assert overdue.display_number in subjects[0] and second.display_number in subjects[1]
