"""Names in templates, through portal.names: {% load names %}, then
{{ person|person_name }}, {{ person|to_person }} (「山田 花子 様」) and
{{ organisation.name|to_organisation }} (「○○財団 御中」)."""

from django import template

from portal import names

register = template.Library()


@register.filter
def person_name(who) -> str:
    return names.display_name(who)


@register.filter
def to_person(who) -> str:
    return names.to_person(who)


@register.filter
def to_organisation(name) -> str:
    return names.to_organisation(name)


@register.simple_tag
def addressee(organisation, person=None) -> str:
    """{% addressee organisation.name person %}: see portal.names.addressee."""
    return names.addressee(organisation, person)
