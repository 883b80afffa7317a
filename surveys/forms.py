import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import MembershipClass, PersonRole, RegionalBlock

from .models import TEXT_KINDS, Kind, Option, Question
from .questionnaire import shown_questions

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 4000
OTHER_TEXT_MAX = 500
HUNDRED = Decimal(100)


def normalise_text(text: str) -> str:
    """NFKC (full-width digits and letters to half-width, half-width kana to full-width),
    without control characters (Word's vertical tab becomes a line break)."""
    text = unicodedata.normalize("NFKC", text).replace("\v", "\n").replace("\f", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


@dataclass
class Payload:
    """What one shown question's answer stores."""

    question: Question
    text: str = ""
    number: Decimal | None = None
    choices: list[tuple[Option, Decimal | None, str]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.text or self.number is not None or self.choices)


class AnswerForm(forms.Form):
    """The questions an institution's class is asked. `clean` drops what a question not
    shown would say, errors included, so "required" holds only for questions shown."""

    def __init__(self, questions: list[Question], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self._add_fields(question)
            if question.required and question.kind != Kind.BREAKDOWN:
                field = self.fields[question.field_name]
                field.required = True  # also marks the label for the eye
                field.error_messages["required"] = _("This question needs an answer.")

    def _add_fields(self, question: Question) -> None:
        name, options = question.field_name, question.option_list
        label, help_text = question.heading, question.help_text
        if question.kind == Kind.MULTIPLE:  # the mark from the type, never twice
            mark = _("(multiple answers allowed)")
            label = f"{label} {mark}"
        choices = [(str(o.pk), o.label) for o in options]
        if question.kind in (Kind.SINGLE, Kind.RATING):
            self.fields[name] = forms.ChoiceField(
                label=label,
                help_text=help_text,
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
            )
        elif question.kind == Kind.MULTIPLE:
            if question.max_choices:
                help_text = " ".join(
                    filter(
                        None, [help_text, _("Choose up to %(n)d.") % {"n": question.max_choices}]
                    )
                )
            self.fields[name] = forms.MultipleChoiceField(
                label=label,
                help_text=help_text,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        elif question.kind in TEXT_KINDS:
            short = question.kind == Kind.SHORT_TEXT
            self.fields[name] = forms.CharField(
                label=label,
                help_text=help_text,
                max_length=SHORT_TEXT_MAX if short else LONG_TEXT_MAX,
                widget=forms.TextInput if short else forms.Textarea(attrs={"rows": 4}),
                required=False,
            )
        elif question.kind == Kind.NUMBER:
            self.fields[name] = forms.DecimalField(
                label=label,
                help_text=" ".join(filter(None, [help_text, _range_text(question)])),
                min_value=question.minimum,
                max_value=question.maximum,
                max_digits=12,
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
        elif question.kind == Kind.BREAKDOWN:
            for option in options:
                self.fields[question.part_field_name(option)] = forms.DecimalField(
                    label=option.label,
                    min_value=0,
                    max_value=100,
                    max_digits=5,
                    decimal_places=1,
                    required=False,
                    widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
                )
        if any(o.is_other for o in options) and question.kind != Kind.BREAKDOWN:
            self.fields[question.other_field_name] = forms.CharField(
                label=_("Please describe (other)"), max_length=OTHER_TEXT_MAX, required=False
            )

    def field_names(self, question: Question) -> list[str]:
        if question.kind == Kind.BREAKDOWN:
            return [question.part_field_name(o) for o in question.option_list]
        names = [question.field_name]
        if question.other_field_name in self.fields:
            names.append(question.other_field_name)
        return names

    def _chosen(self) -> dict[int, set[int]]:
        chosen = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.field_name)
            if question.kind in (Kind.SINGLE, Kind.RATING, Kind.MULTIPLE) and value:
                values = value if isinstance(value, list) else [value]
                chosen[question.pk] = {int(v) for v in values}
        return chosen

    def clean(self):
        shown = shown_questions(self.questions, self._chosen())
        self.shown_ids = shown
        self.payloads = []
        for question in self.questions:
            names = self.field_names(question)
            if question.pk not in shown:
                for name in names:  # never shown: whatever was typed there does not count
                    self.errors.pop(name, None)
                    self.cleaned_data.pop(name, None)
                continue
            if any(name in self.errors for name in names):
                continue
            payload = self._payload(question)
            if payload is not None:
                self.payloads.append(payload)
        return self.cleaned_data

    def _payload(self, question: Question) -> Payload | None:
        data, name = self.cleaned_data, question.field_name
        payload = Payload(question)
        if question.kind == Kind.BREAKDOWN:
            parts = [(o, data.get(question.part_field_name(o))) for o in question.option_list]
            if parts and any(value is not None for _o, value in parts):
                total = sum((value or 0 for _o, value in parts), Decimal(0))
                if total != HUNDRED:
                    self.add_error(
                        question.part_field_name(question.option_list[0]),
                        _("The parts add up to %(total)s%%; they must add up to 100%%.")
                        % {"total": f"{total.normalize():f}"},
                    )
                    return None
                payload.choices = [(o, value or Decimal(0), "") for o, value in parts]
        elif question.kind in (Kind.SINGLE, Kind.RATING, Kind.MULTIPLE):
            value = data.get(name) or []
            selected = {int(v) for v in (value if isinstance(value, list) else [value])}
            options = [o for o in question.option_list if o.pk in selected]
            if question.max_choices and len(options) > question.max_choices:
                self.add_error(
                    name, _("Choose at most %(n)d options.") % {"n": question.max_choices}
                )
                return None
            other = normalise_text(data.get(question.other_field_name, "") or "")
            chose_other = any(o.is_other for o in options)
            if chose_other and not other:
                self.add_error(
                    question.other_field_name, _("Please describe your “other” answer.")
                )
                return None
            if other and not chose_other:
                self.add_error(
                    question.other_field_name,
                    _("Tick “other” as well, or clear this description."),
                )
                return None
            payload.choices = [(o, None, other if o.is_other else "") for o in options]
        elif question.kind == Kind.NUMBER:
            payload.number = data.get(name)
        else:
            payload.text = normalise_text(data.get(name, "") or "")
        if question.required and not payload.answered:
            names = self.field_names(question)
            self.add_error(names[0] if names else None, _("This question needs an answer."))
            return None
        return payload


def _range_text(question: Question) -> str:
    low, high, unit = question.minimum, question.maximum, question.unit
    values = {"low": _plain(low), "high": _plain(high), "unit": unit}
    if low is not None and high is not None:
        return _("Between %(low)s and %(high)s%(unit)s.") % values
    if low is not None:
        return _("At least %(low)s%(unit)s.") % values
    if high is not None:
        return _("At most %(high)s%(unit)s.") % values
    return _("Unit: %(unit)s") % values if unit else ""


def _plain(number: Decimal | None) -> str:
    return "" if number is None else f"{number.normalize():f}"


def _narrowing(model, label, help_text) -> forms.ModelMultipleChoiceField:
    """Ticks that narrow whom a request goes to (the choices are set per survey)."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=model.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class InviteForm(forms.Form):
    """Whom to send a survey's requests to: every institution it asks, unless narrowed to
    some of its classes and blocks, written to the holders of the roles ticked."""

    classes = _narrowing(
        MembershipClass,
        gettext_lazy("membership classes"),
        gettext_lazy("None ticked: every class the survey asks."),
    )
    blocks = _narrowing(
        RegionalBlock,
        gettext_lazy("regional blocks"),
        gettext_lazy("None ticked: every block the survey asks."),
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("write to"),
        choices=PersonRole.Kind.choices,
        initial=[PersonRole.Kind.PRIMARY],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Who receives the request; the primary contact if none is ticked."),
    )

    def __init__(self, survey, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = survey.classes.order_by("order", "pk")
        blocks = list(survey.blocks.order_by("order", "pk"))
        self.fields["blocks"].queryset = (
            RegionalBlock.objects.filter(pk__in=[b.pk for b in blocks]).order_by("order", "pk")
            if blocks
            else RegionalBlock.objects.order_by("order", "pk")
        )

    def filters(self) -> dict:
        """The narrowing as small JSON for the task: ids and role names (none: everyone)."""
        if not self.is_bound or not self.is_valid():
            return {"classes": [], "blocks": [], "roles": [PersonRole.Kind.PRIMARY.value]}
        data = self.cleaned_data
        return {
            "classes": [c.pk for c in data["classes"]],
            "blocks": [b.pk for b in data["blocks"]],
            "roles": list(data["roles"]) or [PersonRole.Kind.PRIMARY.value],
        }
