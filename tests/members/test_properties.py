"""Property tests: the member forms take any input without a 500.

Whatever is posted, the answer is a redirect after a complete save, or the form again with
its errors shown and the database as it was.
"""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from members import fiscal
from members.forms import ContactForm, ProfileForm, UnitsForm
from members.models import ChangeRequest, MembershipYear, Organisation, Person, PersonRole
from tests.strategies import (
    PROPERTY_SETTINGS,
    error_page,
    number_text,
    perturbed,
    rolled_back,
    state,
    text,
)

pytestmark = pytest.mark.django_db

# The `organisation` fixture as the edit page shows it.
PROFILE = {
    "name": "公益財団法人石川県産業創出支援機構",
    "name_kana": "テストザイダン",
    "short_name": "ISICO",
    "name_en": "",
    "corporate_number": "",
    "postal_code": "",
    "prefecture": "17",
    "address": "",
    "phone": "",
    "website": "",
    "description": "",
    "representative": "",
    "version": "1",
}
PROFILE_TEXT = ["name_kana", "short_name", "name_en", "postal_code", "address", "phone"]
PROFILE_CHANGES = {
    **{name: text() for name in [*PROFILE_TEXT, "name", "description", "website"]},
    "corporate_number": st.one_of(number_text(), st.sampled_from(["7000012050002"])),
    "postal_code": st.one_of(text(), number_text(), st.just("9200223")),
    "prefecture": number_text(),
    "representative": number_text(),
    "version": number_text(),
}


@PROPERTY_SETTINGS
@given(data=perturbed(PROFILE, PROFILE_CHANGES, max_changes=4))
def test_profile_edit_saves_all_or_nothing(client, member, organisation, data):
    client.force_login(member)
    with rolled_back():
        tables = (Organisation, ChangeRequest, Organisation.history.model)
        before = state(*tables)
        response = client.post(reverse("members:edit_organisation"), data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert error_page(response), response.content[:500]
            assert state(*tables) == before
            return
        saved = Organisation.objects.get(pk=organisation.pk)
        fields = ProfileForm.base_fields
        for name in [*PROFILE_TEXT, "description"]:
            # stripped, and phone, postal code and reading normalised as the form does
            assert getattr(saved, name) == fields[name].clean(data.get(name, "")), name
        assert saved.website == fields["website"].clean(data.get("website", ""))
        assert saved.prefecture == int(fields["prefecture"].clean(data["prefecture"]))
        assert saved.version == organisation.version + 1
        assert saved.search_text == saved.build_search_text()
        # The legal name and corporate number wait for approval, as typed (stripped).
        assert (saved.name, saved.corporate_number) == (organisation.name, "")
        requested = dict(ChangeRequest.objects.values_list("field", "new_value"))
        for name in ("name", "corporate_number"):
            posted = data.get(name, "").strip()
            assert requested.get(name) == (
                posted if posted != getattr(organisation, name) else None
            )


CONTACT = {
    "family_name": "佐藤",
    "given_name": "一郎",
    "family_name_kana": "サトウ",
    "given_name_kana": "イチロウ",
    "department": "総務課",
    "title": "課長",
    "email": "sato@example.jp",
    "phone": "076-000-0000",
    "roles": ["billing"],
}
CONTACT_TEXT = [name for name in CONTACT if name not in ("email", "roles")]
ROLE_VALUES = ["primary", "billing", "voter", "newsletter", "representative"]
CONTACT_CHANGES = {
    **{name: text() for name in CONTACT_TEXT},
    "email": st.one_of(text(), st.emails().map(str)),
    "roles": st.lists(st.one_of(st.sampled_from(ROLE_VALUES), text(max_size=12)), max_size=4),
}
CONTACT_TABLES = (Person, PersonRole, Person.history.model, PersonRole.history.model)


def _check_contact(person, data):
    fields = ContactForm.base_fields
    for name in CONTACT_TEXT:
        assert getattr(person, name) == fields[name].clean(data.get(name, "")), name
    held = set(person.roles.current().values_list("kind", flat=True))
    assert held == set(data.get("roles", []))


@PROPERTY_SETTINGS
@given(data=perturbed(CONTACT, CONTACT_CHANGES, max_changes=4))
def test_adding_a_contact_saves_all_or_nothing(client, primary_contact, organisation, data):
    client.force_login(primary_contact)
    with rolled_back():
        before = state(*CONTACT_TABLES)
        response = client.post(reverse("members:add_contact"), data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert error_page(response), response.content[:500]
            assert state(*CONTACT_TABLES) == before
            return
        added = Person.objects.exclude(pk=primary_contact.person.pk).get(organisation=organisation)
        _check_contact(added, data)
        assert added.email == ContactForm.base_fields["email"].clean(data.get("email", ""))


@PROPERTY_SETTINGS
@given(data=perturbed({**CONTACT, "roles": ["primary"]}, CONTACT_CHANGES, max_changes=4))
def test_editing_oneself_saves_all_or_nothing(client, primary_contact, data):
    """The primary contact edits their own record: dropping the primary role is refused
    after the fields were set, and nothing of that attempt may stay."""
    client.force_login(primary_contact)
    person = primary_contact.person
    with rolled_back():
        before = state(*CONTACT_TABLES)
        response = client.post(reverse("members:edit_contact", args=[person.pk]), data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert error_page(response), response.content[:500]
            assert state(*CONTACT_TABLES) == before
            return
        person.refresh_from_db()
        _check_contact(person, data)
        assert person.email == primary_contact.email  # the login's address: not editable here


@PROPERTY_SETTINGS
@given(units=st.one_of(number_text(), st.integers(min_value=-5, max_value=120).map(str)))
def test_choosing_units_saves_a_whole_year_or_nothing(
    client, billing_contact, organisation, open_units, units
):
    client.force_login(billing_contact)
    with rolled_back():
        before = state(MembershipYear, MembershipYear.history.model)
        response = client.post(reverse("dues:units"), {"units": units})
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert error_page(response), response.content[:500]
            assert state(MembershipYear, MembershipYear.history.model) == before
            return
        year = MembershipYear.objects.get(
            organisation=organisation, fiscal_year=fiscal.current_fiscal_year() + 1
        )
        chosen = UnitsForm.base_fields["units"].clean(units)  # "２", " 3 " and "4.0" too
        assert 2 <= chosen <= 100
        assert (year.units, year.votes, year.amount_due) == (chosen, chosen, chosen * 50000)
