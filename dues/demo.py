"""The dues part of the demo: billing profiles, the issuer, two fiscal years of invoices
(some paid, some part-paid, some overdue), reminder rules and a sample bank statement."""

import datetime
import unicodedata

from django.db import transaction
from django.utils import timezone

from members import demo as member_demo
from members import fiscal
from members.models import MembershipYear, Organisation

from . import bankfiles, services
from .models import BillingProfile, Delivery, Invoice, Issuer, Payment, ReminderRule


@transaction.atomic
def seed() -> None:
    """Create the dues of the demo registry (members.demo.seed first); running it again
    changes nothing."""
    _seed_billing_profiles()
    _seed_invoices()
    _seed_payments()
    for days in (14, 45):
        ReminderRule.objects.get_or_create(days_after_due=days)


def _seed_billing_profiles() -> None:
    """Universities want paper invoices addressed to the president, with the seal."""
    universities = [org.name for org in member_demo.ORGANISATIONS if org.kind == "大学"]
    for organisation in Organisation.objects.filter(name__in=universities):
        BillingProfile.objects.get_or_create(
            organisation=organisation,
            defaults={
                "department": "財務部",
                "attention_title": "学長",
                "delivery": Delivery.PAPER,
                "with_seal": True,
                "notes": "見積書・納品書・請求書の3点が必要。",
            },
        )


ISSUER = {
    "name": "全国イノベーション推進機関ネットワーク",
    "postal_code": "1050001",
    "address": "東京都港区虎ノ門一丁目14番1号 郵政福祉琴平ビル（一般財団法人日本立地センター内）",
    "phone": "03-3518-8961",
    "email": "office@innonet.example",
    "bank_account": "みずほ銀行 虎ノ門支店 普通預金 1234567\n口座名義 ｾﾞﾝｺｸｲﾉﾍﾞｰｼｮﾝｽｲｼﾝｷｶﾝﾈﾂﾄﾜｰｸ",
}


def _seed_invoices() -> None:
    """The issuer and the dues invoices of the two demo years (notices are not mailed)."""
    issuer, _created = Issuer.objects.get_or_create(defaults=ISSUER)
    this_year = fiscal.current_fiscal_year()
    years = MembershipYear.objects.filter(
        fiscal_year__in=[this_year - 1, this_year], amount_due__gt=0
    ).select_related("organisation", "membership_class")
    for year in years.order_by("fiscal_year", "organisation__sort_key"):
        issued_on, _end = fiscal.bounds(year.fiscal_year)
        services.issue_dues_invoice(year, issued_on=issued_on, payment_days=issuer.payment_days)


def _seed_payments() -> None:
    """Most of last year's dues paid, this year's a mix of paid, part-paid and overdue."""
    if Payment.objects.exists():
        return
    this_year = fiscal.current_fiscal_year()
    invoices = Invoice.objects.filter(fiscal_year__in=[this_year - 1, this_year]).order_by(
        "fiscal_year", "number"
    )
    for position, invoice in enumerate(invoices.select_related("organisation")):
        last_year = invoice.fiscal_year < this_year
        if last_year and position % 9 == 8:
            continue  # still unpaid: overdue
        if not last_year and position % 3 == 2:
            continue  # not paid yet
        part = not last_year and position % 5 == 0
        services.record_payment(
            organisation=invoice.organisation,
            received_on=invoice.due_on - datetime.timedelta(days=position % 20),
            amount=invoice.total // 2 if part else invoice.total,
            method=Payment.Method.TRANSFER,
            invoices=[invoice],
            payer_name=invoice.organisation.name_kana[:48],
        )


def _halfwidth_kana(text: str) -> str:
    """Full-width katakana as Zengin writes it: half width, small kana made large."""
    table = {}
    for code in range(0xFF66, 0xFF9E):
        half = chr(code)
        table[unicodedata.normalize("NFKC", half)] = half
        for mark in ("\uff9e", "\uff9f"):  # dakuten, handakuten
            combined = unicodedata.normalize("NFKC", half + mark)
            if len(combined) == 1:
                table[combined] = half + mark
    large = str.maketrans("ァィゥェォッャュョヮ", "アイウエオツヤユヨワ")
    return "".join(table.get(char, char) for char in text.translate(large))


def write_sample_statement(path) -> int:
    """A Zengin statement paying some of this year's open invoices, for trying the import."""
    open_invoices = Invoice.objects.filter(
        fiscal_year=fiscal.current_fiscal_year(), status=Invoice.Status.ISSUED
    ).select_related("organisation")
    lines = []
    for position, invoice in enumerate(open_invoices.order_by("number")[:8]):
        payer = _halfwidth_kana(invoice.organisation.name_kana)[:48]
        amount = services.outstanding(invoice) - (660 if position == 3 else 0)  # a bank fee
        lines.append((timezone.localdate(), amount, payer, f"{position + 1:06d}"))
    lines.append((timezone.localdate(), 30000, "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", "000099"))  # nobody's dues
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bankfiles.build_zengin(lines))
    return len(lines)
