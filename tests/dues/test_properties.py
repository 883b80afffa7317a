"""Property tests: the bank statement import takes any file without a 500.

Whatever is uploaded, the answer is a redirect after the whole file is imported, or the form
again with its errors shown and the database as it was.
"""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from dues import bankfiles
from dues.models import Invoice, Payment, StatementEntry, StatementImport
from tests.strategies import (
    PROPERTY_SETTINGS,
    error_page,
    file_bytes,
    number_text,
    rolled_back,
    state,
    text,
    text_file,
)

pytestmark = pytest.mark.django_db

HALF_WIDTH = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝﾞﾟｰ()-. ABC0123"
payer_names = st.one_of(
    st.sampled_from(["ﾃｽﾄｻﾞｲﾀﾞﾝ", "ｻﾞｲ)ﾃｽﾄｻﾞｲﾀﾞﾝ", "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ"]),
    st.text(HALF_WIDTH, min_size=1, max_size=48),
)
amounts = st.one_of(
    st.sampled_from([100000, 150000, 99340, 250000]),
    st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
)
days = st.dates(datetime.date(2019, 5, 1), datetime.date(2117, 12, 31))
zengin_files = st.lists(
    st.tuples(days, amounts, payer_names, st.integers(0, 10**8 - 1).map(str)), max_size=6
).flatmap(
    lambda lines: st.sampled_from([b"\r\n", b"\n", b""]).map(
        lambda separator: bankfiles.build_zengin(lines, separator=separator)
    )
)


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "amount", "payer_name", "reference", "account"])
    writer.writerows(rows)
    return out.getvalue()


csv_rows = st.lists(
    st.tuples(
        st.one_of(days.map(lambda day: f"{day:%Y/%m/%d}"), text(max_size=12)),
        st.one_of(amounts.map(lambda n: f"{n:,}"), number_text()),
        st.one_of(payer_names, text()),
        st.one_of(st.just(""), text(max_size=50)),
        st.one_of(st.just(""), text(max_size=50)),
    ),
    max_size=5,
)
statement_files = st.one_of(
    file_bytes(zengin_files),
    file_bytes(text_file(csv_rows.map(_csv))),
)
# Django refuses a multipart part whose headers pass 1 KiB (400, not our concern): names stay
# below that, and still pass the 200 characters a statement keeps; the test client itself
# refuses a name that is a path without a file name ("/").
file_names = st.one_of(
    st.sampled_from(["statement.txt", "入金明細.csv"]),
    text(max_size=300, longest=600).map(
        lambda name: name.encode()[:900].decode(errors="ignore").replace("/", "_")
    ),
)
BANK_TABLES = (StatementImport, StatementEntry, Payment, Invoice, StatementEntry.invoices.through)


def _expected_lines(data: bytes):
    """What the parsers read from the file, each statement line once."""
    lines = bankfiles.PARSERS[bankfiles.detect_format(data)](data)
    unique = {}
    for line in lines:
        unique.setdefault((line.account, line.reference, line.booked_on, line.amount), line)
    return sorted(unique.values(), key=lambda line: line.line_no)


@PROPERTY_SETTINGS
@given(data=statement_files, name=file_names)
def test_bank_import_takes_a_whole_file_or_nothing(
    client, secretariat_with_mfa, invoices, data, name
):
    client.force_login(secretariat_with_mfa)
    with rolled_back():
        before = state(*BANK_TABLES)
        response = client.post(
            reverse("admin:dues_statementimport_add"),
            {"upload": SimpleUploadedFile(name or "x", data)},
        )
        # 400: a file name the multipart parser refuses (control characters), which a
        # browser never sends raw; nothing may be written either way.
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            if response.status_code == 200:
                assert error_page(response, "errorlist"), response.content[:500]
            assert state(*BANK_TABLES) == before
            return
        statement = StatementImport.objects.get()
        entries = list(statement.entries.order_by("line_no"))
        assert [(e.line_no, e.booked_on, e.amount, e.payer_name) for e in entries] == [
            (line.line_no, line.booked_on, line.amount, line.payer_name)
            for line in _expected_lines(data)
        ]
        matched = [e for e in entries if e.status == StatementEntry.Status.MATCHED]
        assert all(e.payment.amount == e.amount for e in matched)
        assert Payment.objects.count() == len(matched)
