"""Phone numbers, postal codes and readings (フリガナ): normalised and checked alike on every
form that has them (portal.validators, portal.formfields)."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

FULL_WIDTH_PHONE = "０７６（２６７）１００１"
FULL_WIDTH_POSTAL = "〒９２０－８２０３"


def test_phones_postal_codes_and_readings_are_normalised():
    from portal import validators as v

    assert v.normalise_phone(FULL_WIDTH_PHONE) == "076-267-1001"
    assert v.normalise_phone("03ー1234ー5678") == "03-1234-5678"  # an IME's long vowel mark
    assert v.normalise_postal_code(FULL_WIDTH_POSTAL) == "9208203"
    assert v.normalise_postal_code("920 8203") == "9208203"
    assert v.format_postal_code("9208203") == "〒920-8203"
    assert v.normalise_katakana("やまだ") == "ヤマダ"
    assert v.normalise_katakana("ﾔﾏﾀﾞ　ﾊﾅｺ") == "ヤマダ ハナコ"


@pytest.mark.parametrize("phone", ["abc-def", "03-1234", "03-1234-5678-9012", "内線123", "1-2"])
def test_implausible_phones_are_refused(phone):
    from django.core.exceptions import ValidationError

    from portal import validators as v

    with pytest.raises(ValidationError):
        v.validate_phone(v.normalise_phone(phone))


def test_other_characters_in_a_reading_are_refused():
    from django.core.exceptions import ValidationError

    from portal import validators as v

    for reading in ("Yamada", "山田", "ヤマダ1"):
        with pytest.raises(ValidationError):
            v.validate_katakana(v.normalise_katakana(reading))


def _profile_data(organisation, **changes):
    data = model_to_dict(organisation, exclude=["id", "kind", "block"])
    data = {k: "" if v is None else v for k, v in data.items()}
    return {**data, "version": str(organisation.version), **changes}


def test_the_organisation_profile_normalises_and_refuses():
    from members.forms import ProfileForm

    organisation = factories.make_organisation("公益財団法人ふくい産業支援センター")
    form = ProfileForm(
        _profile_data(
            organisation,
            phone=FULL_WIDTH_PHONE,
            postal_code=FULL_WIDTH_POSTAL,
            name_kana="ふくいさんぎょうしえんせんたー",
        ),
        instance=organisation,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "076-267-1001"
    assert form.cleaned_data["postal_code"] == "9208203"
    assert form.cleaned_data["name_kana"] == "フクイサンギョウシエンセンター"

    form = ProfileForm(
        _profile_data(organisation, phone="abc-def", name_kana="Fukui"), instance=organisation
    )
    assert not form.is_valid()
    assert "電話番号" in form.errors["phone"][0]
    assert "カタカナ" in form.errors["name_kana"][0]


def test_a_contact_s_reading_and_phone_are_normalised():
    from members.forms import ContactForm

    data = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ﾔﾏﾀﾞ",
        "given_name_kana": "はなこ",
        "email": "hanako@example.jp",
        "phone": "０９０－１２３４－５６７８",
    }
    form = ContactForm(data, by_primary=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["family_name_kana"] == "ヤマダ"
    assert form.cleaned_data["given_name_kana"] == "ハナコ"
    assert form.cleaned_data["phone"] == "090-1234-5678"


def test_the_billing_profile_and_the_award_entry_normalise_too():
    from awards.forms import EntryForm
    from dues.forms import BillingProfileForm

    form = BillingProfileForm({"postal_code": FULL_WIDTH_POSTAL, "delivery": "pdf"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postal_code"] == "9208203"
    assert 'maxlength="7"' not in str(form["postal_code"])  # 〒920-8203 can be typed

    entry = factories.make_entry(factories.make_edition(), status="draft")
    form = EntryForm({"contact_phone": FULL_WIDTH_PHONE}, instance=entry)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact_phone"] == "076-267-1001"
    form = EntryForm({"contact_phone": "abc-def"}, instance=entry)
    assert not form.is_valid() and "contact_phone" in form.errors


def test_the_member_list_import_normalises_its_rows():
    from members.imports import RowForm

    lookups = {"kind": {}, "membership_class": {}, "prefecture": {}, "block": {}}
    form = RowForm(
        {
            "name": "テスト財団",
            "name_kana": "てすとざいだん",
            "postal_code": FULL_WIDTH_POSTAL,
            "phone": FULL_WIDTH_PHONE,
            "contact_phone": "abc-def",
            "kind": "x",
            "membership_class": "x",
            "prefecture": "x",
            "block": "x",
        },
        lookups=lookups,
    )
    form.is_valid()
    assert form.cleaned_data["name_kana"] == "テストザイダン"
    assert form.cleaned_data["postal_code"] == "9208203"
    assert form.cleaned_data["phone"] == "076-267-1001"
    assert "contact_phone" in form.errors


def test_the_admin_normalises_an_organisation_s_phone(client, secretariat_with_mfa):
    organisation = factories.make_organisation()
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert form.fields["phone"].clean(FULL_WIDTH_PHONE) == "076-267-1001"
    assert form.fields["postal_code"].clean(FULL_WIDTH_POSTAL) == "9208203"
    assert form.fields["name_kana"].clean("てすと") == "テスト"
