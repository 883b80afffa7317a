"""Opening a page changes nothing: no GET in the admin or the portal writes to the database
(what a page shows is brought up to date by the writes that change it)."""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import demo
from members import demo as members_demo
from members.models import Organisation, PersonRole
from members.services import assign_role
from tests import factories

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# Logging in writes the session (and last_login); opening pages afterwards must not. (The
# home page sends a member to the dashboard.)
PORTAL_VIEWS = [
    "portal:dashboard", "members:organisation", "members:edit_organisation",
    "members:add_contact", "dues:index", "dues:billing_profile", "dues:units",
    "members:directory", "awards:index", "newsletter:index", "newsletter:preferences",
    "surveys:index", "assemblies:index",
    "events:index", "events:mine", "events:calendar",
]  # fmt: skip


def writes_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return [q["sql"][:120] for q in queries.captured_queries if WRITE.match(q["sql"])]


@pytest.fixture
def demo_data(db, settings):
    """The demo, and a newsletter contact added since its subscriptions were last brought up
    to date: a page that showed the issue's audience used to subscribe them. The demo's
    logins work only while DEBUG is on."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    organisation = Organisation.objects.get(name=members_demo.DEMO_MEMBER_ORGANISATION)
    person = factories.make_person(organisation, email="new-reader@example.jp")
    assign_role(person, PersonRole.Kind.NEWSLETTER)


def test_no_admin_page_writes(client, demo_data):
    office = get_user_model().objects.get(email=demo.SECRETARIAT)
    factories.add_totp(office)
    client.force_login(office)
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        # Every object of the small tables (issues in each state, say), one of the large.
        pks = list(model_admin.get_queryset(_request(office)).values_list("pk", flat=True)[:21])
        for pk in pks if len(pks) <= 20 else pks[:1]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
    found = {url: writes for url in urls if (writes := writes_of(client, url))}
    assert found == {}


def test_no_portal_page_writes(client, demo_data):
    client.force_login(get_user_model().objects.get(email=demo.MEMBER))
    found = {name: writes for name in PORTAL_VIEWS if (writes := writes_of(client, reverse(name)))}
    assert found == {}


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request
