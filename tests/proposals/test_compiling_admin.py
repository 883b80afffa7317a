"""The secretariat compiles in the admin: items with their citations (institutions, blocks,
the hidden and withdrawn notes), the final version made by a task, the follow-up recorded
step by step; and the pages' query budgets whatever the number of items and citations."""

from datetime import date

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from proposals import compiling, services
from proposals.models import Citation, ItemFollowUp, ProposalVersion
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cited(organisation, member):
    call = factories.make_call()
    shown = factories.make_submission(call, organisation, member, title="表示する課題")
    hidden = factories.make_submission(call, organisation, member, title="名前を伏せる課題",
                                       hide_name=True)  # fmt: skip
    withdrawn = factories.make_submission(call, organisation, member, title="取り下げる課題")
    proposal = factories.make_proposal()
    item = factories.make_item(proposal, cites=[shown, hidden, withdrawn])
    services.withdraw(withdrawn.pk, member)
    return item


def test_the_item_admin_shows_its_citations(client, secretariat_with_mfa, cited):
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("admin:proposals_proposalitem_change", args=[cited.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "ISICO" in body
    assert "（提出機関名は非公表）" in body
    assert "取り下げられた課題：取り下げる課題" in body


def test_the_item_admin_groups_submitted_issues_only(client, secretariat_with_mfa, cited,
                                                     organisation, member):  # fmt: skip
    call = cited.citations.first().submission.call
    new = factories.make_submission(call, organisation, member, title="新しい課題")
    draft = factories.make_submission(call, organisation, member, status="draft")
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:proposals_proposalitem_change", args=[cited.pk])
    citations = list(cited.citations.order_by("pk"))

    def post(submission):
        data = {
            "proposal": cited.proposal_id,
            "theme": cited.theme_id,
            "order": 0,
            "title": cited.title,
            "text": cited.text,
            "citations-TOTAL_FORMS": len(citations) + 1,
            "citations-INITIAL_FORMS": len(citations),
            "citations-MIN_NUM_FORMS": 0,
            "citations-MAX_NUM_FORMS": 1000,
            "citations-__prefix__-submission": "",
            f"citations-{len(citations)}-submission": submission.pk,
            f"citations-{len(citations)}-order": 9,
            "follow_ups-TOTAL_FORMS": 0,
            "follow_ups-INITIAL_FORMS": 0,
            "follow_ups-MIN_NUM_FORMS": 0,
            "follow_ups-MAX_NUM_FORMS": 1000,
        }
        for n, citation in enumerate(citations):
            data[f"citations-{n}-id"] = citation.pk
            data[f"citations-{n}-item"] = cited.pk
            data[f"citations-{n}-submission"] = citation.submission_id
            data[f"citations-{n}-order"] = citation.order
        return client.post(url, data)

    assert post(draft).status_code == 200  # the form again, with the error
    assert not Citation.objects.filter(submission=draft).exists()
    assert post(citations[0].submission).status_code == 200  # cited once per item
    assert post(new).status_code == 302
    assert Citation.objects.filter(item=cited, submission=new).exists()


def test_the_final_version_action_makes_a_version(client, secretariat_with_mfa, cited,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(secretariat_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:proposals_proposal_changelist"),
            {"action": "make_final_version", helpers.ACTION_CHECKBOX_NAME: [cited.proposal_id]},
        )
    assert response.status_code == 302
    version = ProposalVersion.objects.get()
    assert (version.proposal_id, version.number, version.created_by) == (
        cited.proposal_id,
        1,
        secretariat_with_mfa,
    )
    cited.proposal.refresh_from_db()
    assert cited.proposal.status == "final"
    page = client.get(reverse("admin:proposals_proposal_change", args=[cited.proposal_id]))
    assert reverse("proposals:version_docx", args=[version.pk]) in page.content.decode()


def test_the_follow_up_is_recorded_in_the_admin(client, secretariat_with_mfa, cited):
    compiling.make_version(cited.proposal_id, secretariat_with_mfa)
    compiling.submit_proposal(cited.proposal_id, secretariat_with_mfa, date(2026, 8, 1))
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:proposals_itemfollowup_add")
    data = {"item": cited.pk, "status": "reflected", "answer": "x", "answered_on": "2026-09-01"}
    assert client.post(url, data).status_code == 200  # 提出済み → 施策に反映: refused
    data["status"] = "answered"
    assert client.post(url, data).status_code == 302
    cited.refresh_from_db()
    assert cited.follow_up_status == "answered"
    assert ItemFollowUp.objects.filter(item=cited).count() == 2
    step = ItemFollowUp.objects.get(item=cited, status="answered")
    assert step.recorded_by == secretariat_with_mfa


@pytest.mark.parametrize("extra", [1, 15])
def test_the_pages_within_a_fixed_budget(client, member, organisation, secretariat_with_mfa,
                                         extra, django_assert_max_num_queries):  # fmt: skip
    call = factories.make_call()
    proposal = factories.make_proposal(comments_open=True)
    past = factories.make_proposal(fiscal_year=2025, status="final")
    for n in range(extra):
        block = factories.make_organisation(f"ブロック財団{n}")
        issue = factories.make_submission(call, block, member, title=f"課題{n}")
        item = factories.make_item(proposal, title=f"項目{n}", cites=[issue])
        services.hide(compiling.comment(item.pk, member, f"意見{n}"), secretariat_with_mfa, "理由")
        compiling.comment(item.pk, member, "もう一つ")
        factories.make_item(past, title=f"過去の項目{n}", cites=[issue])
    compiling.make_version(past.pk, secretariat_with_mfa)
    compiling.submit_proposal(past.pk, secretariat_with_mfa)
    client.force_login(member)
    pages = {
        reverse("proposals:proposal", args=[proposal.pk]): 10,
        reverse("proposals:item", args=[item.pk]): 12,
        reverse("proposals:proposal", args=[past.pk]): 10,
        reverse("proposals:outcomes"): 6,
        reverse("proposals:index"): 9,
    }
    for url, budget in pages.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url
    client.force_login(secretariat_with_mfa)
    for url in (
        reverse("admin:proposals_proposal_change", args=[proposal.pk]),
        reverse("admin:proposals_proposalitem_change", args=[item.pk]),
        reverse("admin:proposals_proposalitem_changelist"),
        reverse("admin:proposals_itemfollowup_changelist"),
        reverse("admin:proposals_proposal_changelist"),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
