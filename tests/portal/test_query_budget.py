"""Page query counts stay fixed as the data grows."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

# Page and its budget: fixed numbers, whatever the number of organisations and contacts.
PAGES = {
    "portal:dashboard": 8,
    "members:organisation": 10,
    "members:add_contact": 8,
    "dues:index": 9,
    "dues:billing_profile": 8,
    "dues:units": 8,
    "awards:index": 8,
    "accounts:privacy": 3,
    # regional issues (issue 22); with issues and endorsements: tests/proposals/test_views.py
    "proposals:index": 8,
    "proposals:search": 12,
    "proposals:mine": 9,
    # the public page of past proposals; with many items: tests/proposals/test_compiling.py
    "proposals:outcomes": 6,
}


def grow(organisation, n):
    factories.bulk_organisations(n)
    for _ in range(min(n, 30)):
        factories.make_person(organisation)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("extra", [0, 1000])
def test_member_pages_within_budget(client, primary_contact, organisation, page, extra,
                                    django_assert_max_num_queries):  # fmt: skip
    grow(organisation, extra)
    client.force_login(primary_contact)
    with django_assert_max_num_queries(PAGES[page]):
        assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("extra", [0, 1000])
def test_admin_changelists_within_budget(client, secretariat_with_mfa, organisation, extra,
                                         django_assert_max_num_queries):  # fmt: skip
    grow(organisation, extra)
    client.force_login(secretariat_with_mfa)
    for name in (
        "admin:members_organisation_changelist",
        "admin:members_person_changelist",
        "admin:members_membershipyear_changelist",
        "admin:dues_invoice_changelist",
        "admin:dues_payment_changelist",
        "admin:dues_statemententry_changelist",
        "admin:members_organisationimport_changelist",
        "admin:members_changerequest_changelist",
        "admin:outbox_mailing_changelist",
        "admin:newsletter_subscriber_changelist",
    ):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200
