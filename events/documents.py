"""The events' PDFs: the certificate of completion (修了証), rendered once with its number,
stored with its SHA-256 and never rendered again (as dues/documents.py keeps invoices), and
the sign-in sheet (受付名簿) printed for the reception, drawn afresh each time.

The fixed Japanese wording on them is document content, not UI text (no gettext here).
"""

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import FileResponse
from django.utils import timezone
from fpdf.enums import XPos, YPos

from dues.models import Issuer
from portal import kana, names
from portal.pdf import (
    BODY_SIZE,
    CONTENT_WIDTH,
    LINE_HEIGHT,
    SMALL_SIZE,
    new_document,
    pdf_table,
)

from .models import Event, Registration, Seat, Session

TITLE_SIZE = 30
NAME_SIZE = 20
CERTIFICATE_BODY_SIZE = 13
SHEET_TITLE_SIZE = 16
# No., 所属, 氏名, 署名欄 (mm, the content width in all)
SHEET_COLUMNS = (12, 68, 45, 45)


def japanese_date(d: date) -> str:
    """2026年4月1日: the Japanese date order, Gregorian year (no era name)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _period(sessions) -> str:
    """「2026年12月1日～2026年12月3日」, or one day."""
    sessions = list(sessions)
    if not sessions:
        return ""
    first = min(timezone.localdate(s.starts_at) for s in sessions)
    last = max(timezone.localdate(s.ends_at) for s in sessions)
    if first == last:
        return japanese_date(first)
    return f"{japanese_date(first)}～{japanese_date(last)}"


# --- The certificate of completion ---------------------------------------------------------


def render_certificate(registration: Registration, issuer: Issuer, *, issued_on: date) -> bytes:
    event = registration.event
    number = registration.certificate_display_number
    pdf = new_document(f"修了証 {number}", author=issuer.name)
    pdf.set_font(size=BODY_SIZE)
    pdf.cell(0, LINE_HEIGHT, f"番号 {number}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(25)
    pdf.set_font(size=TITLE_SIZE)
    pdf.cell(0, 16, "修了証", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(18)
    affiliation = (
        registration.organisation.name if registration.organisation else registration.affiliation
    )
    if affiliation:
        pdf.set_font(size=CERTIFICATE_BODY_SIZE)
        pdf.cell(0, 8, affiliation, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(size=NAME_SIZE)
    name = names.person_name(registration.family_name, registration.given_name, language="ja")
    pdf.cell(0, 14, f"{name} 様", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(14)
    pdf.set_font(size=CERTIFICATE_BODY_SIZE)
    pdf.multi_cell(
        0,
        9,
        "あなたは下記の研修の全課程を修了したことをここに証します。",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(10)
    for label, value in (("研修名", event.title), ("期間", _period(event.sessions.all()))):
        pdf.set_x(pdf.l_margin + 15)
        pdf.cell(25, 9, label)
        pdf.multi_cell(CONTENT_WIDTH - 40, 9, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(25)
    pdf.cell(0, 9, japanese_date(issued_on), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(size=CERTIFICATE_BODY_SIZE + 2)
    pdf.cell(0, 10, issuer.name, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def ensure_certificate_pdf(registration_id: int) -> Registration:
    """The stored certificate of a registration with a certificate number, rendered the
    first time it is asked for (Registration.DoesNotExist when it has no number)."""
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "organisation")
            .get(pk=registration_id, certificate_number__isnull=False)
        )
        if not registration.certificate_pdf:
            content = render_certificate(
                registration, Issuer.objects.get(), issued_on=timezone.localdate()
            )
            registration.certificate_sha256 = hashlib.sha256(content).hexdigest()
            registration.certificate_pdf.save(
                f"certificate-{registration.certificate_display_number}.pdf",
                ContentFile(content),
                save=False,
            )
            registration.save(update_fields=["certificate_pdf", "certificate_sha256"])
    return registration


def certificate_response(registration: Registration) -> FileResponse:
    return FileResponse(
        registration.certificate_pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{registration.certificate_display_number}.pdf",
        content_type="application/pdf",
    )


# --- The sign-in sheet ---------------------------------------------------------------------


def affiliation_of(registration: Registration) -> str:
    if registration.organisation is not None:
        return registration.organisation.name
    return registration.affiliation


def sheet_order(registration: Registration) -> tuple:
    """By the institution's reading (the registry's sort key; a non-member's typed
    reading, folded alike), then the participant's reading."""
    if registration.organisation is not None:
        institution = registration.organisation.sort_key
    else:
        institution = kana.sort_key(registration.affiliation_kana, registration.affiliation)
    reading = kana.normalise(registration.family_name_kana + registration.given_name_kana)
    return (institution, reading, registration.pk)


def sheet_participants(event: Event, session: Session | None = None) -> list[Registration]:
    """The registered participants (of one session, if given), in the sheet's order."""
    registrations = Registration.objects.filter(
        event=event, status=Registration.Status.REGISTERED
    ).select_related("organisation")
    if session is not None:
        registrations = registrations.filter(
            Exists(Seat.objects.filter(registration=OuterRef("pk"), session=session))
        )
    return sorted(registrations, key=sheet_order)


def render_sign_in_sheet(event: Event, session: Session | None = None) -> bytes:
    participants = sheet_participants(event, session)
    pdf = new_document(f"受付名簿 {event.title}")
    pdf.set_font(size=SHEET_TITLE_SIZE)
    pdf.cell(0, 10, "受付名簿", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(size=BODY_SIZE)
    pdf.multi_cell(0, LINE_HEIGHT, event.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if session is not None:
        when = timezone.localtime(session.starts_at)
        line = f"{session.title}　{japanese_date(when.date())} {when:%H:%M}～"
    else:
        line = _period(event.sessions.all())
    pdf.multi_cell(0, LINE_HEIGHT, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(size=SMALL_SIZE)
    pdf.cell(0, LINE_HEIGHT, f"{len(participants)}名", align="R")
    pdf.ln(LINE_HEIGHT + 2)
    pdf.set_font(size=BODY_SIZE)
    with pdf_table(
        pdf,
        col_widths=SHEET_COLUMNS,
        text_align=("RIGHT", "LEFT", "LEFT", "LEFT"),
        width=CONTENT_WIDTH,
        repeat_headings=1,
    ) as table:
        table.row(["No.", "所属", "氏名", "署名欄"])
        for number, registration in enumerate(participants, start=1):
            affiliation = affiliation_of(registration)
            if registration.department:
                affiliation = f"{affiliation}\n{registration.department}"
            name = names.person_name(
                registration.family_name, registration.given_name, language="ja"
            )
            reading = names.person_name(
                registration.family_name_kana, registration.given_name_kana, language="ja"
            )
            # The reading on a second line helps the reception, and leaves room to sign.
            table.row([str(number), affiliation, f"{name}\n{reading}", ""])
    return bytes(pdf.output())
