"""Writes to the registry that span models; views and the admin call these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Invitation

from . import selectors
from .models import (
    ChangeRequest,
    FiscalYearSettings,
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    Person,
    PersonRole,
    UnitsException,
)


@transaction.atomic
def assign_role(person, kind: str, *, starts_on: date | None = None) -> PersonRole:
    """Give `person` a role in its organisation, ending the previous holder's if single."""
    starts_on = starts_on or timezone.localdate()
    organisation = person.organisation
    if kind in PersonRole.SINGLE_HOLDER_KINDS:
        PersonRole.objects.current().filter(organisation=organisation, kind=kind).exclude(
            person=person
        ).update(ends_on=starts_on)
    role, _created = PersonRole.objects.current().get_or_create(
        person=person, organisation=organisation, kind=kind, defaults={"starts_on": starts_on}
    )
    return role


def minimum_units(organisation, fiscal_year: int, membership_class: MembershipClass) -> int:
    exception = UnitsException.objects.filter(
        organisation=organisation, fiscal_year=fiscal_year
    ).first()
    return exception.minimum_units if exception else membership_class.minimum_units


def frozen_year(membership_class: MembershipClass, units: int | None) -> dict:
    amount = membership_class.dues_for(units)
    return {
        "membership_class": membership_class,
        "units": units if membership_class.has_units else None,
        "amount_due": amount,
        "votes": membership_class.votes_for(units),
        "standing": MembershipYear.Standing.DUE if amount else MembershipYear.Standing.EXEMPT,
    }


@transaction.atomic
def choose_units(organisation, fiscal_year: int, units: int) -> MembershipYear:
    """Record the member's units for `fiscal_year`; the reason is explained when refused."""
    membership = (
        Membership.objects.current()
        .select_related("membership_class")
        .filter(organisation=organisation)
        .first()
    )
    if membership is None or not membership.membership_class.has_units:
        raise ValidationError(_("Your membership class has no dues units to choose."))
    settings_row = FiscalYearSettings.objects.filter(fiscal_year=fiscal_year).first()
    if settings_row is None or timezone.now() > settings_row.units_deadline:
        raise ValidationError(
            _("Units for FY%(year)d can no longer be chosen: the deadline has passed.")
            % {"year": fiscal_year}
        )
    membership_class = membership.membership_class
    minimum = minimum_units(organisation, fiscal_year, membership_class)
    if units < minimum:
        raise ValidationError(
            _(
                "%(class)s members choose at least %(minimum)d units (1 unit = %(price)s yen). "
                "If your organisation needs fewer, please ask the secretariat for an exception."
            )
            % {
                "class": membership_class,
                "minimum": minimum,
                "price": f"{membership_class.unit_price:,}",
            }
        )
    year = (
        MembershipYear.objects.select_for_update()
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )
    if year is not None and year.standing == MembershipYear.Standing.PAID:
        raise ValidationError(
            _(
                "The dues for FY%(year)d are paid, so the units can't change here. Please "
                "contact the secretariat (%(email)s) to change your units."
            )
            % {"year": fiscal_year, "email": selectors.secretariat_email()}
        )
    year, _created = MembershipYear.objects.update_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults=frozen_year(membership_class, units),
    )
    return year


def freeze_year(organisation, fiscal_year: int) -> MembershipYear | None:
    """The organisation's row for `fiscal_year`, created from its current membership if absent.

    Units default to the previous year's, else the class minimum. The row carries the
    `organisation` given, with whatever the caller loaded along with it (the dues run, its
    billing profile).
    """
    existing = (
        MembershipYear.objects.select_related("membership_class")
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )
    if existing is not None:
        existing.organisation = organisation
        return existing
    membership = (
        Membership.objects.current()
        .select_related("membership_class")
        .filter(organisation=organisation)
        .first()
    )
    if membership is None:
        return None
    membership_class = membership.membership_class
    previous = (
        MembershipYear.objects.filter(organisation=organisation, fiscal_year__lt=fiscal_year)
        .order_by("-fiscal_year")
        .values_list("units", flat=True)
        .first()
    )
    units = previous or membership_class.minimum_units
    year, _created = MembershipYear.objects.get_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults=frozen_year(membership_class, units),
    )
    return year


# Profile fields a member contact changes at once; the others need the secretariat.
PROFILE_FIELDS = [
    "name_kana",
    "short_name",
    "name_en",
    "postal_code",
    "prefecture",
    "address",
    "phone",
    "website",
    "description",
]
APPROVED_FIELDS = [ChangeRequest.Field.NAME, ChangeRequest.Field.CORPORATE_NUMBER]


class StaleEdit(Exception):
    """Someone saved the profile after this editor loaded it."""


def current_representative(organisation):
    role = (
        PersonRole.objects.current()
        .select_related("person")
        .filter(organisation=organisation, kind=PersonRole.Kind.REPRESENTATIVE)
        .first()
    )
    return role.person if role else None


