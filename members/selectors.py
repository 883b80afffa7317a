from email.utils import parseaddr

from django.conf import settings
from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q

from accounts.models import Invitation
from portal.kana import normalise

from .models import (
    DUES_AUTHORITY_ROLES,
    ChangeRequest,
    FiscalYearSettings,
    Membership,
    MembershipYear,
    Organisation,
    Person,
    PersonRole,
    current_membership_q,
)


def secretariat_email() -> str:
    """The secretariat's address, as its mail is sent from (whom a member asks)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def member_contacts():
    """Current people of an organisation: a user linked to one acts for that organisation."""
    return Person.objects.current().filter(organisation__isnull=False)


def contact_of(user):
    """The member contact a user logs in as, with its organisation's block and kind, or None."""
    return (
        member_contacts()
        .select_related("organisation__block", "organisation__kind")
        .filter(user=user)
        .first()
    )


def member_organisation(roles):
    """The organisation a member contact acts for (`Roles.organisation_id`) with its block and
    kind, or None, without a query, for anyone else."""
    if roles.organisation_id is None:
        return None
    return (
        Organisation.objects.select_related("block", "kind")
        .filter(pk=roles.organisation_id)
        .first()
    )


def current_membership(organisation):
    return (
        Membership.objects.current()
        .select_related("membership_class")
        .filter(organisation=organisation)
        .first()
    )


def overview(organisation_id: int, fiscal_year: int):
    """The organisation with its block, kind, current membership and the fiscal year's
    membership year (`current_membership`, `this_year`: None when there is none), in one
    query: the member dashboard shows them on every visit. Both rows are unique per
    organisation."""
    organisation = (
        Organisation.objects.select_related("block", "kind")
        .annotate(
            current_membership=FilteredRelation(
                "memberships", condition=current_membership_q("memberships__")
            ),
            this_year=FilteredRelation("years", condition=Q(years__fiscal_year=fiscal_year)),
        )
        .select_related("current_membership__membership_class", "this_year__membership_class")
        .filter(pk=organisation_id)
        .first()
    )
    if organisation is not None:
        # select_related leaves a filtered relation without a row unset.
        for name in ("current_membership", "this_year"):
            setattr(organisation, name, getattr(organisation, name, None))
    return organisation


def contacts_of(organisation):
    """Current contacts with their current roles and unused invitations."""
    return (
        Person.objects.current()
        .filter(organisation=organisation)
        .prefetch_related(
            Prefetch("roles", queryset=PersonRole.objects.current(), to_attr="current_roles"),
            Prefetch(
                "invitations", queryset=Invitation.objects.usable(), to_attr="open_invitations"
            ),
        )
        .order_by("family_name_kana", "given_name_kana")
    )


def role_emails(organisation_ids, kinds) -> dict[int, dict[str, str]]:
    """The addresses of the current holders of these roles: {organisation: {kind: email}}."""
    roles = (
        PersonRole.objects.current()
        .filter(organisation_id__in=list(organisation_ids), kind__in=list(kinds))
        .exclude(person__email="")
        .values_list("organisation_id", "kind", "person__email")
    )
    found: dict[int, dict[str, str]] = {}
    for organisation, kind, email in roles:
        found.setdefault(organisation, {})[kind] = email
    return found


def billing_emails(organisation_ids) -> dict[int, str]:
    """Where each organisation's invoices go: the billing contact, else the primary contact."""
    found = role_emails(organisation_ids, [PersonRole.Kind.BILLING, PersonRole.Kind.PRIMARY])
    return {
        organisation: kinds.get(PersonRole.Kind.BILLING) or kinds[PersonRole.Kind.PRIMARY]
        for organisation, kinds in found.items()
    }


def membership_year(organisation, fiscal_year: int):
    return (
        MembershipYear.objects.select_related("membership_class")
        .filter(organisation=organisation, fiscal_year=fiscal_year)
        .first()
    )


def dues_authorities(organisation) -> list[PersonRole]:
    """The current holders of the roles that commit the organisation's money (units, billing
    details), with their people, in one query: whom a contact without them asks."""
    order = {kind: index for index, kind in enumerate(DUES_AUTHORITY_ROLES)}
    roles = (
        PersonRole.objects.current()
        .filter(
            organisation=organisation, kind__in=DUES_AUTHORITY_ROLES, person__left_on__isnull=True
        )
        .select_related("person")
    )
    return sorted(roles, key=lambda role: order[role.kind])


def units_deadline(fiscal_year: int):
    row = FiscalYearSettings.objects.filter(fiscal_year=fiscal_year).first()
    return row.units_deadline if row else None


def directory(*, q: str = "", block=None, prefecture: int | None = None, kind=None):
    """Current members for the directory, with their class; filters are optional."""
    organisations = (
        Organisation.objects.filter(
            Exists(Membership.objects.current().filter(organisation=OuterRef("pk")))
        )
        .select_related("kind", "block")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.current().select_related("membership_class"),
                to_attr="current_memberships",
            )
        )
        .order_by("sort_key", "name")
    )
    for term in q.split():
        organisations = organisations.filter(search_text__contains=normalise(term))
    if block is not None:
        organisations = organisations.filter(block=block)
    if prefecture is not None:
        organisations = organisations.filter(prefecture=prefecture)
    if kind is not None:
        organisations = organisations.filter(kind=kind)
    return organisations


def pending_change_requests(organisation):
    return ChangeRequest.objects.filter(
        organisation=organisation, status=ChangeRequest.Status.PENDING
    ).order_by("requested_at")
