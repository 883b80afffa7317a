"""Property tests: the award entry form takes any input without a 500.

A draft save keeps exactly what was typed (stripped); a submission either goes through with
a complete entry or is refused with the missing parts named next to their fields.
"""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from awards import services
from awards.forms import EntryForm
from awards.models import Entry
from tests.strategies import (
    PROPERTY_SETTINGS,
    error_page,
    number_text,
    perturbed,
    rolled_back,
    text,
)
from tests.strategies import state as table_state

pytestmark = pytest.mark.django_db

TEXT_FIELDS = [
    "title",
    "organisation_name",
    "co_applicants",
    "summary",
    "keywords",
    "contact_name",
    "contact_phone",
]


@pytest.fixture
def draft(edition, applicant):
    return services.start_entry(edition.tracks.get(kind="programme"), applicant)


def _complete(entry) -> dict:
    sections = entry.track.sections.all()
    return {
        "title": "ものづくり伴走支援",
        "organisation_name": "公益財団法人テスト財団",
        "co_applicants": "",
        "prefecture": "17",
        "summary": "地域企業の新事業を伴走支援する。",
        "keywords": "伴走支援, ものづくり",
        "contact_name": "応募 太郎",
        "contact_email": "entry@example.jp",
        "contact_phone": "",
        **{f"section_{s.key}": f"{s.label}について" for s in sections},
    }


def _changes(entry) -> dict:
    return {
        **{name: text() for name in TEXT_FIELDS},
        **{f"section_{s.key}": text() for s in entry.track.sections.all()},
        "prefecture": number_text(),
        "contact_email": st.one_of(text(), st.emails().map(str)),
    }


def _tables(entry):
    return (Entry.objects.filter(pk=entry.pk), entry.co_applicant_organisations.through)


@PROPERTY_SETTINGS
@given(data=st.data(), action=st.sampled_from(["save", "submit"]))
def test_entry_saves_what_was_typed_or_nothing(client, applicant, draft, data, action):
    client.force_login(applicant)
    post = data.draw(perturbed(_complete(draft), _changes(draft), max_changes=4))
    url = reverse("awards:entry", args=[draft.pk])
    with rolled_back():
        before = table_state(*_tables(draft))
        response = client.post(url, {**post, action: ""})
        assert response.status_code in (200, 302)
        entry = Entry.objects.get(pk=draft.pk)
        if response.status_code == 200:
            assert error_page(response), response.content[:500]
            if table_state(*_tables(draft)) != before:
                # Only a valid form is saved as a draft before the submission is refused
                # for what it lacks: the whole draft, and still a draft.
                assert action == "submit" and entry.status == Entry.Status.DRAFT
                _assert_saved(entry, post)
            return
        _assert_saved(entry, post)
        expected = Entry.Status.SUBMITTED if action == "submit" else Entry.Status.DRAFT
        assert entry.status == expected
        assert not services.completeness_errors(entry) or action == "save"


def _assert_saved(entry, post):
    for name in TEXT_FIELDS:
        assert getattr(entry, name) == post.get(name, "").strip()
    fields = EntryForm(instance=entry).fields  # nothing required for a draft
    assert entry.contact_email == fields["contact_email"].clean(post.get("contact_email", ""))
    assert entry.prefecture == fields["prefecture"].clean(post.get("prefecture", ""))
    for section in entry.track.sections.all():
        assert entry.sections[section.key] == post.get(f"section_{section.key}", "").strip()
