"""The response rate: submitted / asked per class and block, and who has not answered."""

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.selectors import response_rate
from tests import factories
from tests.surveys.conftest import ALL_KINDS

pytestmark = pytest.mark.django_db


def test_rate_per_class_and_block_with_who_is_missing(example):
    rate = response_rate(example)
    assert (rate["total"].submitted, rate["total"].targeted, rate["total"].percent) == (4, 5, 80)
    assert [(r.label, r.submitted, r.targeted, r.percent) for r in rate["by_class"]] == [
        ("正会員", 3, 3, 100),
        ("学術機関会員", 1, 2, 50),
    ]
    assert [(r.label, r.submitted, r.targeted) for r in rate["by_block"]] == [("北陸", 4, 5)]
    assert [r.organisation.name for r in rate["missing"]] == ["A2大学"]


def test_rate_page_counts_institutions_not_yet_asked(client, secretariat_with_mfa, example):
    factories.make_organisation("新規入会財団")  # joined after the responses were created
    client.force_login(secretariat_with_mfa)
    page = client.get(reverse("surveys:rate", args=[example.pk]))
    assert page.context["not_yet_asked"] == 1
    assert "A2大学" in page.content.decode()


def test_dashboard_lists_surveys_awaiting_answers(client, member, organisation, survey):
    client.force_login(member)
    assert survey.title in client.get(reverse("portal:dashboard")).content.decode()
    factories.answer_survey(
        survey, organisation, member, {"Q1": "あった", "Q2": ["交流"], "Q5": "良い"}
    )
    assert survey.title not in client.get(reverse("portal:dashboard")).content.decode()


def test_awaited_surveys_follow_the_class_the_block_the_window_and_the_answers(
    organisation, member, survey
):
    """Every change of whom a survey asks shows at once, as do its window opening and
    closing, and the institution's submitting and reopening."""
    from datetime import timedelta
    from unittest import mock

    from home.selectors import member_dashboard
    from members.models import RegionalBlock
    from surveys.services import reopen

    def awaited(at=None) -> list:
        with mock.patch("django.utils.timezone.now", return_value=at or timezone.now()):
            return member_dashboard(organisation.pk, 2026)["surveys"]

    assert awaited() == [survey]
    assert awaited(survey.opens_at - timedelta(seconds=1)) == []  # not open yet
    assert awaited(survey.closes_at) == []  # closed
    later = factories.make_survey(ALL_KINDS, title="後から作った調査")
    assert awaited() == sorted([survey, later], key=lambda s: s.closes_at)
    later.delete()
    survey.blocks.set([RegionalBlock.objects.create(name="九州", name_en="Kyushu")])
    assert awaited() == []  # for another block
    survey.blocks.add(organisation.block)
    assert awaited() == [survey]
    survey.classes.set([factories.make_class("academic", "flat")])
    assert awaited() == []  # for another class
    survey.classes.set([organisation.memberships.get().membership_class])
    assert awaited() == [survey]
    response = factories.answer_survey(
        survey, organisation, member, {"Q1": "あった", "Q2": ["交流"], "Q5": "良い"}
    )
    assert awaited() == []  # submitted
    reopen(response.pk, user=member)
    assert awaited() == [survey]  # back to editing
    survey.closes_at = timezone.now() + timedelta(days=90)
    survey.save()
    assert awaited(timezone.now() + timedelta(days=60)) == [survey]  # the window moved
    organisation.memberships.update(left_on="2026-03-31")
    assert awaited() == []  # no current membership
