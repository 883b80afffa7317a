"""What the secretariat's exports of invoices and payments contain."""

from django.utils.translation import gettext_lazy as _

from portal.exports import export_actions

INVOICES = export_actions(
    "invoices",
    [
        (_("Invoice number"), lambda i: i.display_number),
        (_("fiscal year"), lambda i: i.fiscal_year),
        (_("organisation"), lambda i: i.organisation.name),
        (_("addressee"), lambda i: i.addressee),
        (_("issued on"), lambda i: i.issued_on),
        (_("due on"), lambda i: i.due_on),
        (_("total (yen)"), lambda i: i.total),
        (_("status"), lambda i: str(i.get_status_display())),
        (_("paid in full on"), lambda i: i.paid_on),
    ],
    lambda qs: qs.select_related("organisation"),
)

PAYMENTS = export_actions(
    "payments",
    [
        (_("received on"), lambda p: p.received_on),
        (_("organisation"), lambda p: p.organisation.name),
        (_("amount (yen)"), lambda p: p.amount),
        (_("method"), lambda p: str(p.get_method_display())),
        (_("payer name"), lambda p: p.payer_name),
        (_("note"), lambda p: p.note),
    ],
    lambda qs: qs.select_related("organisation"),
)
