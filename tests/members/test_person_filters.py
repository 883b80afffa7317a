"""The secretariat's person list narrows by membership class, regional block and current
role, instead of rows picked by hand."""

import pytest
from django.urls import reverse

from members.models import MembershipClass, PersonRole
from members.services import assign_role
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_person_list_filters_by_class_block_and_current_role(client, secretariat_with_mfa):
    from members.models import RegionalBlock

    academic = factories.make_class("academic", MembershipClass.DuesRule.FLAT, flat_amount=15000)
    kanto = RegionalBlock.objects.create(name="関東", order=3)
    full_org = factories.make_organisation("F財団")
    academic_org = factories.make_organisation("A大学", membership_class=academic, block=kanto)
    primary = factories.make_person(full_org, email="primary@f.example.jp")
    assign_role(primary, PersonRole.Kind.PRIMARY)
    factories.make_person(full_org, email="staff@f.example.jp")
    head = factories.make_person(academic_org, email="head@a.example.jp")
    assign_role(head, PersonRole.Kind.REPRESENTATIVE)
    client.force_login(secretariat_with_mfa)

    def emails(**query):
        page = client.get(reverse("admin:members_person_changelist"), query)
        assert page.status_code == 200
        return sorted(p.email for p in page.context["cl"].result_list)

    assert emails(membership_class=academic.pk) == ["head@a.example.jp"]
    assert emails(membership_class=factories.full_class().pk) == [
        "primary@f.example.jp",
        "staff@f.example.jp",
    ]
    assert emails(organisation__block__id__exact=kanto.pk) == ["head@a.example.jp"]
    assert emails(role="primary") == ["primary@f.example.jp"]
    assert emails(role="representative", membership_class=academic.pk) == ["head@a.example.jp"]
