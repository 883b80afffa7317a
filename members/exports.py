"""What the secretariat's exports of the registry contain."""

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
