"""Who may do what: the one place that decides it.

Views ask `can(user, action)` (or use the `require` decorator), templates use the
navigation built from the same rules. A new area adds its actions to RULES.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

JUDGES_GROUP = "judges"


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    JUDGE = "judge"
    MEMBER = "member"
    APPLICANT = "applicant"


def roles_of(user) -> frozenset[Role]:
    """The user's roles, computed once per request object and cached on it."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    roles = {Role.APPLICANT}
    if user.is_staff:
        roles.add(Role.SECRETARIAT)
    judge = getattr(user, "_portal_is_judge", None)
    if judge is None:
        judge = user.groups.filter(name=JUDGES_GROUP).exists()
    if judge:
        roles.add(Role.JUDGE)
    if member_organisation_id(user) is not None:
        roles.add(Role.MEMBER)
    user._portal_roles = frozenset(roles)
    return user._portal_roles


def preload_roles(user, *, judge: bool, organisation_id: int | None) -> None:
    """What `roles_of` asks the database, known already (accounts.backends loads it with
    the user of each request)."""
    user._portal_is_judge = judge
    user._portal_organisation_id = organisation_id
    if organisation_id is None:
        user._portal_organisation = None


def member_organisation_id(user) -> int | None:
    """The id of the organisation a member contact acts for, or None (no query when the
    user was loaded by accounts.backends)."""
    if not user.is_authenticated:
        return None
    if hasattr(user, "_portal_organisation_id"):
        return user._portal_organisation_id
    organisation = member_organisation(user)
    return organisation.pk if organisation else None


def member_organisation(user):
    """The organisation a member contact acts for, or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_portal_organisation"):
        from members.models import Organisation, Person

        if hasattr(user, "_portal_organisation_id"):
            organisation = (
                Organisation.objects.select_related("block", "kind")
                .filter(pk=user._portal_organisation_id)
                .first()
            )
        else:
            person = (
                Person.objects.current()
                .select_related("organisation__block", "organisation__kind")
                .filter(user=user, organisation__isnull=False)
                .first()
            )
            organisation = person.organisation if person else None
        user._portal_organisation = organisation
    return user._portal_organisation


def is_primary_contact(user) -> bool:
    """Whether the user is its organisation's current primary contact (who manages logins)."""
    if member_organisation(user) is None:
        return False
    if not hasattr(user, "_portal_is_primary"):
        from members.models import PersonRole

        user._portal_is_primary = (
            PersonRole.objects.current()
            .filter(person__user=user, kind=PersonRole.Kind.PRIMARY)
            .exists()
        )
    return user._portal_is_primary


def is_designated_voter(user) -> bool:
    """Whether the user is its organisation's current designated voter (議決権行使者)."""
    if member_organisation(user) is None:
        return False
    if not hasattr(user, "_portal_is_voter"):
        from members.models import PersonRole

        user._portal_is_voter = (
            PersonRole.objects.current()
            .filter(person__user=user, person__left_on__isnull=True, kind=PersonRole.Kind.VOTER)
            .exists()
        )
    return user._portal_is_voter


def _has(role: Role) -> Callable:
    return lambda user: role in roles_of(user)


def _anyone(user) -> bool:
    return True


def _authenticated(user) -> bool:
    return bool(roles_of(user))


RULES: dict[str, Callable] = {
    "home.view_dashboard": _authenticated,
    "members.view_own_organisation": _has(Role.MEMBER),
    "members.edit_own_organisation": _has(Role.MEMBER),
    "members.view_own_dues": _has(Role.MEMBER),
    "members.choose_units": _has(Role.MEMBER),
    "members.edit_own_contacts": _has(Role.MEMBER),
    "members.manage_logins": is_primary_contact,
    "members.edit_billing_profile": _has(Role.MEMBER),
    "members.view_directory": lambda user: bool(roles_of(user) & {Role.MEMBER, Role.SECRETARIAT}),
    "awards.view": _anyone,
    "awards.apply": _authenticated,
    "awards.judge": _has(Role.JUDGE),
    "awards.view_results": lambda user: bool(roles_of(user) & {Role.JUDGE, Role.SECRETARIAT}),
    "newsletter.view_archive": _anyone,
    "newsletter.subscribe": _anyone,
    "newsletter.manage_own_subscription": _has(Role.MEMBER),
    "surveys.view": lambda user: bool(roles_of(user) & {Role.MEMBER, Role.SECRETARIAT}),
    "surveys.answer": _has(Role.MEMBER),
    "surveys.manage": _has(Role.SECRETARIAT),
    "assemblies.view": lambda user: bool(roles_of(user) & {Role.MEMBER, Role.SECRETARIAT}),
    "assemblies.vote": is_designated_voter,
    "assemblies.manage": _has(Role.SECRETARIAT),
    "admin.access": _has(Role.SECRETARIAT),
}


def _rule(action: str) -> Callable:
    try:
        return RULES[action]
    except KeyError:
        raise KeyError(f"Unknown action {action!r}: add it to RULES") from None


def can(user, action: str) -> bool:
    return _rule(action)(user)


def require(action: str):
    """View decorator: anonymous users go to the login page, others without the right get 403."""
    _rule(action)  # fail at import time on a typo, not at the first request

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if can(request.user, action):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied

        return wrapped

    return decorator
