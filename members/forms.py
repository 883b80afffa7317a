from django import forms
from django.utils.translation import gettext_lazy as _


class UnitsForm(forms.Form):
    units = forms.IntegerField(
        label=_("Units"),
        min_value=1,
        max_value=100,
        help_text=_("1 unit carries one vote at the general assembly."),
    )
