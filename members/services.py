"""Writes to the registry that span models; views and the admin call these."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Invitation

from . import invoicing, selectors
from .models import (
    Allocation,
    ChangeRequest,
    DuesRun,
    FiscalYearSettings,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Issuer,
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    Payment,
    Person,
    PersonRole,
    UnitsException,
    WriteOff,
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
        raise ValidationError(_("The dues for this fiscal year are paid; units can't change."))
    year, _created = MembershipYear.objects.update_or_create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        defaults=frozen_year(membership_class, units),
    )
    return year


def freeze_year(organisation, fiscal_year: int) -> MembershipYear | None:
    """The organisation's row for `fiscal_year`, created from its current membership if absent.

    Units default to the previous year's, else the class minimum.
    """
    existing = (
        MembershipYear.objects.select_related("organisation__billing_profile", "membership_class")
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )
    if existing is not None:
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


def dues_lines(year: MembershipYear) -> list[dict]:
    """The lines of a dues invoice (document text is Japanese, like the invoice itself)."""
    outside = InvoiceLine.TaxCategory.OUTSIDE
    if year.units:
        return [
            {
                "description": f"{year.fiscal_year}年度 会費（{year.membership_class.name}）",
                "quantity": year.units,
                "unit_price": year.amount_due // year.units,
                "tax_category": outside,
            }
        ]
    return [
        {
            "description": f"{year.fiscal_year}年度 負担金（{year.membership_class.name}）",
            "quantity": 1,
            "unit_price": year.amount_due,
            "tax_category": outside,
        }
    ]


def issue_dues_invoice(year: MembershipYear, *, issued_on: date, payment_days: int):
    """The dues invoice of a membership year, numbered without gaps; None if it exists.

    The fiscal year's sequence row is locked first, so concurrent runs serialise here and
    the second one sees the first one's invoice. The run notifies its invoices at the end.
    """
    with transaction.atomic():
        sequence = _locked_sequence(year.fiscal_year)
        if Invoice.objects.filter(membership_year=year, replaces__isnull=True).exists():
            return None
        billing = selectors.billing_profile(year.organisation)
        invoice = Invoice.objects.create(
            fiscal_year=year.fiscal_year,
            number=_take_number(sequence),
            organisation=year.organisation,
            membership_year=year,
            addressee=billing.addressee(),
            delivery=billing.delivery,
            postal_address=billing.postal_address(),
            with_seal=billing.with_seal,
            issued_on=issued_on,
            due_on=issued_on + timedelta(days=payment_days),
            total=year.amount_due,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=invoice, **line) for line in dues_lines(year)
        )
    return invoice


def _locked_sequence(fiscal_year: int) -> InvoiceSequence:
    """The fiscal year's numbering row, locked until the transaction ends: no gaps, no twins."""
    sequence, _created = InvoiceSequence.objects.select_for_update().get_or_create(
        fiscal_year=fiscal_year
    )
    return sequence


def _take_number(sequence: InvoiceSequence) -> int:
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def correction_lines(invoice: Invoice) -> list[dict]:
    """Lines to start a correction from: the membership year's dues as they stand now
    (e.g. after the secretariat changed its units), else the invoice's own lines."""
    if invoice.membership_year_id:
        return dues_lines(invoice.membership_year)
    return list(invoice.lines.values("description", "quantity", "unit_price", "tax_category"))


@transaction.atomic
def correct_invoice(invoice: Invoice, *, addressee: str, due_on: date, lines: list[dict]):
    """Issue a new invoice correcting `invoice`, which is cancelled; it is never edited.

    Payments and write-offs on the old invoice move to the correction, so the member owes
    only the difference.
    """
    from .tasks import notify_invoices

    sequence = _locked_sequence(invoice.fiscal_year)
    old = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if old.status != Invoice.Status.ISSUED:
        raise ValidationError(
            _("Only an open invoice can be corrected; this one is %(status)s.")
            % {"status": old.get_status_display()}
        )
    if not lines:
        raise ValidationError(_("A corrected invoice needs at least one line."))
    totals = invoicing.rate_totals(
        [(line["tax_category"], line["quantity"] * line["unit_price"]) for line in lines]
    )
    total = sum(rate.amount + rate.tax for rate in totals)
    received = old.total - outstanding(old)
    if total < received:
        raise ValidationError(
            _(
                "The corrected total (%(total)s yen) is less than what was already received "
                "or written off (%(received)s yen)."
            )
            % {"total": f"{total:,}", "received": f"{received:,}"}
        )
    new = Invoice.objects.create(
        fiscal_year=old.fiscal_year,
        number=_take_number(sequence),
        organisation_id=old.organisation_id,
        membership_year_id=old.membership_year_id,
        replaces=old,
        addressee=addressee,
        delivery=old.delivery,
        postal_address=old.postal_address,
        with_seal=old.with_seal,
        issued_on=timezone.localdate(),
        due_on=due_on,
        total=total,
    )
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=new, **line) for line in lines)
    Allocation.objects.filter(invoice=old).update(invoice=new)
    WriteOff.objects.filter(invoice=old).update(invoice=new)
    old.status = Invoice.Status.CANCELLED
    old.save(update_fields=["status"])
    last_payment = new.allocations.aggregate(day=Max("payment__received_on"))["day"]
    _settle(new, last_payment or timezone.localdate())
    transaction.on_commit(lambda: notify_invoices.delay([new.pk]))
    return new


