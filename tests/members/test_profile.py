import pytest
from django.urls import reverse

from members import services
from members.models import ChangeRequest, Organisation, PersonRole
from tests import factories

pytestmark = pytest.mark.django_db

EDIT = reverse("members:edit_organisation")


def form_data(organisation, **changes):
    data = {
        "name": organisation.name,
        "name_kana": organisation.name_kana,
        "short_name": organisation.short_name,
        "name_en": organisation.name_en,
        "corporate_number": organisation.corporate_number,
        "postal_code": organisation.postal_code,
        "prefecture": organisation.prefecture,
        "address": organisation.address,
        "phone": organisation.phone,
        "website": organisation.website,
        "description": organisation.description,
        "representative": "",
        "version": organisation.version,
    }
    return {**data, **changes}


def test_free_fields_apply_at_once(client, member, organisation):
    client.force_login(member)
    response = client.post(
        EDIT, form_data(organisation, phone="076-267-1001", description="ものづくり支援")
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.phone, organisation.version) == ("076-267-1001", 2)
    assert "モノヅクリ" in organisation.search_text  # stored folded to katakana
    assert not ChangeRequest.objects.exists()


def test_legal_name_corporate_number_and_representative_need_approval(
    client, member, organisation
):
    boss = factories.make_person(organisation, family_name="理事長")
    client.force_login(member)
    client.post(
        EDIT,
        form_data(
            organisation,
            name="公益財団法人いしかわ産業支援機構",
            corporate_number="7000012050002",
            representative=boss.pk,
        ),
    )
    organisation.refresh_from_db()
    assert organisation.name == "公益財団法人石川県産業創出支援機構"
    assert organisation.corporate_number == ""
    assert set(ChangeRequest.objects.values_list("field", "status")) == {
        ("name", "pending"),
        ("corporate_number", "pending"),
        ("representative", "pending"),
    }
    page = client.get(reverse("members:organisation")).content.decode()
    assert "公益財団法人いしかわ産業支援機構" in page  # shown as pending


def test_invalid_corporate_number_is_explained(client, member, organisation):
    client.force_login(member)
    response = client.post(EDIT, form_data(organisation, corporate_number="8000012050002"))
    assert response.status_code == 200
    assert "チェックディジット" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    assert not ChangeRequest.objects.exists()


def test_second_editor_is_told_and_overwrites_nothing(client, member, organisation):
    client.force_login(member)
    stale = form_data(organisation, phone="03-0000-0000")
    client.post(EDIT, form_data(organisation, address="金沢市鞍月2-20"))
    response = client.post(EDIT, stale)
    assert response.status_code == 200
    assert "他の方が" in response.content.decode()
    organisation.refresh_from_db()
    assert (organisation.address, organisation.phone) == ("金沢市鞍月2-20", "")


def test_secretariat_approves_and_rejects(client, member, organisation, secretariat_with_mfa):
    boss = factories.make_person(organisation, family_name="理事長")
    services.update_profile(
        organisation,
        {**form_data(organisation, name="新名称財団", representative=boss), "prefecture": 17},
        version=1,
        user=member,
    )
    by_field = {r.field: r for r in ChangeRequest.objects.all()}
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:members_changerequest_change", args=[by_field["name"].pk])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200  # a rejection needs a reason
    client.post(url, {"decision": "reject", "reason": "登記事項証明書を添付してください"})
    url = reverse("admin:members_changerequest_change", args=[by_field["representative"].pk])
    client.post(url, {"decision": "approve", "reason": ""})

    organisation.refresh_from_db()
    assert organisation.name == "公益財団法人石川県産業創出支援機構"
    assert ChangeRequest.objects.get(field="name").status == "rejected"
    representative = PersonRole.objects.current().get(
        organisation=organisation, kind="representative"
    )
    assert representative.person == boss


@pytest.mark.parametrize("role", ["applicant", "judge", "secretariat_with_mfa"])
def test_only_member_contacts_edit_their_profile(client, request, role, organisation):
    client.force_login(request.getfixturevalue(role))
    assert client.get(EDIT).status_code == 403


def test_outsider_edits_only_its_own(client, outsider, organisation, other_organisation):
    client.force_login(outsider)
    client.post(EDIT, form_data(other_organisation, phone="075-315-3625"))
    assert Organisation.objects.get(pk=organisation.pk).phone == ""
    assert Organisation.objects.get(pk=other_organisation.pk).phone == "075-315-3625"


@pytest.mark.parametrize("extra", [0, 30])
def test_edit_page_query_budget(
    client, member, organisation, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        factories.make_person(organisation)
    client.force_login(member)
    with django_assert_max_num_queries(10):
        assert client.get(EDIT).status_code == 200
