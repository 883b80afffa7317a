"""Addresses in templates: {% load addresses %}, then {{ organisation|full_address }}
(「〒920-8203 石川県金沢市鞍月2-20」, "〒920-8203 Ishikawa, 金沢市鞍月2-20") and
{{ code|postal_code }} (〒920-8203)."""

from django import template

from portal import prefectures, validators

register = template.Library()


@register.filter
def full_address(obj) -> str:
    """Of anything with prefecture, address and postal_code (an organisation)."""
    return prefectures.full_address(obj.prefecture, obj.address, getattr(obj, "postal_code", ""))


@register.filter
def postal_code(code) -> str:
    return validators.format_postal_code(code)