def check_dues_run_can_start() -> None:
    if not Issuer.objects.exists():
        raise ValidationError(_("Enter the issuer's details (name, address, bank) first."))


def start_dues_run(run: DuesRun) -> DuesRun:
    """Save the run and hand it to a worker once the transaction commits."""
    from .tasks import run_dues

    check_dues_run_can_start()
    run.save()
    transaction.on_commit(lambda: run_dues.delay(run.pk))
    return run


# The run's progress row is updated every this many organisations, not after each one.
PROGRESS_EVERY = 50


def execute_dues_run(run_id: int) -> None:
    """Invoice every invoiced membership for the run's year; safe to run again or resume."""
    run = DuesRun.objects.get(pk=run_id)
    issuer = Issuer.objects.get()
    memberships = (
        Membership.objects.current()
        .filter(membership_class__is_invoiced=True)
        .select_related("organisation__billing_profile")
        .order_by("organisation_id")
    )
    DuesRun.objects.filter(pk=run.pk).update(targeted=memberships.count(), processed=0)
    today = timezone.localdate()
    processed = created = 0

    def report_progress():
        DuesRun.objects.filter(pk=run.pk).update(
            processed=F("processed") + processed, created=F("created") + created
        )

    for membership in memberships.iterator(chunk_size=500):
        year = freeze_year(membership.organisation, run.fiscal_year)
        if year is not None and year.amount_due:
            invoice = issue_dues_invoice(year, issued_on=today, payment_days=issuer.payment_days)
            created += int(invoice is not None)
        processed += 1
        if processed == PROGRESS_EVERY:
            report_progress()
            processed = created = 0
    report_progress()
    from .mail import notify_unnotified

    notify_unnotified(run.fiscal_year)  # this run's invoices, and any an earlier run left
    DuesRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())


def outstanding(invoice: Invoice) -> int:
    """Yen still to collect on an invoice (summed in the database)."""
    paid = invoice.allocations.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    written_off = invoice.write_offs.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    return invoice.total - paid - written_off


def _settle(invoice: Invoice, paid_on: date) -> None:
    """Mark the invoice and its membership year paid once nothing is outstanding."""
    if invoice.status != Invoice.Status.ISSUED or outstanding(invoice) > 0:
        return
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    if invoice.membership_year_id:
        MembershipYear.objects.filter(pk=invoice.membership_year_id).update(
            standing=MembershipYear.Standing.PAID
        )


@transaction.atomic
def record_payment(
    *,
    organisation,
    received_on: date,
    amount: int,
    method: str,
    invoices=None,
    payer_name: str = "",
    note: str = "",
    user=None,
) -> Payment:
    """Record money received and allocate it to `invoices` (default: the oldest open ones).

    One transfer may pay several invoices; a part payment leaves the rest outstanding; money
    beyond what is due stays unallocated on the payment for the secretariat to resolve.
    """
    payment = Payment.objects.create(
        organisation=organisation,
        received_on=received_on,
        amount=amount,
        method=method,
        payer_name=payer_name,
        note=note,
        recorded_by=user,
    )
    targets = Invoice.objects.select_for_update().filter(
        organisation=organisation, status=Invoice.Status.ISSUED
    )
    if invoices is not None:
        targets = targets.filter(pk__in=[invoice.pk for invoice in invoices])
    remaining = amount
    for invoice in targets.order_by("issued_on", "fiscal_year", "number"):
        share = min(outstanding(invoice), remaining)
        if share <= 0:
            continue
        Allocation.objects.create(payment=payment, invoice=invoice, amount=share)
        remaining -= share
        _settle(invoice, received_on)
    return payment


def check_write_off(invoice: Invoice, amount: int) -> None:
    limit = Issuer.objects.get().write_off_limit
    if amount > outstanding(invoice):
        raise ValidationError(_("That is more than is outstanding on the invoice."))
    if amount > limit:
        raise ValidationError(
            _("Only shortfalls up to %(limit)s yen can be written off.") % {"limit": f"{limit:,}"}
        )


@transaction.atomic
def write_off(invoice: Invoice, amount: int, reason: str, user) -> WriteOff:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_write_off(invoice, amount)
    record = WriteOff.objects.create(
        invoice=invoice, amount=amount, reason=reason, recorded_by=user
    )
    last_payment = invoice.allocations.aggregate(day=Max("payment__received_on"))["day"]
    _settle(invoice, last_payment or timezone.localdate())
    return record


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


@transaction.atomic
def save_contact(organisation, person: Person | None, data: dict, roles) -> Person:
    """Create or update a contact of `organisation` and set its self-service roles.

    The primary contact role moves only by giving it to someone else, so that an
    organisation never ends up without one.
    """
    person = person or Person(organisation=organisation)
    for field, value in data.items():
        setattr(person, field, value)
    person.save()
    wanted = set(roles)
    today = timezone.localdate()
    held = PersonRole.objects.current().filter(person=person, kind__in=SELF_SERVICE_ROLES)
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
