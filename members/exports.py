"""What the secretariat's exports of the registry and dues contain."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from portal.exports import export_actions

from .models import Membership


def _current_class(organisation) -> str:
    return ", ".join(str(m.membership_class) for m in organisation.current_memberships)


ORGANISATIONS = export_actions(
    "organisations",
    [
        (_("legal name"), lambda o: o.name),
        (_("legal name (kana)"), lambda o: o.name_kana),
        (_("short name"), lambda o: o.short_name),
        (_("English name"), lambda o: o.name_en),
        (_("kind"), lambda o: str(o.kind)),
        (_("membership class"), _current_class),
        (_("corporate number"), lambda o: o.corporate_number),
        (_("postal code"), lambda o: o.postal_code),
        (_("prefecture"), lambda o: str(o.get_prefecture_display())),
        (_("address"), lambda o: o.address),
        (_("phone"), lambda o: o.phone),
        (_("website"), lambda o: o.website),
        (_("regional block"), lambda o: str(o.block)),
    ],
    lambda qs: qs.select_related("kind", "block").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current().select_related("membership_class"),
            to_attr="current_memberships",
        )
    ),
)

PEOPLE = export_actions(
    "contacts",
    [
        (_("organisation"), lambda p: p.organisation.name if p.organisation else ""),
        (_("family name"), lambda p: p.family_name),
        (_("given name"), lambda p: p.given_name),
        (_("family name (kana)"), lambda p: p.family_name_kana),
        (_("given name (kana)"), lambda p: p.given_name_kana),
        (_("department"), lambda p: p.department),
        (_("title"), lambda p: p.title),
        (_("email address"), lambda p: p.email),
        (_("phone"), lambda p: p.phone),
    ],
    lambda qs: qs.select_related("organisation"),
)

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
