"""Demo logins for the embedded default; they are refused whenever DEBUG is off."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from .privacy import POLICY_VERSION

DEMO_PASSWORD = "innonet-demo"
SECRETARIAT = "office@demo.innonet.example"
JUDGE = "judge@demo.innonet.example"
MEMBER = "member@demo.innonet.example"
APPLICANT = "applicant@demo.innonet.example"
# A second secretariat user: newsletter issues are approved by someone other than the author.
EDITOR = "editor@demo.innonet.example"


def _demo_user(email: str, last_name: str, first_name: str, **flags):
    user, _created = get_user_model().objects.update_or_create(
        email=email,
        defaults={
            "last_name": last_name,
            "first_name": first_name,
            "is_demo": True,
            # The demo's people agreed to the policy, so that a demo login goes straight in.
            "privacy_consent_at": timezone.now(),
            "privacy_policy_version": POLICY_VERSION,
            **flags,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_users(member_person) -> None:
    """One user per role; the member contact acts for `member_person`'s organisation, and the
    judge becomes one when the award's demo appoints them."""
    _demo_user(SECRETARIAT, "事務局", "花子", is_staff=True, is_superuser=True)
    _demo_user(EDITOR, "編集", "三郎", is_staff=True, is_superuser=True)
    _demo_user(JUDGE, "審査", "太郎")
    member = _demo_user(MEMBER, member_person.family_name, member_person.given_name)
    if member_person.user_id != member.pk:
        member_person.user = member
        member_person.save(update_fields=["user"])
    _demo_user(APPLICANT, "応募", "次郎")
