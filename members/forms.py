from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrganisationKind, RegionalBlock
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
