from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, OrganisationKind, Person, RegionalBlock
from .prefectures import PREFECTURES


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

    version = forms.IntegerField(widget=forms.HiddenInput)
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
        help_texts = {
            "name": _("A change of legal name is applied after the secretariat approves it."),
            "corporate_number": _(
                "13 digits. A change is applied after the secretariat approves it."
            ),
        }

    def __init__(self, *args, representative=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = Person.objects.filter(organisation=self.instance)
        self.fields["representative"].initial = representative
        self.fields["version"].initial = self.instance.version
