"""Compiling the year's proposal: grouping and citation, comments on the draft and their
moderation, the exported versions, the follow-up and the public page of outcomes."""

import hashlib
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document

from members.models import RegionalBlock
from proposals import compiling, services
from proposals.models import (
    Citation,
    DraftComment,
    ItemFollowUp,
    ModerationEvent,
    ProposalVersion,
)
from tests import factories
from tests.pdftext import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _block(name, name_en):
    return RegionalBlock.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]


@pytest.fixture
def issues(organisation, member, other_organisation, outsider):
    """Three submitted issues of a call: two of `organisation`, one of `other_organisation`
    (in 近畿), and a draft."""
    call = factories.make_call()
    other_organisation.block = _block("近畿", "Kinki")
    other_organisation.save()
    return {
        "a": factories.make_submission(call, organisation, member, title="人材不足の課題"),
        "b": factories.make_submission(call, other_organisation, outsider, title="資金調達の課題"),
        "c": factories.make_submission(call, organisation, member, title="引用しない課題"),
        "draft": factories.make_submission(call, organisation, member, status="draft"),
    }


def _body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- Grouping and citation -------------------------------------------------------------------


def test_an_item_lists_exactly_its_submissions(client, member, issues):
    proposal = factories.make_proposal(comments_open=True)
    item = factories.make_item(proposal, title="人材項目")
    other = factories.make_item(proposal, title="別の項目", order=2)
    compiling.group(item.pk, [issues["a"].pk, issues["b"].pk])
    compiling.group(other.pk, [issues["c"].pk])
    assert list(item.submissions.order_by("citations__order")) == [issues["a"], issues["b"]]

    client.force_login(member)
    body = _body(client.get(reverse("proposals:item", args=[item.pk])))
    assert "人材不足の課題" in body and "資金調達の課題" in body
    assert "引用しない課題" not in body
    assert "ISICO（北陸）" in body and "ASTEM（近畿）" in body


def test_a_submission_is_cited_once_per_item_and_only_once_submitted(issues):
    item = factories.make_item(factories.make_proposal())
    compiling.group(item.pk, [issues["a"].pk])
    with pytest.raises(ValidationError, match="一度だけ"):
        compiling.group(item.pk, [issues["a"].pk])
    with pytest.raises(ValidationError):
        compiling.group(item.pk, [issues["draft"].pk])
    assert Citation.objects.filter(item=item).count() == 1
    # Another item may cite the same issue.
    compiling.group(factories.make_item(item.proposal, title="二つ目").pk, [issues["a"].pk])
    assert Citation.objects.filter(submission=issues["a"]).count() == 2


def test_a_withdrawn_submission_leaves_a_visible_note(client, member, issues):
    proposal = factories.make_proposal(comments_open=True)
    item = factories.make_item(proposal, cites=[issues["a"], issues["b"]])
    services.withdraw(issues["a"].pk, member)
    client.force_login(member)
    body = _body(client.get(reverse("proposals:item", args=[item.pk])))
    assert "取り下げられた課題：人材不足の課題" in body
    assert "資金調達の課題" in body
    body = _body(client.get(reverse("proposals:proposal", args=[proposal.pk])))
    assert "取り下げられた課題：人材不足の課題" in body


def test_the_submitters_are_hidden_where_asked(client, member, issues):
    issues["a"].hide_name = True
    issues["a"].save()
    proposal = factories.make_proposal(comments_open=True)
    item = factories.make_item(proposal, cites=[issues["a"]])
    hidden_item = factories.make_item(
        proposal, title="非公表の項目", hide_submitters=True, cites=[issues["b"]]
    )
    client.force_login(member)
    body = _body(client.get(reverse("proposals:item", args=[item.pk])))
    assert "（提出機関名は非公表）" in body
    assert "ISICO" not in body
    body = _body(client.get(reverse("proposals:item", args=[hidden_item.pk])))
    assert "（提出機関名は非公表）" in body
    assert "ASTEM" not in body


