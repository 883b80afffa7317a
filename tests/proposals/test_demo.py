"""The demo: an open call with issues from several blocks, endorsements with one comment
hidden (and audited), last year's closed call; the demo member may submit and endorse."""

import pytest

from accounts import demo as account_demo
from members import demo as member_demo
from members.models import Person
from members.permissions import roles_of
from proposals import demo, selectors, services
from proposals.models import Call, Endorsement, ModerationEvent, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Last year's proposal stores its version's files."""
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_call_is_open_to_the_demo_member_and_idempotent():
    member_demo.seed()
    account_demo.seed_users(Person.objects.get(email=member_demo.DEMO_MEMBER_PERSON_EMAIL))
    from accounts.models import User

    office = User.objects.get(email=account_demo.SECRETARIAT)
    call = demo.seed(office)
    counts = (Call.objects.count(), Submission.objects.count(), Endorsement.objects.count())
    assert demo.seed(office) == call
    assert (Call.objects.count(), Submission.objects.count(), Endorsement.objects.count()) == (
        counts
    )
    assert call.is_open()
    assert Call.objects.filter(fiscal_year=call.fiscal_year - 1).get().has_closed()
    member = User.objects.get(email=account_demo.MEMBER)
    organisation = member.person.organisation
    assert services.eligibility_problem(call, organisation) is None
    roles = roles_of(member)
    assert selectors.call_submissions(roles, call).count() == len(demo.ISSUES)
    blocks = {
        block.name
        for submission in call.submissions.all()
        for block in selectors.sharing_blocks(submission)
    }
    assert len(blocks) >= 5
    hidden = Endorsement.objects.get(hidden_at__isnull=False)
    assert ModerationEvent.objects.get().endorsement == hidden
    issue = call.submissions.exclude(organisation=organisation).first()
    assert services.endorse(issue.pk, member, "当機関も同様の課題あり").organisation == (
        organisation
    )


def test_the_demo_has_last_years_proposal_with_the_answers():
    from datetime import date

    from accounts.models import User
    from proposals.models import FollowUpStatus, Proposal, ProposalItem

    member_demo.seed()
    account_demo.seed_users(Person.objects.get(email=member_demo.DEMO_MEMBER_PERSON_EMAIL))
    call = demo.seed(User.objects.get(email=account_demo.SECRETARIAT))
    past = Proposal.objects.get(fiscal_year=call.fiscal_year - 1)
    assert past.status == "submitted" and past.submitted_on == date(past.fiscal_year, 8, 1)
    assert past.versions.get().number == 1
    statuses = sorted(ProposalItem.objects.filter(proposal=past).values_list(
        "follow_up_status", flat=True))  # fmt: skip
    assert statuses == sorted(
        [FollowUpStatus.REFLECTED, FollowUpStatus.CONTINUED, FollowUpStatus.ANSWERED]
    )
    for item in past.items.all():
        cited = list(item.submissions.all())
        assert cited and {s.call.fiscal_year for s in cited} == {past.fiscal_year}
    assert call.is_open()
    assert Proposal.objects.count() == 1
