from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery

from .permissions import JUDGES_GROUP, preload_roles


class PortalAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, refusing demo accounts unless DEBUG is on (every login path).

    The user of each request is loaded with what its roles depend on (a judge? a contact of
    which organisation?), so that permission checks and the menu need no query of their own.
    """

    def user_can_authenticate(self, user):
        if getattr(user, "is_demo", False) and not settings.DEBUG:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        from members.models import Person

        User = get_user_model()
        judges = User.groups.through.objects.filter(user=OuterRef("pk"), group__name=JUDGES_GROUP)
        contact = (
            Person.objects.current()
            .filter(user=OuterRef("pk"), organisation__isnull=False)
            .order_by("pk")
            .values("organisation_id")[:1]
        )
        user = (
            User._default_manager.annotate(
                roles_judge=Exists(judges), roles_organisation_id=Subquery(contact)
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        preload_roles(user, judge=user.roles_judge, organisation_id=user.roles_organisation_id)
        return user
