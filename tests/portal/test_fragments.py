"""Cached page fragments (portal/fragments.py): a repeated view runs none of the list's
queries, and every kind of write shows on the next view, whatever path it takes."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards import decisions
from members import imports
from members.models import OrganisationKind, RegionalBlock
from newsletter import services as newsletter_services
from portal import fragments
from surveys.models import Choice, Option
from tests import factories

pytestmark = pytest.mark.django_db


def text(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_stamp_changes_at_the_write_and_again_when_it_commits(
    django_capture_on_commit_callbacks,
):
    before = fragments.stamp("registry", "awards")
    assert fragments.stamp("registry", "awards") == before
    with django_capture_on_commit_callbacks(execute=False) as pending:
        fragments.bump("registry")
    written = fragments.stamp("registry", "awards")
    assert written != before and written.split("-")[1] == before.split("-")[1]
    pending[0]()  # the commit: what another request cached meanwhile is left behind too
    committed = fragments.stamp("registry", "awards")
    assert committed not in {before, written}
    cache.clear()  # a lost stamp comes back new, never as an old value
    assert fragments.stamp("registry", "awards") not in {before, written, committed}


def test_the_directory_is_cached_per_language_and_search_and_follows_every_write(
    client, member, organisation, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(member)
    url = reverse("members:directory")
    assert "公益財団法人石川県産業創出支援機構" in text(client, url)
    with django_assert_max_num_queries(6):  # session, user, roles: not the list
        assert "公益財団法人石川県産業創出支援機構" in text(client, url)
    assert "ISICO" not in text(client, url, q="京都")  # another search, its own fragment

    organisation.name = "公益財団法人いしかわ創出機構"  # a save: the model signal
    organisation.save()
    assert "公益財団法人いしかわ創出機構" in text(client, url)

    imports._write([import_row("株式会社インポート")])  # bulk_create: no signal, a bump
    assert "株式会社インポート" in text(client, url)

    client.cookies["django_language"] = "en"
    assert "2 organisations" in text(client, url)  # English, not the cached Japanese
    client.cookies["django_language"] = "ja"
    assert "2 団体" in text(client, url)


def import_row(name: str) -> dict:
    """A checked row of the member-list import, as members.imports._write takes it."""
    row = dict.fromkeys(imports.ORGANISATION_FIELDS, "")
    row.update(name=name, name_kana="インポート", prefecture=17)
    row.update(kind=OrganisationKind.objects.first(), block=RegionalBlock.objects.first())
    row.update(membership_class=factories.full_class(), units=1, joined_on=None)
    return {**row, **dict.fromkeys(imports.CONTACT_FIELDS, "")}


def test_the_newsletter_archive_follows_sending_and_keeps_members_only_issues_apart(
    client, member, secretariat
):
    public = factories.make_issue(secretariat, subject="公開号")
    members_only = factories.make_issue(secretariat, subject="会員限定号", visibility="members")
    url = reverse("newsletter:index")
    assert "公開号" not in text(client, url)  # drafts are not in the archive
    for issue in (public, members_only):
        issue.status, issue.send_at = issue.Status.SCHEDULED, timezone.now()
        issue.save()
        assert newsletter_services.start_sending(issue.pk)  # QuerySet.update: a bump
    assert "公開号" in text(client, url) and "会員限定号" not in text(client, url)
    client.force_login(member)
    assert "会員限定号" in text(client, url)
    client.logout()
    assert "会員限定号" not in text(client, url)  # the anonymous fragment is another one


def test_the_winners_archive_shows_an_edition_when_its_announcement_time_comes(
    client, secretariat
):
    judging_edition = factories.make_edition(2026, phase="judging")
    entry = factories.make_entry(judging_edition, title="発表待ちの取組")
    decisions.decide(judging_edition.prizes.first(), entry, secretariat, reason="波及効果")
    url = reverse("awards:winners")
    assert "発表待ちの取組" not in text(client, url)
    # The announcement time is set in advance and then simply comes: no write in between.
    type(judging_edition).objects.filter(pk=judging_edition.pk).update(
        announced_at=timezone.now() - timedelta(seconds=1)
    )
    assert "発表待ちの取組" in text(client, url)
    entry.title = "発表済みの取組"
    entry.save()
    assert "発表済みの取組" in text(client, url)


def test_survey_results_follow_submissions_and_recoding(client, member, secretariat_with_mfa):
    survey = factories.make_survey(
        [{"code": "Q1", "kind": "single", "options": ["情報提供", "交流会", "その他*"]}],
        results_published_at=timezone.now(),
    )
    first = factories.make_organisation("F1財団")
    second = factories.make_organisation("F2財団")
    factories.answer_survey(survey, first, member, {"Q1": "情報提供"})
    client.force_login(member)
    client.cookies["django_language"] = "en"
    url = reverse("surveys:results", args=[survey.pk])
    assert "Shown to 1, answered by 1." in text(client, url)
    factories.answer_survey(survey, second, member, {"Q1": "その他", "Q1_other": "講演会"})
    before = text(client, url)
    assert "Shown to 2, answered by 2." in before

    other = Choice.objects.get(other_text="講演会")
    other.recoded_to = Option.objects.get(label="交流会")  # the admin's recoding: a save
    other.save()
    after = text(client, url)
    assert after != before and "Shown to 2, answered by 2." in after
    assert "Shown to 2, answered by 2." in text(client, url, by="class")


def test_the_admin_organisation_list_is_cached_and_follows_every_write(
    client, secretariat_with_mfa, organisation
):
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_organisation_changelist")
    assert "公益財団法人石川県産業創出支援機構" in text(client, url)
    with CaptureQueriesContext(connection) as repeated:
        assert "公益財団法人石川県産業創出支援機構" in text(client, url)
    rows = [q["sql"] for q in repeated if '"members_organisation"."name"' in q["sql"]]
    assert rows == []  # the table came from the cache: its rows were not read

    organisation.name = "公益財団法人いしかわ創出機構"  # a save of the listed model
    organisation.save()
    assert "公益財団法人いしかわ創出機構" in text(client, url)
    organisation.block.name = "北陸ブロック"  # a related model shown in a column
    organisation.block.save()
    assert "北陸ブロック" in text(client, url)

    membership = organisation.memberships.get()
    by_class = {"memberships__membership_class__id__exact": membership.membership_class_id}
    assert "いしかわ" in text(client, url, **by_class)  # another filter, its own fragment
    membership.membership_class = factories.make_class("special", "flat")
    membership.save()  # behind the filter: a membership's save
    assert "いしかわ" not in text(client, url, **by_class)

    client.cookies["django_language"] = "en"
    assert "Hokuriku" in text(client, url)  # the English rows, not the cached Japanese ones


def test_a_cached_changelist_counts_the_rows_of_each_page_without_reading_them(
    client, secretariat_with_mfa, organisation, monkeypatch
):
    from members.admin import OrganisationAdmin

    monkeypatch.setattr(OrganisationAdmin, "list_per_page", 2)
    for name in ("第二財団", "第三財団"):
        factories.make_organisation(name)
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    url = reverse("admin:members_organisation_changelist")
    assert "0 of 2 selected" in text(client, url)
    assert "0 of 1 selected" in text(client, url, p=2)  # the last page, one row
    assert "0 of 3 selected" in text(client, url, all="")  # show all