def test_endorsements_are_given_by_block(client, member, organisation, issues):
    kinki = _block("近畿", "Kinki")
    tohoku = _block("東北", "Tohoku")
    endorsements = []
    for n, block in enumerate([kinki, kinki, tohoku, tohoku]):
        endorser = factories.make_organisation(f"賛同機関{n}", block=block)
        user = factories.make_user(f"endorser{n}@example.jp")
        factories.make_person(endorser, user=user)
        endorsements.append(services.endorse(issues["a"].pk, user, "当機関も同様の課題あり"))
    hider = factories.make_user("office-x@example.jp", is_staff=True)
    services.hide(endorsements[-1], hider, "不適切")  # a hidden endorsement is not counted
    proposal = factories.make_proposal(comments_open=True)
    item = factories.make_item(proposal, cites=[issues["a"]])
    client.force_login(member)
    response = client.get(reverse("proposals:item", args=[item.pk]))
    found = response.context["content"].endorsements_by_block
    assert {str(block): count for block, count in found} == {"近畿": 2, "東北": 1}
    assert "近畿 2" in response.content.decode()


# --- Comments on the draft -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "opens", "closes"),
    [
        ("draft", -1, 5),  # not out for comments
        ("commenting", 1, 5),  # the period has not begun
        ("commenting", -5, -1),  # the period is over
        ("final", -1, 5),
    ],
)
def test_comments_only_inside_the_period(client, member, status, opens, closes):
    now = timezone.now()
    proposal = factories.make_proposal(
        status=status,
        comment_opens_at=now + timedelta(days=opens),
        comment_closes_at=now + timedelta(days=closes),
    )
    item = factories.make_item(proposal)
    with pytest.raises(ValidationError, match="コメントを受け付けていません"):
        compiling.comment(item.pk, member, "意見")
    client.force_login(member)
    client.post(reverse("proposals:comment", args=[item.pk]), {"text": "意見"})
    assert not DraftComment.objects.exists()
    if status != "draft":
        body = _body(client.get(reverse("proposals:item", args=[item.pk])))
        assert "閲覧のみ" in body
        assert 'name="text"' not in body


def test_members_comment_inside_the_period_and_see_each_other(client, member, outsider):
    item = factories.make_item(factories.make_proposal(comments_open=True))
    client.force_login(member)
    response = client.post(reverse("proposals:comment", args=[item.pk]), {"text": "賛成です"})
    assert response.status_code == 302
    comment = DraftComment.objects.get()
    assert (comment.item, comment.user, comment.text) == (item, member, "賛成です")
    client.force_login(outsider)
    body = _body(client.get(reverse("proposals:item", args=[item.pk])))
    assert "賛成です" in body and 'name="text"' in body


def test_a_login_of_no_member_institution_may_not_comment(client, applicant):
    item = factories.make_item(factories.make_proposal(comments_open=True))
    with pytest.raises(ValidationError):
        compiling.comment(item.pk, applicant, "意見")
    client.force_login(applicant)
    assert client.post(
        reverse("proposals:comment", args=[item.pk]), {"text": "x"}
    ).status_code in (
        403,
        404,
    )
    assert not DraftComment.objects.exists()


def test_hiding_a_draft_comment_is_audited_and_shown_as_hidden(
    client, member, outsider, secretariat
):
    item = factories.make_item(factories.make_proposal(comments_open=True))
    comment = compiling.comment(item.pk, outsider, "不適切な発言")
    services.hide(comment, secretariat, "個人攻撃のため")
    event = ModerationEvent.objects.get()
    assert (event.comment, event.actor, event.action, event.reason) == (
        comment,
        secretariat,
        ModerationEvent.Action.HIDDEN,
        "個人攻撃のため",
    )
    client.force_login(member)
    body = _body(client.get(reverse("proposals:item", args=[item.pk])))
    assert "事務局により非表示" in body
    assert "不適切な発言" not in body
    services.unhide(comment, secretariat, "誤り")
    assert ModerationEvent.objects.count() == 2
    assert "不適切な発言" in _body(client.get(reverse("proposals:item", args=[item.pk])))


def test_hiding_needs_a_reason(outsider, secretariat):
    item = factories.make_item(factories.make_proposal(comments_open=True))
    comment = compiling.comment(item.pk, outsider, "発言")
    with pytest.raises(ValidationError):
        services.hide(comment, secretariat, " ")
    assert not ModerationEvent.objects.exists()