@transaction.atomic
def update_profile(organisation, data: dict, *, version: int | None, user) -> list[ChangeRequest]:
    """Apply the free fields at once; turn changes of the others into change requests.

    The update only succeeds against the version the editor started from, so a second
    editor working from an older copy gets StaleEdit and overwrites nothing.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.version != version:
        raise StaleEdit
    for field in PROFILE_FIELDS:
        setattr(organisation, field, data[field])
    organisation.version += 1
    organisation.save()
    requests = []
    pending = ChangeRequest.objects.filter(
        organisation=organisation, status=ChangeRequest.Status.PENDING
    )
    for field in APPROVED_FIELDS:
        old, new = getattr(organisation, field), data[field]
        if new != old and not pending.filter(field=field, new_value=new).exists():
            requests.append(
                ChangeRequest.objects.create(
                    organisation=organisation,
                    field=field,
                    old_value=old,
                    new_value=new,
                    requested_by=user,
                )
            )
    representative, proposed = current_representative(organisation), data["representative"]
    if (
        proposed
        and proposed != representative
        and not pending.filter(
            field=ChangeRequest.Field.REPRESENTATIVE, new_person=proposed
        ).exists()
    ):
        requests.append(
            ChangeRequest.objects.create(
                organisation=organisation,
                field=ChangeRequest.Field.REPRESENTATIVE,
                old_value=str(representative or ""),
                new_value=str(proposed),
                new_person=proposed,
                requested_by=user,
            )
        )
    return requests


@transaction.atomic
def decide_change_request(request: ChangeRequest, *, approve: bool, reason: str, user) -> None:
    request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has been decided already."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give the member a reason when rejecting a request."))
    if approve:
        organisation = Organisation.objects.select_for_update().get(pk=request.organisation_id)
        if request.field == ChangeRequest.Field.REPRESENTATIVE:
            assign_role(request.new_person, PersonRole.Kind.REPRESENTATIVE)
        else:
            setattr(organisation, request.field, request.new_value)
            organisation.full_clean(exclude=["kind", "block"])
        organisation.version += 1
        organisation.save()
    request.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
    request.reason = reason
    request.decided_by = user
    request.decided_at = timezone.now()
    request.save()


# Roles a member contact gives and takes itself; the representative goes through the
# secretariat as a change request.
SELF_SERVICE_ROLES = [kind for kind in PersonRole.Kind if kind != PersonRole.Kind.REPRESENTATIVE]
# Of those, the ones that speak or pay for the organisation, or manage its logins: only the
# primary contact (or the secretariat, in the admin) gives and takes them.
PRIMARY_ONLY_ROLES = [PersonRole.Kind.PRIMARY, PersonRole.Kind.BILLING, PersonRole.Kind.VOTER]


def assignable_roles(*, by_primary: bool) -> list[str]:
    """The roles a contact may give and take on the contact form."""
    if by_primary:
        return SELF_SERVICE_ROLES
    return [kind for kind in SELF_SERVICE_ROLES if kind not in PRIMARY_ONLY_ROLES]


@transaction.atomic
def save_contact(
    organisation, person: Person | None, data: dict, roles, *, by_primary: bool
) -> Person:
    """Create or update a contact of `organisation` and set the roles its editor may give.

    Roles the editor may not give (see assignable_roles) are refused if asked for and kept as
    they are otherwise. The primary contact role moves only by giving it to someone else, so
    that an organisation never ends up without one.
    """
    assignable = assignable_roles(by_primary=by_primary)
    wanted = set(roles)
    if wanted - set(assignable):
        raise ValidationError(
            _(
                "Only your organisation's primary contact gives the primary, billing and "
                "voter roles."
            )
        )
    person = person or Person(organisation=organisation)
    for field, value in data.items():
        setattr(person, field, value)
    person.save()
    today = timezone.localdate()
    held = PersonRole.objects.current().filter(person=person, kind__in=assignable)
    dropped = held.exclude(kind__in=wanted)
    if dropped.filter(kind=PersonRole.Kind.PRIMARY).exists():
        raise ValidationError(
            _("To hand over the primary contact role, give it to another contact instead.")
        )
    dropped.update(ends_on=today)
    for kind in wanted - set(held.values_list("kind", flat=True)):
        assign_role(person, kind, starts_on=today)
    return person


def removal_refusal(person: Person, held_kinds, *, by_user) -> str | None:
    """Why `by_user` may not remove `person` holding `held_kinds`, or None if they may."""
    if person.user_id is not None and person.user_id == by_user.pk:
        return _("You can't remove yourself. Ask another contact or the secretariat.")
    if PersonRole.Kind.REPRESENTATIVE in held_kinds:
        return _("The representative can't be removed here: request a change of representative.")
    if PersonRole.Kind.PRIMARY in held_kinds:
        return _("Give the primary contact role to another contact first.")
    return None


def check_removable(person: Person, *, by_user) -> None:
    held = set(PersonRole.objects.current().filter(person=person).values_list("kind", flat=True))
    refusal = removal_refusal(person, held, by_user=by_user)
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def remove_contact(person: Person, *, by_user) -> None:
    """End the person's roles and login for the organisation; the record stays for history."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    check_removable(person, by_user=by_user)
    today = timezone.localdate()
    PersonRole.objects.current().filter(person=person).update(ends_on=today)
    Invitation.objects.usable().filter(person=person).update(expires_at=timezone.now())
    person.left_on = today
    person.user = None
    person.save(update_fields=["left_on", "user"])


def invite_contact(person: Person, *, by_user):
    """Invite a contact to log in; an earlier unused link stops working."""
    if person.user_id is not None:
        raise ValidationError(_("%(person)s can log in already.") % {"person": person})
    if not person.email:
        raise ValidationError(_("Enter %(person)s's email address first.") % {"person": person})
    with transaction.atomic():
        Invitation.objects.usable().filter(person=person).update(expires_at=timezone.now())
        return account_services.invite(person, invited_by=by_user)
