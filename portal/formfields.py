"""Form fields that normalise what people type before validating it, and the one table that
says which model fields get them (phone numbers, postal codes, readings), used by the apps'
forms (`field_classes`) and admins (portal.admin.NormalisedFieldsAdmin)."""

from django import forms

from . import validators


class _NormalisedField(forms.CharField):
    normalise = staticmethod(str)

    def to_python(self, value):
        return self.normalise(super().to_python(value))


class PhoneField(_NormalisedField):
    """「０３（１２３４）５６７８」 is stored as 03-1234-5678; "abc-def" is refused."""

    normalise = staticmethod(validators.normalise_phone)
    default_validators = [validators.validate_phone]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel", "autocomplete": "tel"}


class PostalCodeField(_NormalisedField):
    """〒920-8203, full width or not, is stored as its 7 digits."""

    normalise = staticmethod(validators.normalise_postal_code)
    default_validators = [validators.validate_postal_code]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # 〒920-8203 is 9 characters before it is normalised
        return {**attrs, "autocomplete": "postal-code"}


class KatakanaField(_NormalisedField):
    """A reading (フリガナ): hiragana and half-width kana become full-width katakana."""

    normalise = staticmethod(validators.normalise_katakana)
    default_validators = [validators.validate_katakana]


# Model field names → the form field that takes them, wherever they appear.
NORMALISED = {
    "phone": PhoneField,
    "contact_phone": PhoneField,
    "postal_code": PostalCodeField,
    "name_kana": KatakanaField,
    "family_name_kana": KatakanaField,
    "given_name_kana": KatakanaField,
}


def field_classes(fields) -> dict:
    """For a ModelForm's Meta.field_classes: the normalised fields among `fields`."""
    return {name: NORMALISED[name] for name in fields if name in NORMALISED}
