"""Who may register for an event, and at which rate: the one rule the pages ask.

A member contact whose organisation's current membership class is among the event's classes
registers at the member rate, for their organisation (and may add colleagues); anyone logged
in registers at the non-member rate, for themselves, when the event is open to the public;
anyone else is refused with a message saying who may register."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.models import Membership, Organisation, Person

MEMBER, PUBLIC, REFUSED, ANONYMOUS = "member", "public", "refused", "anonymous"


@dataclass(frozen=True)
class Eligibility:
    kind: str  # MEMBER, PUBLIC, REFUSED or ANONYMOUS (not logged in)
    reason: str = ""  # for REFUSED and ANONYMOUS: who may register
    organisation: Organisation | None = None  # MEMBER: the organisation registered for
    contact: Person | None = None  # MEMBER: the contact who registers

    @property
    def allowed(self) -> bool:
        return self.kind in (MEMBER, PUBLIC)

    @property
    def member(self) -> bool:
        return self.kind == MEMBER


def who_may_register(event) -> str:
    """The event's rule in a sentence (the classes as the event's prefetch holds them)."""
    classes = ", ".join(str(c) for c in event.classes.all())
    if classes and event.open_to_public:
        return format_lazy(
            _(
                "Contacts of members ({classes}) at the member rate; anyone with an account "
                "at the non-member rate."
            ),
            classes=classes,
        )
    if classes:
        only = _("Only contacts of members ({classes}) may register.")
        return format_lazy(only, classes=classes)
    if event.open_to_public:
        return _("Anyone with an account may register.")
    return _("Registration is by invitation of the secretariat only.")


def eligibility(event, user, roles) -> Eligibility:
    """What `user` may do for `event` (its `classes` prefetched): one query for a member
    contact (its contact row and organisation, and whether its current class is one of the
    event's), none for anyone else."""
    if not roles.authenticated:
        return Eligibility(ANONYMOUS, who_may_register(event))
    if roles.organisation_id is not None:
        class_ids = [c.pk for c in event.classes.all()]
        in_class = Membership.objects.current().filter(
            organisation_id=OuterRef("organisation_id"), membership_class_id__in=class_ids
        )
        contact = (
            Person.objects.current()
            .select_related("organisation")
            .filter(user=user, organisation_id=roles.organisation_id)
            .annotate(in_class=Exists(in_class))
            .first()
        )
        if contact is not None and contact.in_class:
            return Eligibility(MEMBER, "", contact.organisation, contact)
    if event.open_to_public:
        return Eligibility(PUBLIC)
    return Eligibility(REFUSED, who_may_register(event))
