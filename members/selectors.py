from .models import Membership, Person


def current_membership(organisation):
    return (
        Membership.objects.current()
        .select_related("membership_class")
        .filter(organisation=organisation)
        .first()
    )


def contacts_of(organisation):
    return Person.objects.filter(organisation=organisation).order_by(
        "family_name_kana", "given_name_kana"
    )
