import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:members_organisation_changelist"


def export(client, action, pks, url_name=CHANGELIST):
    return client.post(reverse(url_name), {"action": action, "_selected_action": pks})


def test_csv_has_a_bom_and_japanese_text(client, secretariat_with_mfa, organisation):
    client.force_login(secretariat_with_mfa)
    response = export(client, "export_csv", [organisation.pk])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["正式名称", "正式名称（フリガナ）"]
    assert rows[1][0] == "公益財団法人石川県産業創出支援機構"
    assert "正会員" in rows[1]
    assert "石川県" in rows[1]


def test_excel_export(client, secretariat_with_mfa, organisation):
    factories.make_person(organisation, email="taro@isico.example.jp")
    client.force_login(secretariat_with_mfa)
    response = export(
        client, "export_excel", [organisation.people.get().pk], "admin:members_person_changelist"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "公益財団法人石川県産業創出支援機構"
    assert "taro@isico.example.jp" in [cell.value for cell in sheet[2]]
    assert sheet["A1"].font.bold


def test_export_queries_do_not_grow(
    client, secretariat_with_mfa, organisation, django_assert_max_num_queries
):
    factories.bulk_organisations(1000)
    client.force_login(secretariat_with_mfa)
    with django_assert_max_num_queries(15):
        # "Select all 1,001" in the changelist: the action gets every row.
        response = client.post(
            reverse(CHANGELIST),
            {
                "action": "export_csv",
                "select_across": "1",
                "index": "0",
                "_selected_action": [organisation.pk],
            },
        )
    assert response.content.decode("utf-8-sig").count("\n") == 1002


def test_only_the_secretariat_exports(client, member, organisation):
    client.force_login(member)
    response = export(client, "export_csv", [organisation.pk])
    assert response.status_code in (302, 403)
    assert not response.content.startswith(b"\xef\xbb\xbf")
