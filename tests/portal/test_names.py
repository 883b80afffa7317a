"""Name order and honorifics (portal.names): family name first, 様 for people, 御中 for
organisations, in every mail that addresses someone."""

import pytest
from django.utils import translation

from portal.mail import render_templated
from tests import factories

pytestmark = pytest.mark.django_db


def test_japanese_names_are_family_name_first_in_both_languages():
    from portal import names

    for language in ("ja", "en"):
        with translation.override(language):
            assert names.person_name("審査", "太郎") == "審査 太郎"
    assert names.person_name("山田", "") == "山田"


def test_a_romanised_name_is_given_name_first_only_in_english():
    from portal import names

    with translation.override("ja"):
        assert names.person_name("Shinsa", "Taro") == "Shinsa Taro"
    with translation.override("en"):
        assert names.person_name("Shinsa", "Taro") == "Taro Shinsa"
        assert names.person_name("O'Brien", "Mary-Jane") == "Mary-Jane O'Brien"


def test_people_get_sama_and_organisations_onchu():
    from portal import names

    with translation.override("ja"):
        assert names.to_person("山田 花子") == "山田 花子 様"
        assert names.to_organisation("○○財団") == "○○財団 御中"
        assert names.addressee("○○財団", "山田 花子") == "○○財団\n山田 花子 様"
        assert names.addressee("○○財団", "") == "○○財団 御中"
    with translation.override("en"):
        assert names.to_person("山田 花子") == "Dear 山田 花子,"
        assert names.to_organisation("○○財団") == "To ○○財団"


def test_users_and_people_show_the_family_name_first():
    user = factories.make_user("judge@example.jp", last_name="審査", first_name="太郎")
    assert user.get_full_name() == "審査 太郎"
    person = factories.make_person(
        factories.make_organisation(), family_name="事務局", given_name="花子"
    )
    assert str(person) == "事務局 花子"


def _body(name, context):
    return render_templated(name, context, "someone@example.jp").body


def test_award_mails_address_the_contact_with_sama():
    edition = factories.make_edition()
    entry = factories.make_entry(edition, organisation_name="公益財団法人テスト財団")
    body = _body(
        "awards/email/entry_submitted", {"entry": entry, "sections": [], "entry_url": "/e/"}
    )
    assert body.startswith("公益財団法人テスト財団\n応募 太郎 様\n")


def test_survey_requests_address_the_institution_with_onchu():
    organisation = factories.make_organisation("公益財団法人ふくい産業支援センター")
    survey = factories.make_survey([{"code": "q1", "kind": "text"}])
    from surveys.models import Response

    response = Response.objects.create(
        survey=survey,
        organisation=organisation,
        membership_class=factories.full_class(),
        block_id=organisation.block_id,
    )
    for template in ("surveys/email/invitation", "surveys/email/reminder"):
        body = _body(template, {"response": response, "survey": survey, "url": "/s/"})
        assert body.startswith("公益財団法人ふくい産業支援センター 御中\n"), template


def test_the_newsletter_test_send_greets_the_author_family_name_first():
    from newsletter import rendering

    author = factories.make_user("office@example.jp", last_name="事務局", first_name="花子")
    issue = factories.make_issue(author)
    message = rendering.render_test(issue, author.email, author.get_full_name())
    assert "事務局 花子 様" in message.body
