"""The initial member list: checked whole, imported all or nothing, problems by row."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members import imports
from members.models import (
    MembershipYear,
    Organisation,
    OrganisationImport,
    OrganisationKind,
    Person,
    RegionalBlock,
)
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["法人名", "法人名カナ", "種別", "会員区分", "口数", "法人番号", "郵便番号", "都道府県",
          "地域ブロック", "担当者姓", "担当者名", "担当者メール"]  # fmt: skip
GOOD = [
    ["公益財団法人ふくい産業支援センター", "フクイサンギョウシエンセンター", "産業支援機関",
     "正会員", "3", "", "910-0296", "福井県", "北陸", "福井", "太郎", "fukui@example.jp"],
    ["国立大学法人金沢大学", "カナザワダイガク", "Industry-support agency", "full", "", "", "",
     "石川", "Hokuriku", "", "", ""],
]  # fmt: skip


@pytest.fixture(autouse=True)
def reference_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.full_class()
    OrganisationKind.objects.create(name="産業支援機関", name_en="Industry-support agency")
    RegionalBlock.objects.create(name="北陸", name_en="Hokuriku")


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    lines = [",".join(row) for row in [HEADER, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(content: bytes, name="members.csv", user=None):
    user = user or factories.make_user("office-import@example.jp", is_staff=True)
    job = OrganisationImport.objects.create(
        upload=SimpleUploadedFile(name, content), file_name=name, uploaded_by=user
    )
    imports.run(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (csv_bytes(GOOD), "members.csv"),
        (csv_bytes(GOOD, "cp932"), "members-sjis.csv"),
        (xlsx_bytes(GOOD), "members.xlsx"),
    ],
)
def test_a_good_list_is_imported_whole(content, name):
    job = run_import(content, name)

    assert (job.status, job.rows, job.created, job.report) == ("imported", 2, 2, [])
    fukui = Organisation.objects.get(name="公益財団法人ふくい産業支援センター")
    assert (fukui.postal_code, fukui.prefecture) == ("9100296", 18)
    assert fukui.search_text  # searchable in the directory like any other
    assert fukui.history.count() == 1
    assert MembershipYear.objects.get(organisation=fukui).units == 3
    contact = Person.objects.get(organisation=fukui)
    assert contact.roles.get().kind == "primary"
    kanazawa = Organisation.objects.get(name="国立大学法人金沢大学")
    assert MembershipYear.objects.get(organisation=kanazawa).units == 2  # the class minimum
    assert not Person.objects.filter(organisation=kanazawa).exists()


def test_one_bad_row_means_nothing_is_imported():
    bad = list(GOOD[1])
    bad[3], bad[4], bad[5], bad[6] = "準会員", "1", "1234567890123", "12345"
    job = run_import(csv_bytes([GOOD[0], bad, GOOD[0]]))

    assert job.status == "rejected"
    assert Organisation.objects.count() == 0
    problems = {(p["row"], p["column"]) for p in job.report}
    assert (3, "会員区分") in problems
    assert (3, "法人番号") in problems
    assert (3, "郵便番号") in problems
    assert (4, "法人名") in problems  # the same organisation twice in the file


def test_units_below_the_class_minimum_are_reported():
    row = list(GOOD[0])
    row[4] = "1"

    job = run_import(csv_bytes([row]))

    assert job.status == "rejected"
    assert [(p["row"], p["column"]) for p in job.report] == [(2, "口数")]
    assert "at least 2 units" in job.report[0]["message"] or "2口" in job.report[0]["message"]


def test_an_organisation_registered_already_is_reported():
    factories.make_organisation("国立大学法人金沢大学")

    job = run_import(csv_bytes(GOOD))

    assert job.status == "rejected"
    assert [(p["row"], p["column"]) for p in job.report] == [(3, "法人名")]
    assert Organisation.objects.count() == 1


def test_a_missing_column_rejects_the_file():
    content = "法人名,種別\r\n公益財団法人テスト,産業支援機関\r\n".encode()

    job = run_import(content)

    assert job.status == "rejected"
    assert {p["column"] for p in job.report} == {"会員区分", "都道府県", "地域ブロック"}
    assert all(p["row"] == 1 for p in job.report)


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"\x00\xff\xfe garbage", "list.xlsx"), (b"", "empty.csv"), (csv_bytes([]), "header.csv")],
)
def test_unreadable_or_empty_files_are_rejected(content, name):
    job = run_import(content, name)

    assert job.status == "rejected"
    assert job.report and job.report[0]["row"] == 0


def test_running_an_import_twice_imports_once():
    job = run_import(csv_bytes(GOOD))

    imports.run(job.pk)

    assert Organisation.objects.count() == 2


def test_the_secretariat_uploads_and_reads_the_report(
    client, secretariat_with_mfa, django_capture_on_commit_callbacks
):
    client.force_login(secretariat_with_mfa)
    bad = list(GOOD[0])
    bad[2] = "宇宙機関"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_organisationimport_add"),
            {"upload": SimpleUploadedFile("members.csv", csv_bytes([bad]))},
        )

    job = OrganisationImport.objects.get()
    assert response.status_code == 302
    assert job.status == "rejected"
    page = client.get(reverse("admin:members_organisationimport_change", args=[job.pk]))
    assert "宇宙機関" in page.content.decode()
    template = client.get(reverse("admin:members_organisationimport_template"))
    assert template.content.decode("utf-8-sig").splitlines()[0].startswith("法人名,法人名カナ")
