from django import forms
from django.utils.translation import gettext_lazy as _

from portal.formfields import field_classes
from portal.prefectures import PREFECTURES

from .models import Organisation, OrganisationKind, Person, RegionalBlock
from .services import assignable_roles


class UnitsForm(forms.Form):
    units = forms.IntegerField(
        label=_("Units"),
        min_value=1,
        max_value=100,
        help_text=_("1 unit carries one vote at the general assembly."),
    )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name in kanji or kana, or words from the strengths."),
    )
    block = forms.ModelChoiceField(
        label=_("Regional block"), queryset=RegionalBlock.objects.all(), required=False
    )
    prefecture = forms.TypedChoiceField(
        label=_("Prefecture"),
        choices=[("", "---------"), *PREFECTURES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=OrganisationKind.objects.all(), required=False
    )


class ProfileForm(forms.ModelForm):
    """The organisation's profile as its contacts edit it; see services.update_profile."""

    # Any field would show its errors next to a hidden input, where nobody sees them: a
    # missing or tampered version is taken as a stale one (see clean_version).
    version = forms.Field(widget=forms.HiddenInput, required=False)
    representative = forms.ModelChoiceField(
        label=_("Representative"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("A change of representative is applied after the secretariat approves it."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_kana",
            "short_name",
            "name_en",
            "corporate_number",
            "postal_code",
            "prefecture",
            "address",
            "phone",
            "website",
            "description",
        ]
        field_classes = field_classes(fields)
        help_texts = {
            "name": _("A change of legal name is applied after the secretariat approves it."),
            "corporate_number": _(
                "13 digits. A change is applied after the secretariat approves it."
            ),
        }

    def __init__(self, *args, representative=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = Person.objects.current().filter(
            organisation=self.instance
        )
        self.fields["representative"].initial = representative
        self.fields["version"].initial = self.instance.version

    def clean_version(self) -> int | None:
        """The version the page was loaded at, or None, which update_profile finds stale."""
        value = self.cleaned_data["version"] or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else None


class ContactForm(forms.ModelForm):
    """A contact as the organisation's own contacts edit it, with the roles its editor gives."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "department",
            "title",
            "email",
            "phone",
        ]
        field_classes = field_classes(fields)

    def __init__(self, *args, roles=(), by_primary: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["roles"]
        field.choices = [
            (kind.value, kind.label) for kind in assignable_roles(by_primary=by_primary)
        ]
        field.initial = [kind for kind in roles if kind in dict(field.choices)]
        field.help_text = (
            _(
                "Primary, billing contact and voter have one holder each: giving the role to "
                "this person takes it from the current holder."
            )
            if by_primary
            else _(
                "The primary, billing and voter roles are given by your organisation's primary "
                "contact."
            )
        )
        if self.instance.user_id:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "This person logs in with this address; it changes with their login."
            )

    def person_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self._meta.fields}
