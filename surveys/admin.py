"""The secretariat builds surveys here; answers are read on the results pages and exports.

Responses are read-only in the admin and never show answers (anonymous surveys must not
tie answers to institutions anywhere).
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from portal.html import links

from . import services, tasks
from .models import (
    CHOICE_KINDS,
    BankQuestion,
    Choice,
    Option,
    OtherAnswer,
    Question,
    Response,
    Section,
    Survey,
)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "survey",
            "section",
            "order",
            "code",
            "text",
            "help_text",
            "kind",
            "required",
            "max_choices",
            "minimum",
            "maximum",
            "unit",
            "classes",
            "condition_question",
            "condition_options",
            "bank",
        ]

    def clean(self):
        data = super().clean()
        survey, section = data.get("survey"), data.get("section")
        if survey and section and section.survey_id != survey.pk:
            self.add_error("section", _("Choose a section of this survey."))
        condition = data.get("condition_question")
        chosen = data.get("condition_options") or []
        if condition is not None:
            if survey and condition.survey_id != survey.pk:
                self.add_error("condition_question", _("Choose a question of this survey."))
            elif condition.kind not in CHOICE_KINDS:
                self.add_error("condition_question", _("A condition needs a choice question."))
            elif section and _position(condition) >= _position_of(
                section, data.get("order") or 0, self.instance.pk
            ):
                self.add_error("condition_question", _("A condition must be an earlier question."))
            if not chosen:
                self.add_error(
                    "condition_options", _("Choose the answers that show this question.")
                )
            elif any(o.question_id != condition.pk for o in chosen):
                self.add_error("condition_options", _("Choose answers of the condition question."))
        elif chosen:
            self.add_error("condition_question", _("Choose the question these answers belong to."))
        classes = data.get("classes") or []
        if survey and classes:
            asked = set(survey.classes.values_list("pk", flat=True))
            if any(c.pk not in asked for c in classes):
                self.add_error("classes", _("Choose among the classes the survey asks."))
        kind = data.get("kind")
        if kind != Question.Kind.MULTIPLE and data.get("max_choices"):
            self.add_error("max_choices", _("Only multiple choice questions have a maximum."))
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", _("The maximum is below the minimum."))
        if self.instance.pk and kind != self.instance.kind and self.instance.answers.exists():
            self.add_error("kind", _("Answers exist: the type can no longer change."))
        return data


def _position_of(section, order: int, pk: int | None) -> tuple:
    """Where a question stands in the survey, as the answer page orders them."""
    return (section.order, section.pk, order, pk or float("inf"))


def _position(question: Question) -> tuple:
    return _position_of(question.section, question.order, question.pk)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "title", "description"]


class QuestionInline(admin.TabularInline):
    model = Question
    form = QuestionForm  # the same checks as the question's own page (type locked once answered)
    extra = 0
    fields = ["section", "order", "code", "text", "kind", "required"]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "section":
            survey_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = Section.objects.filter(survey_id=survey_id)
            # Listed once for every row: a queryset would be read again for each question.
            field.choices = [("", "---------"), *((s.pk, str(s)) for s in field.queryset)]
        return field


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_at", "closes_at", "anonymous", "results_published_at", "pages"]
    search_fields = ["title"]
    filter_horizontal = ["classes", "blocks"]
    readonly_fields = ["pages", "copied_from"]
    inlines = [SectionInline, QuestionInline]
    actions = ["send_invitations", "send_reminders", "publish", "unpublish", "copy"]
    fieldsets = [
        (None, {"fields": ["title", "introduction", "pages"]}),
        (_("Who is asked"), {"fields": ["classes", "blocks", "anonymous"]}),
        (
            _("Dates and reminders"),
            {"fields": ["opens_at", "closes_at", "reminder_limit", "reminder_interval_days"]},
        ),
        (pgettext_lazy("survey", "Results"), {"fields": ["results_published_at", "copied_from"]}),
    ]

    @admin.display(description=_("pages"))
    def pages(self, obj):
        if not obj.pk:
            return "—"
        return links(
            (reverse("surveys:results", args=[obj.pk]), pgettext_lazy("survey", "Results")),
            (reverse("surveys:rate", args=[obj.pk]), _("Response rate")),
            (reverse("surveys:invite", args=[obj.pk]), _("Send requests to answer")),
            (reverse("surveys:export", args=[obj.pk, "xlsx"]), _("Excel")),
            (reverse("surveys:export", args=[obj.pk, "csv"]), "CSV"),
        )

    @admin.action(description=_("Send invitations (to institutions not invited yet)"))
    def send_invitations(self, request, queryset):
        """To the survey's page of requests: who they go to, narrowed if need be, and how
        many, before anything is sent."""
        surveys = list(queryset[:2])
        if len(surveys) != 1:
            self.message_user(
                request, _("Choose one survey to send its invitations."), messages.ERROR
            )
            return None
        return redirect("surveys:invite", surveys[0].pk)

    @admin.action(description=_("Send the reminders due now"))
    def send_reminders(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            transaction.on_commit(lambda pk=pk: tasks.remind.delay(pk))
        self.message_user(
            request,
            _(
                "Reminders go to institutions that have not answered, within each survey's "
                "limit and spacing."
            ),
        )

    @admin.action(description=_("Publish the results to members"))
    def publish(self, request, queryset):
        count = queryset.filter(results_published_at__isnull=True).update(
            results_published_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(n)d survey published.", "%(n)d surveys published.", count) % {"n": count},
        )

    @admin.action(description=_("Withdraw the published results"))
    def unpublish(self, request, queryset):
        queryset.update(results_published_at=None)

    @admin.action(description=_("Copy to next year"))
    def copy(self, request, queryset):
        for survey in queryset:
            copy = services.copy_survey(survey)
            self.message_user(
                request,
                _("Copied as “%(title)s”: check its title and dates.") % {"title": copy.title},
                messages.SUCCESS,
            )


class OptionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if self.instance.kind in CHOICE_KINDS | {Question.Kind.BREAKDOWN} and not kept:
            raise forms.ValidationError(_("This type of question needs at least one option."))


class OptionInline(admin.TabularInline):
    model = Option
    formset = OptionFormSet
    extra = 0
    fields = ["order", "code", "label", "value", "is_other"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["code", "text", "kind", "survey", "section", "required"]
    list_filter = ["survey", "kind"]
    search_fields = ["code", "text"]
    list_select_related = ["survey", "section"]
    filter_horizontal = ["classes", "condition_options"]
    autocomplete_fields = ["bank"]
    inlines = [OptionInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        question = self._object(request)
        if question is not None and db_field.name in ("section", "condition_question"):
            model = Section if db_field.name == "section" else Question
            kwargs["queryset"] = model.objects.filter(survey_id=question.survey_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        question = self._object(request)
        if question is not None and db_field.name == "condition_options":
            kwargs["queryset"] = Option.objects.filter(
                question__survey_id=question.survey_id
            ).select_related("question")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _object(self, request):
        """The question being edited, read once per request (every field asks for it)."""
        if not hasattr(request, "_survey_question"):
            object_id = request.resolver_match.kwargs.get("object_id")
            request._survey_question = (
                Question.objects.filter(pk=object_id).first() if object_id else None
            )
        return request._survey_question


@admin.register(BankQuestion)
class BankQuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "comparison"]
    search_fields = ["code", "text"]

    @admin.display(description=_("across years"))
    def comparison(self, obj):
        return links((reverse("surveys:bank", args=[obj.code]), _("Compare")))


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Who was asked and who answered; the answers themselves are on the results pages."""

    list_display = [
        "organisation",
        "survey",
        "membership_class",
        "block",
        "invited_at",
        "submitted_at",
        "reopened",
    ]
    list_filter = ["survey", "membership_class", "block", "reopened"]
    search_fields = ["organisation__name", "organisation__name_kana"]
    list_select_related = ["organisation", "survey", "membership_class", "block"]
    fields = [*list_display, "updated_at", "updated_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OtherAnswer)
class OtherAnswerAdmin(admin.ModelAdmin):
    """ "Other" descriptions, which the secretariat may count as one of the options."""

    list_display = ["other_text", "question", "recoded_to"]
    list_filter = ["answer__response__survey", "answer__question"]
    search_fields = ["other_text"]
    readonly_fields = ["question", "other_text"]
    fields = ["question", "other_text", "recoded_to"]

    def lookup_allowed(self, lookup, value, request=None):
        """Only the filters offered: a lookup by response would tie descriptions to one
        institution, which anonymous surveys must never allow."""
        return lookup in {"answer__response__survey__id__exact", "answer__question__id__exact"}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(option__is_other=True)
            .exclude(other_text="")
            .select_related("answer__question", "recoded_to", "option")
        )

    @admin.display(description=pgettext_lazy("survey", "question"))
    def question(self, obj):
        return obj.answer.question

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        object_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "recoded_to" and object_id:
            choice = Choice.objects.select_related("answer").get(pk=object_id)
            kwargs["queryset"] = Option.objects.filter(
                question_id=choice.answer.question_id, is_other=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
