"""Excel (responses plus a codebook) and CSV with a BOM; anonymous exports name nobody."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from surveys.models import Kind

pytestmark = pytest.mark.django_db


def _csv(client, survey):
    body = client.get(reverse("surveys:export", args=[survey.pk, "csv"])).content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_one_row_per_response_and_a_column_per_option(
    client, secretariat_with_mfa, example
):
    client.force_login(secretariat_with_mfa)
    header, *rows = _csv(client, example)
    fixed = ["response", "institution", "membership class", "regional block", "submitted at"]
    assert header[:5] == [gettext(h) for h in fixed]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(by_name) == ["A1大学", "F1財団", "F2財団", "F3財団"]  # A2 only drafted
    f2 = by_name["F2財団"]
    assert (f2["Q1_1"], f2["Q1_2"], f2["Q1_3"], f2["Q1_4"], f2["Q1_other"]) == (
        "1",
        "0",
        "0",
        "1",
        "メルマガ",
    )
    assert f2["Q2"] == "2"  # option code of いいえ
    assert f2["Q3_1"] == f2["Q3_2"] == gettext("(not asked)")  # not shown to F2: not 0
    assert (f2["Q4"], f2["Q5_1"], f2["Q5_2"]) == ("20.00", "20.00", "80.00")
    assert by_name["A1大学"]["Q2"] == gettext("(not asked)")  # full members only


def test_export_tells_a_question_not_asked_from_one_skipped(client, secretariat_with_mfa, example):
    """Not asked: hidden by a class limit (Q2, Q5 for A1) or a condition (Q3 for F2). Skipped:
    shown and left empty (Q6 for F1, Q4 and Q5 for F3). Both differ from an answer's cells."""
    client.force_login(secretariat_with_mfa)
    header, *rows = _csv(client, example)
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    not_asked, skipped = gettext("(not asked)"), gettext("(skipped)")
    assert not_asked != skipped and "" not in (not_asked, skipped)
    a1, f1, f2, f3 = (by_name[n] for n in ["A1大学", "F1財団", "F2財団", "F3財団"])
    assert (a1["Q2"], a1["Q3_1"], a1["Q3_other"], a1["Q5_1"]) == (not_asked,) * 4
    assert (f2["Q3_1"], f2["Q3_2"], f2["Q3_3"], f2["Q3_other"]) == (not_asked,) * 4
    assert f1["Q6"] == skipped and f2["Q6"] == "地域ブロックの会合を増やしてほしい"
    assert (f3["Q4"], f3["Q5_1"], f3["Q5_2"]) == (skipped,) * 3
    assert (f1["Q4"], f1["Q1_3"], f1["Q1_other"]) == ("10.00", "0", "")  # answered
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("surveys:export", args=[example.pk, "xlsx"])).content)
    )
    legend = {row[3]: row[4] for row in workbook.worksheets[1].values if row and row[3]}
    assert legend[not_asked] and legend[skipped]  # the codebook says what each means


def test_excel_has_responses_and_a_codebook(client, secretariat_with_mfa, example):
    client.force_login(secretariat_with_mfa)
    content = client.get(reverse("surveys:export", args=[example.pk, "xlsx"])).content
    workbook = load_workbook(io.BytesIO(content))
    responses, codebook = workbook.worksheets
    assert responses.max_row == 5
    rows = list(codebook.values)
    q2 = next(r for r in rows if r[0] == "Q2")
    assert q2[1:3] == ("Q2の質問", str(Kind.SINGLE.label))
    assert rows[rows.index(q2) + 1][3:] == ("1", "はい")
    assert any(r[0] == "Q1_4" and r[3] == "4" and r[4] == "その他" for r in rows)
    assert any(r[0] == "Q1_other" for r in rows)


def test_anonymous_exports_name_no_institution(client, secretariat_with_mfa, example):
    example.anonymous = True
    example.save()
    client.force_login(secretariat_with_mfa)
    text = client.get(reverse("surveys:export", args=[example.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    xlsx = load_workbook(
        io.BytesIO(client.get(reverse("surveys:export", args=[example.pk, "xlsx"])).content)
    )
    cells = {str(c) for row in xlsx.worksheets[0].values for c in row}
    page = client.get(reverse("surveys:results", args=[example.pk])).content.decode()
    for name in ["F1財団", "F2財団", "F3財団", "A1大学"]:
        assert name not in text and name not in cells and name not in page
    assert "メルマガ" in text and "メルマガ" in page


def test_anonymous_export_has_no_time_and_blanks_small_classes(
    client, secretariat_with_mfa, example
):
    example.anonymous = True
    example.save()
    client.force_login(secretariat_with_mfa)
    header, *rows = _csv(client, example)
    assert header[:3] == [
        gettext("response"),
        gettext("membership class"),
        gettext("regional block"),
    ]
    assert gettext("submitted at") not in header
    assert sorted(row[1] for row in rows) == ["", "正会員", "正会員", "正会員"]  # 1 academic


def test_exports_count_recoded_other_answers_as_the_results_do(
    client, secretariat_with_mfa, example
):
    from surveys.models import Choice

    q1 = example.questions.get(code="Q1")
    Choice.objects.filter(other_text="メルマガ").update(recoded_to=q1.options.get(label="交流"))
    client.force_login(secretariat_with_mfa)
    header, *rows = _csv(client, example)
    f2 = next(dict(zip(header, row, strict=True)) for row in rows if row[1] == "F2財団")
    assert (f2["Q1_3"], f2["Q1_4"], f2["Q1_other"]) == ("1", "0", "メルマガ")


def test_exported_text_is_never_a_formula_nor_broken_by_control_characters(
    client, secretariat_with_mfa, example
):
    from surveys.models import Answer

    Answer.objects.filter(question__code="Q6").update(text='=HYPERLINK("http://x")\x0b次の行')
    client.force_login(secretariat_with_mfa)
    content = client.get(reverse("surveys:export", args=[example.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    column = [c.value for c in sheet[1]].index("Q6") + 1
    written = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    texts = [c for c in written if c.value and c.value != gettext("(skipped)")]
    assert texts and all(c.data_type == "s" for c in texts)
    assert {c.value for c in texts} == {'\'=HYPERLINK("http://x")次の行'}
