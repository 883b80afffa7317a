"""Who may do what: the one place that decides it.

What a user is in the network is one value, `Roles`, read in one query by `roles_of` and
kept on the request as `request.roles` (`RolesMiddleware`, at the first question asked).
Views ask `can(request.roles, action)` or use the `require` decorator; the menu is built from
the same rules. A new area adds its actions to RULES; a new role adds its field to `Roles` and
its column to the query in `roles_of`, so that checks and menus ask nothing more.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.views import redirect_to_login
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.utils.functional import SimpleLazyObject

from .models import PersonRole
from .selectors import member_contacts

# The auth group of the award's judges (awards.judging puts them in it with their first
# judgeship and takes them out with their last): it opens the judge workspace.
JUDGES_GROUP = "judges"


@dataclass(frozen=True)
class Roles:
    """The roles a user holds; an anonymous or inactive user holds none."""

    authenticated: bool = False  # logged in: anyone may apply for the award
    secretariat: bool = False
    # A secretariat user's model permissions ("app.codename"), as the admin grants them:
    # staff pages outside the admin ask for the same ones (`has_perm`).
    superuser: bool = False
    permissions: frozenset[str] = frozenset()
    judge: bool = False
    # The organisation a member contact acts for, and the contact's roles there.
    organisation_id: int | None = None
    primary_contact: bool = False  # manages the organisation's logins
    voter: bool = False  # the designated voter (議決権行使者)
    representative: bool = False
    billing_contact: bool = False

    @property
    def member(self) -> bool:
        return self.organisation_id is not None

    @property
    def commits_dues(self) -> bool:
        """Whether the contact holds a role that commits the organisation's money (units,
        billing details): its representative, primary or billing contact
        (`models.DUES_AUTHORITY_ROLES`)."""
        return self.representative or self.primary_contact or self.billing_contact

    def has_perm(self, perm: str) -> bool:
        """Whether a secretariat user holds the model permission `perm`, as in the admin:
        being staff opens no page by itself."""
        return self.secretariat and (self.superuser or perm in self.permissions)


NOBODY = Roles()


def roles_of(user) -> Roles:
    """The user's roles, in one query (none for an anonymous or inactive user)."""
    if not user.is_authenticated or not user.is_active:
        return NOBODY
    User = get_user_model()
    judges = User.groups.through.objects.filter(user=OuterRef("pk"), group__name=JUDGES_GROUP)
    contact = member_contacts().filter(user=OuterRef("pk")).values("organisation_id")
    held = PersonRole.objects.current().filter(person__user=OuterRef("pk"))
    columns = {}
    if user.is_staff and not user.is_superuser:
        # Only staff pages ask: nobody else pays for reading them.
        named = Concat("content_type__app_label", Value("."), "codename")
        own = Permission.objects.filter(user=OuterRef("pk")).values(perm=named)
        grouped = Permission.objects.filter(group__user=OuterRef("pk")).values(perm=named)
        columns = {
            "own_permissions": ArraySubquery(own),
            "group_permissions": ArraySubquery(grouped),
        }
    row = (
        User._default_manager.filter(pk=user.pk)
        .values(
            judge=Exists(judges),
            organisation_id=Subquery(contact[:1]),
            primary_contact=Exists(held.filter(kind=PersonRole.Kind.PRIMARY)),
            voter=Exists(held.filter(kind=PersonRole.Kind.VOTER, person__left_on__isnull=True)),
            representative=Exists(held.filter(kind=PersonRole.Kind.REPRESENTATIVE)),
            billing_contact=Exists(held.filter(kind=PersonRole.Kind.BILLING)),
            **columns,
        )
        .get()
    )
    member = row["organisation_id"] is not None
    return Roles(
        authenticated=True,
        secretariat=user.is_staff,
        superuser=user.is_superuser,
        permissions=frozenset(row.get("own_permissions", ()))
        | frozenset(row.get("group_permissions", ())),
        judge=row["judge"],
        organisation_id=row["organisation_id"],
        primary_contact=member and row["primary_contact"],
        voter=member and row["voter"],
        representative=member and row["representative"],
        billing_contact=member and row["billing_contact"],
    )


