import pytest
from django.core.management import call_command

from accounts import demo
from accounts.models import User
from members.models import Membership, Organisation, Person, RegionalBlock
from members.permissions import roles_of
from newsletter.models import Issue, Subscriber

pytestmark = pytest.mark.django_db


def counts():
    return (
        Organisation.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        User.objects.count(),
        Issue.objects.count(),
        Subscriber.objects.count(),
    )


def test_seed_demo_is_idempotent_and_believable():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    assert 55 <= Organisation.objects.count() <= 70
    classes = set(Membership.objects.values_list("membership_class__code", flat=True))
    assert classes == {"full", "academic", "observer", "steering"}
    used_blocks = set(Organisation.objects.values_list("block__name", flat=True))
    assert used_blocks == set(RegionalBlock.objects.values_list("name", flat=True))
    assert RegionalBlock.objects.count() == 10
    for organisation in Organisation.objects.all():
        organisation.full_clean()
        assert organisation.name_kana
    assert Organisation.objects.filter(name="公益財団法人ノーステック財団").exists()
    # Newsletter: back issues of both kinds, a draft to approve, members and outside readers.
    assert set(Issue.objects.published().values_list("visibility", flat=True)) == {
        "public",
        "members",
    }
    assert Issue.objects.filter(status="draft").count() == 1
    assert Subscriber.objects.filter(person__isnull=False).count() > 40
    assert Subscriber.objects.filter(person__isnull=True).count() == 4


def test_seed_demo_creates_one_login_per_role():
    call_command("seed_demo")
    expected = {
        demo.SECRETARIAT: "secretariat",
        demo.EDITOR: "secretariat",
        demo.JUDGE: "judge",
        demo.MEMBER: "member",
        demo.APPLICANT: "authenticated",
    }
    for email, role in expected.items():
        user = User.objects.get(email=email)
        assert user.is_demo
        assert user.check_password(demo.DEMO_PASSWORD)
        assert getattr(roles_of(user), role)


def test_seed_demo_opens_an_assembly_the_demo_member_can_vote_on(client, settings):
    from django.urls import reverse

    from assemblies import demo as assembly_demo
    from assemblies.models import Assembly, Ballot
    from assemblies.tally import tally
    from members.permissions import can

    call_command("seed_demo")
    call_command("seed_demo")
    assembly = Assembly.objects.get(title=assembly_demo.TITLE)
    assert assembly.is_open() and assembly.roll.count() > 20
    outcome = tally(assembly)
    assert 0 < outcome.present_votes < outcome.roll_votes
    assert Ballot.objects.filter(item__assembly=assembly).count() > 0
    member = User.objects.get(email=demo.MEMBER)
    assert can(roles_of(member), "assemblies.vote")
    settings.DEBUG = True  # demo logins work only on a DEBUG portal
    client.force_login(member)
    response = client.get(reverse("assemblies:detail", args=[assembly.pk]))
    assert response.status_code == 200, response.get("Location")
    assert 'value="for"' in response.content.decode()  # the voting form


def test_seed_demo_gives_the_demo_judge_entries_to_score_and_the_dashboard_a_link(
    client, settings
):
    from django.urls import reverse

    from awards import selectors as award_selectors

    call_command("seed_demo")
    call_command("seed_demo")
    from awards import demo as award_demo
    from awards.models import Entry

    judge = User.objects.get(email=demo.JUDGE)
    [row] = award_selectors.judging_summary(judge)
    submitted = Entry.objects.filter(edition__year=award_demo.YEAR, status="submitted")
    assert row["assigned"] == submitted.count() > 0 and row["scored"] == 0
    settings.DEBUG = True  # demo logins work only on a DEBUG portal
    client.force_login(judge)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("awards:judging")}"' in dashboard
    worklists = client.get(reverse("awards:judging")).context["worklists"]
    [(stage, assignments)] = worklists
    assert len(assignments) == row["assigned"]
    first = assignments[0]
    assert client.get(reverse("awards:review", args=[stage.pk, first.entry_id])).status_code == 200
