"""The members' and the public's forms: the events page's filters and registration."""

from datetime import date

from django import forms
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from members.models import Person, RegionalBlock
from portal.formfields import KatakanaField, field_classes

from .models import Event, Registration


class EventFilterForm(forms.Form):
    """The events page's filters (GET): kind, regional block and month."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    block = forms.ModelChoiceField(
        RegionalBlock.objects.all(),
        label=_("Regional block"),
        required=False,
        empty_label=_("All blocks"),
    )
    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, data=None, *, months=()):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds")), *Event.Kind.choices]
        self.fields["month"].choices = [("", _("All months"))] + [
            (f"{m:%Y-%m}", date_format(m, "YEAR_MONTH_FORMAT")) for m in months
        ]

    def filters(self) -> dict:
        """What to filter by (nothing for a field left empty or not valid)."""
        if not self.is_valid():
            return {}
        month = self.cleaned_data["month"]
        return {
            "kind": self.cleaned_data["kind"],
            "block": self.cleaned_data["block"],
            "month": date(int(month[:4]), int(month[5:7]), 1) if month else None,
        }


class _SessionsMixin:
    """A choice of sessions when the event lets participants choose (several sessions and
    not a training, which takes every session); all of them checked at first."""

    def add_sessions(self, event, sessions):
        if len(sessions) > 1 and event.kind != Event.Kind.TRAINING:
            self.fields["sessions"] = forms.ModelMultipleChoiceField(
                queryset=event.sessions.all(),
                label=_("Sessions"),
                widget=forms.CheckboxSelectMultiple,
                initial=[s.pk for s in sessions],
                error_messages={"required": _("Choose at least one session of this event.")},
            )
            self.fields["sessions"].choices = [(s.pk, _session_label(s)) for s in sessions]

    def session_ids(self):
        chosen = self.cleaned_data.get("sessions")
        return [s.pk for s in chosen] if chosen else None


def _session_label(session):
    starts_at = timezone.localtime(session.starts_at)
    return f"{session.title}（{date_format(starts_at, 'DATETIME_FORMAT')}）"


PARTICIPANT = ["family_name", "given_name", "family_name_kana", "given_name_kana", "email"]


class ColleagueForm(forms.ModelForm):
    """One colleague typed by hand (a row of the member's form): optional, but a row begun
    needs every field."""

    class Meta:
        model = Registration
        fields = PARTICIPANT
        field_classes = field_classes(PARTICIPANT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in PARTICIPANT):
            for name in PARTICIPANT:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned

    def participant(self) -> dict:
        return {name: self.cleaned_data[name] for name in PARTICIPANT}


ColleagueRows = forms.formset_factory(ColleagueForm, extra=3, max_num=3, validate_max=True)


class _ColleagueChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        return f"{person}（{person.email}）"


class MemberRegistrationForm(_SessionsMixin, forms.Form):
    """A member contact registers themself and colleagues of their organisation."""

    include_self = forms.BooleanField(label=_("I take part myself"), required=False, initial=True)
    colleagues = _ColleagueChoice(
        queryset=Person.objects.none(),
        label=_("Colleagues of my organisation"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    one_invoice = forms.BooleanField(
        label=_("One invoice for our institution for all these participants"), required=False
    )

    def __init__(self, *args, event, sessions, contact, staff, fee, **kwargs):
        """`staff`: the organisation's staff free to register (`unregistered_staff`)."""
        super().__init__(*args, **kwargs)
        self.contact = contact
        colleagues = [p for p in staff if p.pk != contact.pk]
        if len(colleagues) == len(staff):
            del self.fields["include_self"]  # registered already (or waiting)
        if colleagues:
            self.fields["colleagues"].queryset = Person.objects.filter(
                pk__in=[p.pk for p in colleagues]
            ).select_related("user")
            self.fields["colleagues"].choices = [
                (p.pk, self.fields["colleagues"].label_from_instance(p)) for p in colleagues
            ]
        else:
            del self.fields["colleagues"]
        if not fee:
            del self.fields["one_invoice"]
        self.add_sessions(event, sessions)


def unregistered_staff(contact, event):
    """The current staff of the contact's organisation (the contact too) with an email
    address and no place (or wait) for the event yet, in the order of their readings."""
    taken = Registration.objects.annotate(address=Lower("email")).filter(
        event=event, status__in=Registration.ACTIVE, address=Lower(OuterRef("email"))
    )
    return list(
        Person.objects.current()
        .filter(organisation_id=contact.organisation_id)
        .exclude(email="")
        .exclude(Exists(taken))
        .order_by("family_name_kana", "given_name_kana", "pk")
    )


NON_MEMBER = [
    *PARTICIPANT,
    "affiliation",
    "affiliation_kana",
    "department",
]


class NonMemberRegistrationForm(_SessionsMixin, forms.ModelForm):
    """Anyone with an account registers themself at the non-member rate."""

    class Meta:
        model = Registration
        fields = NON_MEMBER
        field_classes = {**field_classes(NON_MEMBER), "affiliation_kana": KatakanaField}

    def __init__(self, *args, event, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("family_name_kana", "given_name_kana", "affiliation"):
            self.fields[name].required = True
        self.add_sessions(event, sessions)

    def participant(self) -> dict:
        return {name: self.cleaned_data[name] for name in NON_MEMBER}