class RolesMiddleware:
    """`request.roles`: the roles of `request.user`, read once, when first asked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: roles_of(request.user))
        return self.get_response(request)


RULES: dict[str, Callable[[Roles], bool]] = {
    "home.view_dashboard": lambda roles: roles.authenticated,
    "members.view_own_organisation": lambda roles: roles.member,
    "members.edit_own_organisation": lambda roles: roles.member,
    # Every contact sees the units; those who commit the organisation's money change them.
    "members.view_units": lambda roles: roles.member,
    "members.choose_units": lambda roles: roles.commits_dues,
    # Any contact edits their own details; the primary contact alone adds and edits others,
    # gives the primary, billing and voter roles, invites and removes.
    "members.edit_own_contacts": lambda roles: roles.member,
    "members.manage_contacts": lambda roles: roles.primary_contact,
    "members.view_directory": lambda roles: (
        roles.member or roles.has_perm("members.view_organisation")
    ),
    "dues.view_own": lambda roles: roles.member,
    "dues.edit_billing_profile": lambda roles: roles.commits_dues,
    "awards.view": lambda roles: True,
    "awards.apply": lambda roles: roles.authenticated,
    "awards.judge": lambda roles: roles.judge,
    "awards.view_results": lambda roles: roles.judge or roles.has_perm("awards.view_round"),
    # Every round's results, not only as the chair of its edition.
    "awards.view_all_results": lambda roles: roles.has_perm("awards.view_round"),
    # Every applicant's entry and attachments, as the admin's entry page shows them.
    "awards.view_all_entries": lambda roles: roles.has_perm("awards.view_entry"),
    "newsletter.view_archive": lambda roles: True,
    "newsletter.read_members_only": lambda roles: (
        roles.member or roles.has_perm("newsletter.view_issue")
    ),
    "newsletter.subscribe": lambda roles: True,
    "newsletter.manage_own_subscription": lambda roles: roles.member,
    "surveys.view": lambda roles: roles.member or roles.has_perm("surveys.view_survey"),
    "surveys.answer": lambda roles: roles.member,
    "surveys.manage": lambda roles: roles.has_perm("surveys.view_survey"),
    # Every institution's answers, named: results, free texts, response rate, exports.
    "surveys.read_responses": lambda roles: roles.has_perm("surveys.view_response"),
    "surveys.compare_bank": lambda roles: roles.has_perm("surveys.view_bankquestion"),
    # Requests to answer, mailed to the institutions the survey asks.
    "surveys.invite": lambda roles: roles.has_perm("surveys.change_survey"),
    "assemblies.view": lambda roles: roles.member or roles.has_perm("assemblies.view_assembly"),
    "assemblies.vote": lambda roles: roles.voter,
    # Every assembly, before it opens too: the live view, results and minutes.
    "assemblies.manage": lambda roles: roles.has_perm("assemblies.view_assembly"),
    "assemblies.run_vote": lambda roles: roles.has_perm("assemblies.change_assembly"),
    "assemblies.view_roll": lambda roles: roles.has_perm("assemblies.view_rollentry"),
    # Corrections, attendance and votes cast at the meeting.
    "assemblies.record_roll": lambda roles: roles.has_perm("assemblies.change_rollentry"),
    # Events: anyone may read the public ones; logged-in users register (the event's own
    # rules say at which rate, `events.eligibility`); the secretariat checks people in.
    "events.view": lambda roles: True,
    "events.register": lambda roles: roles.authenticated,
    "events.check_in": lambda roles: roles.has_perm("events.change_seat"),
    "events.manage": lambda roles: roles.has_perm("events.view_registration"),
    # Regional issues and proposals (issue 22): anyone reads the calls and the public issues
    # (proposals.selectors.visible_submissions says which); member institutions' contacts
    # write their institution's issues (the call's classes and window decide, in
    # proposals.services) and endorse others'.
    "proposals.view": lambda roles: True,
    "proposals.submit": lambda roles: roles.member,
    "proposals.endorse": lambda roles: roles.member,
    # ... and comment on the draft proposal, item by item (proposals.compiling.comment).
    "proposals.comment": lambda roles: roles.member,
    "admin.access": lambda roles: roles.secretariat,
}


def _rule(action: str) -> Callable[[Roles], bool]:
    try:
        return RULES[action]
    except KeyError:
        raise KeyError(f"Unknown action {action!r}: add it to RULES") from None


def can(roles: Roles, action: str) -> bool:
    return _rule(action)(roles)


def require(action: str):
    """View decorator: anonymous users go to the login page, others without the right get 403."""
    _rule(action)  # fail at import time on a typo, not at the first request

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if can(request.roles, action):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied

        return wrapped

    return decorator
