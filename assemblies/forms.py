from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Choice

CHAIR = "chair"


class BallotForm(forms.Form):
    """One for/against/abstain field per agenda item; items left unanswered stay unvoted."""

    def __init__(self, *args, items, initial_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.title,
                choices=Choice.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
                initial=(initial_choices or {}).get(item.pk),
            )

    def field_for(self, item):
        return self[f"item_{item.pk}"]

    def choices(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data[f"item_{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"item_{item.pk}")
        }

    def clean(self):
        if not self.errors and not self.choices():
            raise forms.ValidationError(_("Choose for, against or abstain on at least one item."))
        return self.cleaned_data


class ProxyForm(forms.Form):
    holder = forms.ChoiceField(
        label=_("Give the proxy to"), widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [
            (CHAIR, _("the chair of the assembly")),
            (_("another voting member"), [(str(e.pk), e.organisation.name) for e in holders]),
        ]

    def holder_id(self) -> int | None:
        value = self.cleaned_data["holder"]
        return None if value == CHAIR else int(value)


class ChairForm(BallotForm):
    """How the chair exercises the proxies given to the chair, per item."""

    def clean(self):
        return self.cleaned_data


class CorrectionForm(forms.Form):
    votes = forms.IntegerField(label=_("votes"), min_value=0, max_value=32767)
    eligible = forms.BooleanField(label=_("may vote"), required=False)
    counts_for_headcount = forms.BooleanField(label=_("counts for the headcount"), required=False)
    reason = forms.CharField(
        label=_("reason for the correction"),
        max_length=200,
        help_text=_("Kept in the audit trail with the values before and after."),
    )
