from django import forms
from django.utils.translation import gettext_lazy as _

from portal.formfields import field_classes
from portal.prefectures import PREFECTURES
from portal.validators import validate_name

from . import scale
from .models import Conflict, Entry, Nomination, Track

ENTRY_FIELDS = [
    "title",
    "organisation_name",
    "co_applicants",
    "prefecture",
    "summary",
    "keywords",
    "contact_name",
    "contact_email",
    "contact_phone",
]


class EntryForm(forms.ModelForm):
    """The entry with one text area per section of its track. Nothing is required to save
    a draft; completeness is checked on submission (services.completeness_errors)."""

    class Meta:
        model = Entry
        fields = ENTRY_FIELDS
        field_classes = field_classes(ENTRY_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 400}),
            "co_applicants": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"summary": _("At most 400 characters; shown in the winners archive.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.instance
        self.fields["title"].label = entry.track.title_label
        for field in self.fields.values():
            field.required = False
        self.sections = list(entry.track.sections.all())
        for section in self.sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.label,
                help_text=section.help_text,
                required=False,
                max_length=section.max_length,
                initial=entry.sections.get(section.key, ""),
                widget=forms.Textarea(attrs={"rows": 6, "maxlength": section.max_length}),
            )

    def entry_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ENTRY_FIELDS}

    def section_data(self) -> dict:
        return {s.key: self.cleaned_data[f"section_{s.key}"] for s in self.sections}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, images or Office files."))


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E.g. whether the programme suits the award, or which track fits it."),
    )


class NominationForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none())
    title = forms.CharField(label=_("Programme or person nominated"), max_length=200)
    organisation_name = forms.CharField(
        label=_("Their organisation"), max_length=200, validators=[validate_name]
    )
    prefecture = forms.TypedChoiceField(
        label=_("Prefecture"), choices=[("", "---------"), *PREFECTURES], coerce=int
    )
    nominee_name = forms.CharField(
        label=_("Contact person there"), max_length=100, validators=[validate_name]
    )
    nominee_email = forms.EmailField(
        label=_("Their email address"),
        help_text=_("They are asked by email to agree and to complete the entry."),
    )
    nominator_organisation = forms.CharField(
        label=_("Your organisation"), max_length=200, validators=[validate_name]
    )
    reason = forms.CharField(
        label=_("Why you nominate them"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = edition.tracks.all()

    def entry_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("title", "organisation_name", "prefecture")
        }

    def nomination_fields(self) -> dict:
        names = [f.name for f in Nomination._meta.fields]
        return {k: v for k, v in self.cleaned_data.items() if k in names}


class ReviewForm(forms.Form):
    """One score field per criterion of the round (rubric and prize fit), and a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = {s.criterion_id: s.value for s in assignment.scores.all()} if assignment else {}
        fields = {}
        for criterion in self.criteria:
            help_text = criterion.description
            if criterion.prize_id:
                help_text = _("Fit for %(prize)s: shown, not totalled.") % {
                    "prize": criterion.prize
                }
            fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (×{criterion.weight.normalize()})"
                if not criterion.prize_id
                else criterion.name,
                choices=[("", "---")]
                + [
                    (point, f"{point} – {meaning}" if meaning else point)
                    for point, meaning in scale.points(criterion.scale_min, criterion.scale_max)
                ],
                coerce=int,
                empty_value=None,  # an unscored criterion is None, never ""
                required=False,
                initial=scores.get(criterion.pk),
                help_text=help_text,
            )
        self.fields = {**fields, **self.fields}
        if assignment:
            self.fields["comment"].initial = assignment.comment

    def values(self) -> dict:
        """The scores given, by criterion id; criteria left blank are not in it."""
        return {
            c.pk: self.cleaned_data.get(f"criterion_{c.pk}")
            for c in self.criteria
            if self.cleaned_data.get(f"criterion_{c.pk}") is not None
        }

    def legends(self) -> list[dict]:
        return scale.legends(self.criteria)


class ConflictForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of conflict"),
        choices=[
            (k.value, k.label)
            for k in (
                Conflict.Kind.COLLABORATION,
                Conflict.Kind.PERSONAL,
                Conflict.Kind.SAME_ORGANISATION,
                Conflict.Kind.CO_APPLICANT,
                Conflict.Kind.OTHER,
            )
        ],
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class WinnersFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Edition"), coerce=int, required=False, empty_value=None)
    prize = forms.ChoiceField(label=_("Prize"), required=False)
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=[("", "---------"), *Track.Kind.choices]
    )
    prefecture = forms.TypedChoiceField(
        label=_("Prefecture"),
        choices=[("", "---------"), *PREFECTURES],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, years, prizes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "---------")] + [(y, y) for y in years]
        self.fields["prize"].choices = [("", "---------")] + [(p, p) for p in prizes]