# --- Exports ---------------------------------------------------------------------------------


@pytest.fixture
def compiled(issues, secretariat):
    """A proposal of two themes (財源 first), three items whose order differs from their
    creation, ready for its final version."""
    funding = factories.proposal_theme("財源", "Funding")
    funding.order = 0
    funding.save()
    people = factories.proposal_theme()
    people.order = 1
    people.save()
    proposal = factories.make_proposal(front_matter="# はじめに\n\n本提言は**地域**の声です。")
    factories.make_item(proposal, people, title="項目三・人材の二", order=2, cites=[issues["c"]])
    factories.make_item(proposal, people, title="項目二・人材の一", order=1, cites=[issues["a"]])
    factories.make_item(proposal, funding, title="項目一・財源", order=5, cites=[issues["b"]])
    return proposal


ORDER = ["項目一・財源", "項目二・人材の一", "項目三・人材の二"]


def _positions(text, needles):
    return [text.index(needle) for needle in needles]


def test_the_final_version_holds_the_items_in_order(compiled, secretariat):
    version = compiling.make_version(compiled.pk, secretariat, "確定版")
    compiled.refresh_from_db()
    assert compiled.status == "final"
    assert version.number == 1

    docx = version.docx.read()
    assert hashlib.sha256(docx).hexdigest() == version.docx_sha256
    paragraphs = [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    assert paragraphs[0] == compiled.title
    assert "本提言は地域の声です。" in paragraphs
    text = "\n".join(paragraphs)
    positions = _positions(text, ["財源", *ORDER])
    assert positions == sorted(positions)
    assert "ASTEM（近畿）" in text

    pdf = version.pdf.read()
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    pdf_text = text_of(pdf)
    assert compiled.title.replace(" ", "") in pdf_text
    positions = _positions(pdf_text, ORDER)
    assert positions == sorted(positions)


def test_versions_are_numbered_and_never_rendered_again(compiled, secretariat, issues, member):
    first = compiling.make_version(compiled.pk, secretariat)
    stored = first.docx.read()
    services.withdraw(issues["a"].pk, member)
    second = compiling.make_version(compiled.pk, secretariat)
    assert [v.number for v in ProposalVersion.objects.order_by("number")] == [1, 2]
    first.refresh_from_db()
    with first.docx.open("rb") as file:
        assert file.read() == stored
    text = "\n".join(p.text for p in Document(second.docx.open("rb")).paragraphs)
    assert "取り下げられた課題" in text
    assert second.docx_sha256 != first.docx_sha256


def test_a_members_only_title_stays_out_of_the_public_documents(compiled, secretariat, issues):
    # issues are members-only by default: the documents cite institutions and blocks only
    version = compiling.make_version(compiled.pk, secretariat)
    text = "\n".join(p.text for p in Document(version.docx.open("rb")).paragraphs)
    assert "人材不足の課題" not in text


def test_versions_download_for_members_then_the_public(client, compiled, secretariat, member):
    version = compiling.make_version(compiled.pk, secretariat)
    urls = [
        reverse("proposals:version_docx", args=[version.pk]),
        reverse("proposals:version_pdf", args=[version.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (302, 404)  # a visitor: not yet
    client.force_login(member)
    response = client.get(urls[0])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == version.docx.open("rb").read()
    assert client.get(urls[1])["Content-Type"] == "application/pdf"
    page = _body(client.get(reverse("proposals:proposal", args=[compiled.pk])))
    assert urls[0] in page and "版の履歴" in page
    compiling.submit_proposal(compiled.pk, secretariat, date(2026, 8, 1))
    client.logout()
    assert client.get(urls[0]).status_code == 200


# --- Follow-up ------------------------------------------------------------------------------


def test_the_follow_up_steps(compiled, secretariat):
    with pytest.raises(ValidationError):
        compiling.submit_proposal(compiled.pk, secretariat)  # no final version yet
    compiling.make_version(compiled.pk, secretariat)
    compiling.submit_proposal(compiled.pk, secretariat, date(2026, 8, 1))
    first, second, _third = compiled.items.order_by("pk")
    assert {i.follow_up_status for i in compiled.items.all()} == {"submitted"}
    with pytest.raises(ValidationError):
        compiling.record_follow_up(
            first.pk, secretariat, "reflected", answer="x", answered_on=date(2026, 9, 1)
        )
    with pytest.raises(ValidationError, match=r"回答|answer"):
        compiling.record_follow_up(first.pk, secretariat, "answered")
    ministry = factories.ministry()
    compiling.record_follow_up(
        first.pk, secretariat, "answered", ministry=ministry, answer="検討する",
        answered_on=date(2026, 10, 1),
    )  # fmt: skip
    compiling.record_follow_up(
        first.pk, secretariat, "reflected", answer="予算化", answered_on=date(2026, 12, 1)
    )
    compiling.record_follow_up(
        second.pk, secretariat, "answered", answer="困難", answered_on=date(2026, 10, 1)
    )
    compiling.record_follow_up(
        second.pk, secretariat, "continued", answer="継続", answered_on=date(2026, 11, 1)
    )
    first.refresh_from_db()
    assert first.follow_up_status == "reflected"
    assert list(
        ItemFollowUp.objects.filter(item=first).order_by("recorded_at", "pk")
        .values_list("status", flat=True)
    ) == ["submitted", "answered", "reflected"]  # fmt: skip


def test_draft_proposals_are_for_the_secretariat(client, member, secretariat_with_mfa):
    proposal = factories.make_proposal()
    item = factories.make_item(proposal)
    client.force_login(member)
    assert client.get(reverse("proposals:proposal", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("proposals:item", args=[item.pk])).status_code == 404
    client.force_login(secretariat_with_mfa)
    body = _body(client.get(reverse("proposals:proposal", args=[proposal.pk])))
    assert "地域の<strong>課題</strong>を国へ届けます。" in body  # the front matter's Markdown


def test_the_public_page_lists_past_proposals_and_outcomes(client, compiled, secretariat):
    factories.make_proposal(fiscal_year=2027, title="来年度の案", comments_open=True)
    compiling.make_version(compiled.pk, secretariat)
    compiling.submit_proposal(compiled.pk, secretariat, date(2026, 8, 1))
    item = compiled.items.get(title="項目一・財源")
    compiling.record_follow_up(
        item.pk, secretariat, "answered", answer="検討", answered_on=date(2026, 9, 1)
    )
    body = _body(client.get(reverse("proposals:outcomes")))  # no login
    assert compiled.title in body and "来年度の案" not in body
    assert "回答あり" in body and "提出済み" in body
    body = _body(client.get(reverse("proposals:item", args=[item.pk])))
    assert "検討" in body
    assert "人材不足の課題" not in body  # a members-only issue's title
    assert "案へのコメント" not in body  # comments are the members'


# --- Search --------------------------------------------------------------------------------


def test_the_search_finds_items_in_kana_or_kanji_of_any_width(client, member, issues):
    proposal = factories.make_proposal(comments_open=True)
    funding = factories.proposal_theme("財源", "Funding")
    found = factories.make_item(
        proposal,
        funding,
        title="サンガク連携の財源確保",
        text="ＡＩ人材の育成",
        cites=[issues["b"]],
    )
    factories.make_item(proposal, title="別の項目", text="関係のない本文")
    hidden = factories.make_item(
        proposal, funding, title="非公表の財源", hide_submitters=True, cites=[issues["b"]]
    )
    draft = factories.make_proposal(fiscal_year=2027)
    factories.make_item(draft, funding, title="下書きの財源")
    client.force_login(member)

    def titles(**params):
        response = client.get(reverse("proposals:search"), params)
        return [item.title for item in response.context["items"]]

    assert titles(q="さんがく") == [found.title]
    assert titles(q="ai") == [found.title]  # full-width ＡＩ folded
    assert titles(theme=funding.pk) == [found.title, hidden.title]  # never the draft's
    kinki = RegionalBlock.objects.get(name="近畿")
    assert titles(block=kinki.pk) == [found.title]  # the hidden item is not found by block
    assert titles(year=2027) == []
    assert (
        "サンガク連携の財源確保"
        in client.get(reverse("proposals:search"), {"q": "財源"}).content.decode()
    )
