from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import PersonRole
from portal.prefectures import PREFECTURES
from portal.validators import validate_name

from .models import Issue, Topic


def _topics_field(**kwargs) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    name = forms.CharField(
        label=_("Name (optional)"), max_length=100, required=False, validators=[validate_name]
    )
    topics = _topics_field(
        error_messages={"required": _("Choose at least one topic.")},
        help_text=_("You can change them later from the link in every issue."),
    )


class PreferencesForm(forms.Form):
    topics = _topics_field(
        required=False, help_text=_("Clear every topic to stop receiving the newsletter.")
    )


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "---------"), *((y, y) for y in years)]


class IssueAdminForm(forms.ModelForm):
    """The admin's issue form: the audience's prefectures and roles as checkboxes."""

    prefectures = forms.TypedMultipleChoiceField(
        label=_("only prefectures"),
        choices=PREFECTURES,
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    roles = forms.MultipleChoiceField(
        label=_("only contacts with the roles"),
        choices=PersonRole.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("e.g. representatives only; empty: every newsletter contact."),
    )

    class Meta:
        model = Issue
        fields = [
            "subject",
            "body",
            "masthead",
            "topics",
            "visibility",
            "membership_classes",
            "blocks",
            "prefectures",
            "roles",
            "send_at",
        ]
        widgets = {"topics": forms.CheckboxSelectMultiple}
