from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import RegionalBlock

from .models import Call, Ministry, Proposal, Submission, Theme
from .services import DraftData


class SubmissionForm(forms.ModelForm):
    """A draft: only the theme is needed to save it; submitting asks for the rest
    (services.submit). `version` is the draft's version the page was loaded with."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    ministries = forms.ModelMultipleChoiceField(
        label=_("Ministries concerned"),
        queryset=Ministry.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    attachment = forms.FileField(
        label=_("Add an attachment"),
        required=False,
        help_text=_("PDF, image or Office file; checked by its content."),
    )

    class Meta:
        model = Submission
        fields = [
            "theme",
            "title",
            "background",
            "request",
            "supporting_data",
            "visibility",
            "hide_name",
        ]
        widgets = {
            "background": forms.Textarea(attrs={"rows": 6}),
            "request": forms.Textarea(attrs={"rows": 6}),
            "supporting_data": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = call.themes.all()
        self.fields["theme"].empty_label = None
        for name in ("title", "background", "request"):
            self.fields[name].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["ministries"].initial = list(self.instance.ministries.all())

    def draft_data(self) -> DraftData:
        data = self.cleaned_data
        return DraftData(
            theme=data["theme"],
            title=data["title"],
            background=data["background"],
            request=data["request"],
            supporting_data=data["supporting_data"],
            visibility=data["visibility"],
            hide_name=data["hide_name"],
            ministries=tuple(data["ministries"]),
        )


class EndorsementForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: 当機関も同様の課題あり"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), required=False, empty_label=_("All")
    )
    block = forms.ModelChoiceField(
        label=_("Regional block"),
        queryset=RegionalBlock.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    ministry = forms.ModelChoiceField(
        label=_("Ministry"), queryset=Ministry.objects.all(), required=False, empty_label=_("All")
    )
    year = forms.TypedChoiceField(
        label=_("Fiscal year"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        calls = Call.objects.values_list("fiscal_year", flat=True)
        proposals = Proposal.objects.values_list("fiscal_year", flat=True)
        years = sorted({*calls.union(proposals)}, reverse=True)
        self.fields["year"].choices = [("", _("All"))] + [(year, year) for year in years]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "query": data.get("q", ""),
            "theme": data.get("theme"),
            "block": data.get("block"),
            "ministry": data.get("ministry"),
            "year": data.get("year"),
        }


class DraftCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your institution's comment on this item"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
