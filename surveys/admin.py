"""The secretariat builds surveys here; answers are read on the results pages and exports.

Responses are read-only in the admin and never show answers (anonymous surveys must not
tie answers to institutions anywhere).
"""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from portal.html import links

from . import services, tasks
from .builder import Pickers, QuestionForm, SectionFormSet
from .models import (
    BankQuestion,
    Choice,
    Option,
    OtherAnswer,
    Question,
    Response,
    Section,
    Survey,
)


class SectionInline(admin.TabularInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ["order", "title", "description"]


def _survey_id(request) -> int | None:
    object_id = request.resolver_match.kwargs.get("object_id")
    return int(object_id) if object_id and object_id.isdigit() else None


class ScopedPickers:
    """The question form's pickers limited to one survey's sections, questions, options and
    classes (`builder.Pickers`): on the survey's page and on a question's own page."""

    def picker_survey_id(self, request) -> int | None:
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        empty = _("(the first section)") if db_field.name == "section" else None
        pickers = Pickers.of(request, self.picker_survey_id(request))
        return pickers.limit(db_field.name, field, empty)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "classes":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        elif db_field.name == "condition_options":
            kwargs["widget"] = forms.SelectMultiple(attrs={"size": 6})
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return Pickers.of(request, self.picker_survey_id(request)).limit(db_field.name, field)


class QuestionInline(ScopedPickers, admin.StackedInline):
    """Each question in full on the survey's page: its options as lines of text, its class
    limits and its condition, with pickers of this survey only."""

    model = Question
    form = QuestionForm
    fieldsets = [
        (
            None,
            {"fields": [("section", "order", "code"), "text", ("kind", "required"), "options"]},
        ),
        (_("Who is asked"), {"fields": ["classes", "condition_question", "condition_options"]}),
        (
            _("Help text, limits and question bank"),
            {
                "classes": ["collapse"],
                "fields": ["help_text", ("max_choices", "minimum", "maximum", "unit"), "bank"],
            },
        ),
    ]

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.pk else 1  # a new survey: its first question

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("section")
            .prefetch_related("options", "classes", "condition_options")
        )

    def picker_survey_id(self, request) -> int | None:
        return _survey_id(request)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_at", "closes_at", "anonymous", "results_published_at", "pages"]
    search_fields = ["title"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, QuestionInline):
            kwargs["form_kwargs"] = {"asked_classes": self._asked_classes(request, obj)}
        return kwargs

    def _asked_classes(self, request, survey) -> set[int] | None:
        """The classes a question may be limited to: those the survey asks, as posted with
        the questions (the survey may change them in the same save)."""
        if request.method == "POST":
            return {int(v) for v in request.POST.getlist("classes") if v.isdigit()}
        return None

    def save_related(self, request, form, formsets, change):
        """Sections first, then the survey's first section if it has none (a new survey),
        then the questions: one left without a section goes into the first."""
        form.save_m2m()
        for formset in formsets:
            if formset.model is Question:
                section = services.ensure_section(form.instance)
                for question_form in formset.forms:
                    if question_form.instance.section_id is None:
                        question_form.instance.section = section
            self.save_formset(request, form, formset, change=change)
        services.ensure_section(form.instance)

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


@admin.register(Question)
class QuestionAdmin(ScopedPickers, admin.ModelAdmin):
    """Questions across surveys, to find one; each is built on its survey's page (new ones
    too, so that its pickers know the survey), or here with the same form."""

    form = QuestionForm
    list_display = ["code", "text", "kind", "survey", "section", "required"]
    list_filter = ["survey", "kind"]
    search_fields = ["code", "text"]
    list_select_related = ["survey", "section"]
    fieldsets = QuestionInline.fieldsets
    readonly_fields = ["survey_link"]

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": ["survey_link"]}), *self.fieldsets]

    @admin.display(description=_("survey"))
    def survey_link(self, obj):
        return links((reverse("admin:surveys_survey_change", args=[obj.survey_id]), obj.survey))

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options", "classes")

    def picker_survey_id(self, request) -> int | None:
        """The survey of the question being edited, read once per request."""
        if not hasattr(request, "_survey_question"):
            object_id = _survey_id(request)
            request._survey_question = (
                Question.objects.filter(pk=object_id).values_list("survey_id", flat=True).first()
                if object_id
                else None
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


SURVEY_FILTER = "answer__response__survey__id__exact"


class QuestionOfSurveyFilter(admin.SimpleListFilter):
    """The questions with an "other" option of the survey chosen first: not every survey's
    questions, whose codes repeat from year to year."""

    title = pgettext_lazy("survey", "question")
    parameter_name = "answer__question__id__exact"

    def lookups(self, request, model_admin):
        survey = request.GET.get(SURVEY_FILTER, "")
        if not survey.isdigit():
            return []
        questions = Question.objects.filter(survey_id=survey, options__is_other=True)
        return [(q.pk, str(q)) for q in questions.distinct()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(answer__question_id=value)
        return queryset


@admin.register(OtherAnswer)
class OtherAnswerAdmin(admin.ModelAdmin):
    """ "Other" descriptions, which the secretariat may count as one of the options."""

    list_display = ["other_text", "question", "recoded_to"]
    list_filter = ["answer__response__survey", QuestionOfSurveyFilter]
    search_fields = ["other_text"]
    readonly_fields = ["question", "other_text"]
    fields = ["question", "other_text", "recoded_to"]

    def lookup_allowed(self, lookup, value, request=None):
        """Only the filters offered: a lookup by response would tie descriptions to one
        institution, which anonymous surveys must never allow."""
        return lookup in {SURVEY_FILTER, QuestionOfSurveyFilter.parameter_name}

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
