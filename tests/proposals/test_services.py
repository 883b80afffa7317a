"""Submissions, endorsements and moderation on PostgreSQL: the window, eligibility, one
endorsement per institution under concurrency, and the moderation audit."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from members.models import Membership
from proposals import services
from proposals.models import Endorsement, ModerationEvent, Submission
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _data(call, **fields):
    return services.DraftData(
        **{
            "theme": call.themes.first(),
            "title": "ものづくり人材の不足",
            "background": "技能人材が不足している。",
            "request": "支援の拡充を求める。",
            "ministries": (factories.ministry(),),
            **fields,
        }
    )


def test_a_contact_saves_a_draft_and_submits_it(member, organisation):
    call = factories.make_call()
    draft = services.save_draft(call.pk, member, _data(call, background=""))
    assert (draft.status, draft.organisation, draft.version) == ("draft", organisation, 1)
    assert draft.search_text  # folded on save
    with pytest.raises(ValidationError, match="Fill in the theme"):
        services.submit(draft.pk, member)
    services.save_draft(
        call.pk, member, _data(call), submission_id=draft.pk, version=draft.version
    )
    submitted = services.submit(draft.pk, member)
    assert submitted.status == "submitted"
    assert submitted.submitted_at is not None
    with pytest.raises(ValidationError, match="Only a draft can be edited"):
        services.save_draft(call.pk, member, _data(call), submission_id=draft.pk)


def test_a_stale_draft_is_refused_instead_of_overwriting(member, organisation):
    call = factories.make_call()
    draft = services.save_draft(call.pk, member, _data(call))
    colleague = factories.make_user("colleague@example.jp")
    factories.make_person(organisation, user=colleague)
    services.save_draft(
        call.pk, colleague, _data(call, title="同僚の題名"), submission_id=draft.pk, version=1
    )
    with pytest.raises(ValidationError, match="Another contact saved this draft"):
        services.save_draft(
            call.pk, member, _data(call, title="古い題名"), submission_id=draft.pk, version=1
        )
    assert Submission.objects.get(pk=draft.pk).title == "同僚の題名"


def test_drafts_are_written_and_submitted_only_inside_the_window(member):
    call = factories.make_call(open_now=False)
    with pytest.raises(ValidationError, match="not opened yet"):
        services.save_draft(call.pk, member, _data(call))
    call.opens_at = timezone.now() - timedelta(days=10)
    call.closes_at = timezone.now() + timedelta(minutes=1)
    call.save()
    draft = services.save_draft(call.pk, member, _data(call))
    call.closes_at = timezone.now() - timedelta(seconds=1)
    call.save()
    with pytest.raises(ValidationError, match="has closed"):
        services.save_draft(call.pk, member, _data(call), submission_id=draft.pk)
    with pytest.raises(ValidationError, match="has closed"):
        services.submit(draft.pk, member)
    assert Submission.objects.get(pk=draft.pk).status == "draft"


def test_only_the_calls_classes_submit(member, organisation):
    call = factories.make_call(classes=[factories.academic_class()])
    with pytest.raises(ValidationError, match="other classes of membership"):
        services.save_draft(call.pk, member, _data(call))
    Membership.objects.filter(organisation=organisation).update(
        membership_class=factories.academic_class()
    )
    assert services.save_draft(call.pk, member, _data(call)).status == "draft"


def test_a_former_member_may_not_submit(member, organisation):
    call = factories.make_call()
    Membership.objects.filter(organisation=organisation).update(left_on=timezone.localdate())
    with pytest.raises(ValidationError, match="other classes of membership"):
        services.save_draft(call.pk, member, _data(call))


def test_only_contacts_write_and_only_their_own_institutions_issue(member, outsider, applicant):
    call = factories.make_call()
    with pytest.raises(ValidationError, match="Only a contact"):
        services.save_draft(call.pk, applicant, _data(call))
    draft = services.save_draft(call.pk, member, _data(call))
    for write in (
        lambda: services.save_draft(call.pk, outsider, _data(call), submission_id=draft.pk),
        lambda: services.submit(draft.pk, outsider),
        lambda: services.discard_draft(draft.pk, outsider),
    ):
        with pytest.raises(ValidationError, match="not your institution"):
            write()
    assert Submission.objects.get(pk=draft.pk).title == "ものづくり人材の不足"


def test_a_theme_outside_the_call_is_refused(member):
    call = factories.make_call()
    other = factories.proposal_theme("制度要望", "Requests for institutional reform")
    with pytest.raises(ValidationError, match="does not ask about that theme"):
        services.save_draft(call.pk, member, _data(call, theme=other))


def test_withdrawing_keeps_the_row(member, organisation):
    call = factories.make_call()
    submission = factories.make_submission(call, organisation, member)
    services.withdraw(submission.pk, member)
    submission.refresh_from_db()
    assert submission.status == "withdrawn"
    assert submission.withdrawn_at is not None
    with pytest.raises(ValidationError, match="Only a submitted issue can be withdrawn"):
        services.withdraw(submission.pk, member)


def test_an_institution_endorses_once_and_never_its_own(member, outsider, organisation):
    call = factories.make_call()
    submission = factories.make_submission(call, organisation, member)
    with pytest.raises(ValidationError, match="its own issue"):
        services.endorse(submission.pk, member, "")
    endorsement = services.endorse(submission.pk, outsider, " 当機関も同様の課題あり ")
    assert endorsement.comment == "当機関も同様の課題あり"
    with pytest.raises(ValidationError, match="already endorses"):
        services.endorse(submission.pk, outsider, "二度目")
    assert Endorsement.objects.filter(submission=submission).count() == 1


def test_drafts_and_withdrawn_issues_are_not_endorsed(member, outsider, organisation):
    call = factories.make_call()
    for status in ("draft", "withdrawn"):
        submission = factories.make_submission(call, organisation, member, status=status)
        with pytest.raises(ValidationError, match="Only a submitted issue"):
            services.endorse(submission.pk, outsider, "")


@pytest.mark.django_db(transaction=True)
def test_concurrent_endorsements_of_one_institution_make_one():
    """Eight contacts of one institution endorse at the same moment: one endorsement, the
    others told it exists; nothing else fails."""
    submitter = factories.make_organisation("公益財団法人提出機構")
    author = factories.make_user("author@example.jp")
    factories.make_person(submitter, user=author)
    endorser = factories.make_organisation("公益財団法人賛同機構")
    contacts = []
    for n in range(8):
        user = factories.make_user(f"contact{n}@example.jp")
        factories.make_person(endorser, user=user)
        contacts.append(user)
    submission = factories.make_submission(factories.make_call(), submitter, author)
    results, start = [], threading.Barrier(len(contacts))

    def contact(user):
        try:
            start.wait(timeout=30)
            services.endorse(submission.pk, user, "同様の課題あり")
            results.append("endorsed")
        except ValidationError as error:
            results.append(error.code)
        except Exception as error:  # anything else is a failure of the test
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=contact, args=(user,)) for user in contacts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["duplicate"] * 7 + ["endorsed"]
    assert Endorsement.objects.filter(submission=submission, organisation=endorser).count() == 1


def test_hiding_a_comment_is_audited_with_its_reason(member, outsider, organisation, secretariat):
    submission = factories.make_submission(factories.make_call(), organisation, member)
    endorsement = services.endorse(submission.pk, outsider, "不適切な表現")
    with pytest.raises(ValidationError, match="Give the reason"):
        services.hide(endorsement, secretariat, "  ")
    assert not ModerationEvent.objects.exists()
    services.hide(endorsement, secretariat, "個人名が含まれるため")
    endorsement.refresh_from_db()
    assert endorsement.is_hidden
    assert (endorsement.hidden_by, endorsement.hidden_reason) == (
        secretariat,
        "個人名が含まれるため",
    )
    assert endorsement.comment == "不適切な表現"  # kept, not shown
    with pytest.raises(ValidationError, match="hidden already"):
        services.hide(endorsement, secretariat, "もう一度")
    services.unhide(endorsement, secretariat, "修正を確認")
    endorsement.refresh_from_db()
    assert not endorsement.is_hidden
    trail = list(
        ModerationEvent.objects.order_by("at", "pk").values_list(
            "action", "actor", "reason", "endorsement", "comment"
        )
    )
    assert trail == [
        ("hidden", secretariat.pk, "個人名が含まれるため", endorsement.pk, None),
        ("shown", secretariat.pk, "修正を確認", endorsement.pk, None),
    ]
    # The institution cannot make the audited endorsement disappear.
    with pytest.raises(ValidationError, match="moderated"):
        services.withdraw_endorsement(endorsement.pk, outsider)


def test_the_audit_row_and_the_change_commit_together(
    member, outsider, organisation, secretariat, monkeypatch
):
    submission = factories.make_submission(factories.make_call(), organisation, member)
    endorsement = services.endorse(submission.pk, outsider, "コメント")

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(ModerationEvent.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.hide(endorsement, secretariat, "理由")
    endorsement.refresh_from_db()
    assert not endorsement.is_hidden


def test_draft_comments_are_moderated_the_same_way(member, organisation, secretariat):
    from proposals.models import DraftComment, Proposal, ProposalItem

    proposal = Proposal.objects.create(fiscal_year=2026, title="令和8年度 提言")
    item = ProposalItem.objects.create(
        proposal=proposal, theme=factories.proposal_theme(), title="人材育成の支援"
    )
    comment = DraftComment.objects.create(
        item=item, organisation=organisation, user=member, text="意見"
    )
    services.hide(comment, secretariat, "重複")
    event = ModerationEvent.objects.get()
    assert (event.comment, event.endorsement, event.action) == (comment, None, "hidden")
