"""Judges are added and removed in the admin (their own page, or the edition's inline)
through awards.judging: a new judge can open the judging pages at once, a removed one loses
them unless judging another edition, and the admin says what it did."""

import pytest
from django.urls import reverse

from awards.models import AuditEvent, Judge
from tests import factories
from tests.admin_forms import add_inline_row, change_page_data

pytestmark = pytest.mark.django_db


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def judging_page(client, user) -> int:
    client.force_login(user)
    return client.get(reverse("awards:judging")).status_code


@pytest.fixture
def newcomer(db):
    return factories.make_user("newcomer@example.jp", last_name="審査", first_name="花子")


def test_a_judge_added_on_the_judges_page_can_judge_at_once_and_the_admin_says_so(
    client, judging_edition, secretariat_with_mfa, newcomer
):
    assert judging_page(client, newcomer) == 403
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:awards_judge_add"),
        {"edition": judging_edition.pk, "user": newcomer.pk, "affiliation": "審査委員会"},
        follow=True,
    )
    judge = Judge.objects.get(user=newcomer)
    [added] = [text for text in shown(response) if "審査 花子" in text]
    assert str(judging_edition) in added and reverse("awards:judging") in added
    assert AuditEvent.objects.filter(action="judge_added", detail__user=newcomer.pk).exists()
    assert judging_page(client, newcomer) == 200

    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:awards_judge_delete", args=[judge.pk]), {"post": "yes"}, follow=True
    )
    assert any("審査 花子" in text for text in shown(response))
    assert not Judge.objects.filter(user=newcomer).exists()
    assert judging_page(client, newcomer) == 403


def test_judges_added_and_removed_in_the_editions_inline(
    client, judging_edition, secretariat_with_mfa, newcomer
):
    elsewhere = factories.make_edition(2030)
    veteran = factories.make_user("veteran@example.jp", last_name="古参", first_name="一郎")
    change = reverse("admin:awards_edition_change", args=[judging_edition.pk])
    client.force_login(secretariat_with_mfa)
    data = change_page_data(client.get(change))
    for user in (newcomer, veteran):
        data = add_inline_row(data, "judges", user=user.pk, affiliation="")
    response = client.post(change, data, follow=True)
    assert response.status_code == 200
    assert set(judging_edition.judges.values_list("user", flat=True)) == {newcomer.pk, veteran.pk}
    messages = shown(response)
    assert any("審査 花子" in text for text in messages)
    assert any("古参 一郎" in text for text in messages)
    assert judging_page(client, newcomer) == 200 and judging_page(client, veteran) == 200

    # The veteran judges another edition too: removed from this one, they keep the pages.
    client.force_login(secretariat_with_mfa)
    client.post(reverse("admin:awards_judge_add"), {"edition": elsewhere.pk, "user": veteran.pk})
    data = change_page_data(client.get(change))
    rows = {data[f"judges-{n}-user"]: n for n in range(int(data["judges-TOTAL_FORMS"]))}
    for user in (newcomer, veteran):
        data[f"judges-{rows[str(user.pk)]}-DELETE"] = "on"
    response = client.post(change, data, follow=True)
    assert not judging_edition.judges.exists()
    messages = shown(response)
    assert any("審査 花子" in text for text in messages)
    assert any("古参 一郎" in text for text in messages)
    assert judging_page(client, newcomer) == 403
    assert judging_page(client, veteran) == 200


def test_changing_a_judgeships_user_moves_the_access(
    client, judging_edition, secretariat_with_mfa, newcomer
):
    judge = factories.make_judge(judging_edition)
    former = judge.user
    client.force_login(secretariat_with_mfa)
    change = reverse("admin:awards_judge_change", args=[judge.pk])
    data = {**change_page_data(client.get(change)), "user": str(newcomer.pk)}
    assert client.post(change, data).status_code == 302
    assert judging_page(client, newcomer) == 200
    assert judging_page(client, former) == 403
