"""The secretariat's side of the award: editions, entries, judging and decisions.

Judging actions go through awards/judging.py and awards/decisions.py (which audit them);
the admin never writes scores or decisions itself.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from portal.admin import NormalisedFieldsAdmin, ReadOnlyAdmin
from portal.html import links as _links
from portal.prefectures import PREFECTURES
from portal.tabular import Rejected

from . import archive_import, conflicts, decisions, defaults, judging, services
from .forms import ReviewForm
from .models import (
    Assignment,
    Attachment,
    AuditEvent,
    Conflict,
    Criterion,
    Decision,
    Edition,
    EligibilityQuestion,
    Entry,
    Judge,
    Nomination,
    Notification,
    Prize,
    Round,
    Track,
    TrackSection,
)


def scope_to_edition(field, edition_id) -> None:
    """A picker of an edition's rows (prizes, tracks): the edition's only when it is known,
    else every edition's, each labelled with its year, as the same names recur each year."""
    if field is None:
        return
    if edition_id:
        field.queryset = field.queryset.filter(edition=edition_id)
        return
    field.queryset = field.queryset.select_related("edition").order_by(
        "-edition__year", "order", "pk"
    )
    field.label_from_instance = lambda obj: f"{obj} ({obj.edition.year})"


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    fields = ["kind", "name", "title_label", "order", "sections"]
    readonly_fields = ["sections"]
    show_change_link = True

    @admin.display(description=_("form sections"))
    def sections(self, obj):
        return obj.sections.count() if obj.pk else "—"


class PrizeInline(admin.TabularInline):
    model = Prize
    extra = 0
    fields = ["name", "winners", "viewpoint", "order"]


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    fields = ["name", "order", "opens_at", "closes_at", "scores_released"]
    readonly_fields = ["scores_released"]
    show_change_link = True


class JudgeInline(admin.TabularInline):
    model = Judge
    extra = 0
    fields = ["user", "is_chair", "affiliation", "organisation", "prefecture"]
    raw_id_fields = ["user", "organisation"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "phase_display", "entry_deadline", "announced_at", "tools"]
    inlines = [TrackInline, PrizeInline, RoundInline, JudgeInline]
    actions = ["copy_to_next_year", "close_call", "announce", "prepare_notifications"]
    change_list_template = "admin/awards/edition/change_list.html"

    @admin.display(description=_("phase"))
    def phase_display(self, obj):
        return obj.phase().label

    @admin.display(description=_("judging"))
    def tools(self, obj):
        return _links(
            (reverse("admin:awards_edition_conflicts", args=[obj.pk]), _("conflict matrix")),
            (
                reverse("admin:awards_entry_changelist") + f"?edition__id__exact={obj.pk}",
                _("entries"),
            ),
            (
                reverse("admin:awards_auditevent_changelist") + f"?edition__id__exact={obj.pk}",
                _("audit"),
            ),
        )

    def save_formset(self, request, form, formset, change):
        """Judges entered here go through awards.judging, as on their own admin page."""
        if formset.model is not Judge:
            return super().save_formset(request, form, formset, change)
        for judge in formset.save(commit=False):
            report_access(self, request, judging.save_judge(judge, request.user))
        for judge in formset.deleted_objects:
            report_access(self, request, judging.remove_judge(judge, request.user))

    @admin.action(description=_("Copy to next year (tracks, prizes, rounds and criteria)"))
    def copy_to_next_year(self, request, queryset):
        for edition in queryset:
            if Edition.objects.filter(year=edition.year + 1).exists():
                self.message_user(
                    request,
                    _("There is an edition for %(year)d already.") % {"year": edition.year + 1},
                    messages.WARNING,
                )
                continue
            copy = defaults.copy_edition(edition, edition.year + 1)
            self.message_user(
                request, _("%(edition)s is created; check its dates.") % {"edition": copy}
            )

    @admin.action(description=_("Close the call for entries now"))
    def close_call(self, request, queryset):
        for edition in queryset:
            services.close_call(edition.pk, request.user)
        self.message_user(request, _("The call is closed."), messages.SUCCESS)

    @admin.action(description=_("Announce the results now"))
    def announce(self, request, queryset):
        done = sum(decisions.announce(edition.pk, request.user) for edition in queryset)
        if done:
            self.message_user(request, _("The results are announced."), messages.SUCCESS)
        else:
            self.message_user(
                request,
                _("Nothing to announce: the entry deadline has not passed, or it is announced."),
                messages.WARNING,
            )

    @admin.action(description=_("Draft the result notifications"))
    def prepare_notifications(self, request, queryset):
        for edition in queryset:
            decisions.prepare_notifications(edition)
        return redirect("admin:awards_notification_changelist")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/conflicts/", view(self.conflicts_view), name="awards_edition_conflicts"
            ),
            path("import/", view(self.import_view), name="awards_edition_import"),
            *super().get_urls(),
        ]

    def conflicts_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        edition = get_object_or_404(Edition, pk=pk)
        judges, entries, cells = conflicts.matrix(edition)
        rows = [
            (entry, [cells.get((judge.pk, entry.pk), []) for judge in judges]) for entry in entries
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Conflicts of interest: %(edition)s") % {"edition": edition},
            "opts": self.model._meta,
            "edition": edition,
            "judges": judges,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/awards/edition/conflicts.html", context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                added = archive_import.import_winners(upload.read(), upload.name)
            except Rejected as rejected:
                problems = rejected.problems
            else:
                self.message_user(
                    request,
                    _("%(count)d winners added to the archive.") % {"count": added},
                    messages.SUCCESS,
                )
                return redirect("admin:awards_edition_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import past winners"),
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "headers": archive_import.HEADERS,
        }
        return TemplateResponse(request, "admin/awards/edition/import.html", context)


class TrackSectionInline(admin.TabularInline):
    model = TrackSection
    extra = 0
    fields = ["key", "label", "help_text", "max_length", "required", "order"]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "kind"]
    list_filter = ["edition"]
    inlines = [TrackSectionInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["name", "weight", "scale_min", "scale_max", "prize", "description", "order"]

    def get_formset(self, request, obj=None, **kwargs):
        """A criterion's prize is one of its round's edition."""
        formset = super().get_formset(request, obj, **kwargs)
        scope_to_edition(formset.form.base_fields.get("prize"), obj.edition_id if obj else None)
        return formset


class AssignForm(forms.Form):
    judges = forms.ModelMultipleChoiceField(
        label=_("Judges"), queryset=Judge.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    tracks = forms.ModelMultipleChoiceField(
        label=_("Tracks (all if none)"),
        queryset=Track.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prefectures = forms.TypedMultipleChoiceField(
        label=_("Prefectures (all if none)"), choices=PREFECTURES, coerce=int, required=False
    )

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judges"].queryset = round.edition.judges.select_related("user")
        self.fields["tracks"].queryset = round.edition.tracks.all()

    def entries(self, round):
        entries = round.edition.entries.all()
        if self.cleaned_data["tracks"]:
            entries = entries.filter(track__in=self.cleaned_data["tracks"])
        if self.cleaned_data["prefectures"]:
            entries = entries.filter(prefecture__in=self.cleaned_data["prefectures"])
        return entries


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "opens_at", "closes_at", "scores_released", "tools"]
    list_filter = ["edition"]
    readonly_fields = ["scores_released"]
    inlines = [CriterionInline]
    actions = ["open_now", "close_now", "release"]

    @admin.display(description=_("judging"))
    def tools(self, obj):
        return _links(
            (reverse("admin:awards_round_assign", args=[obj.pk]), _("assignment and load")),
            (reverse("awards:results", args=[obj.pk]), _("results")),
            (reverse("awards:results", args=[obj.pk]) + "?meeting=1", _("meeting mode")),
        )

    def _each(self, request, queryset, act, done_message):
        done = sum(act(round.pk, request.user) for round in queryset)
        self.message_user(
            request,
            done_message if done else _("Nothing changed."),
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("Open the round now"))
    def open_now(self, request, queryset):
        self._each(request, queryset, judging.open_round, _("The round is open."))

    @admin.action(description=_("Close the round now"))
    def close_now(self, request, queryset):
        self._each(request, queryset, judging.close_round, _("The round is closed."))

    @admin.action(description=_("Show the judges one another's scores"))
    def release(self, request, queryset):
        self._each(request, queryset, judging.release_scores, _("The scores are shown."))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/assign/", view(self.assign_view), name="awards_round_assign"),
            *super().get_urls(),
        ]

    def assign_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        round = get_object_or_404(Round.objects.select_related("edition"), pk=pk)
        form = AssignForm(request.POST or None, round=round)
        if request.method == "POST" and form.is_valid():
            made, skipped = judging.assign(
                round, form.cleaned_data["judges"], form.entries(round), request.user
            )
            self.message_user(
                request,
                _("%(made)d assignments made; %(skipped)d skipped for conflicts of interest.")
                % {"made": made, "skipped": skipped},
                messages.SUCCESS,
            )
            return redirect("admin:awards_round_assign", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assignment: %(round)s") % {"round": round},
            "opts": self.model._meta,
            "round": round,
            "form": form,
            "load": judging.load(round),
        }
        return TemplateResponse(request, "admin/awards/round/assign.html", context)


class NominationInline(admin.TabularInline):
    model = Nomination
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "nominator",
        "nominator_organisation",
        "reason",
        "nominee_email",
        "created_at",
        "consented_at",
        "declined_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = readonly_fields = ["download", "content_type", "size", "uploaded_at"]

    @admin.display(description=_("file"))
    def download(self, obj):
        return _links((reverse("awards:attachment", args=[obj.pk]), obj.name))

    def has_add_permission(self, request, obj=None):
        return False


class QuestionInline(admin.StackedInline):
    """The secretariat answers eligibility questions here; the applicant is told by mail."""

    model = EligibilityQuestion
    extra = 0
    can_delete = False
    fields = ["question", "asked_by", "asked_at", "answer", "answered_by", "answered_at"]
    readonly_fields = ["question", "asked_by", "asked_at", "answered_by", "answered_at"]

    def has_add_permission(self, request, obj=None):
        return False


class SameEditionForm(forms.ModelForm):
    """Refuses a row that pairs two editions: `same_edition` is (a field, another field
    whose value must be of the first one's edition, the message for that other field)."""

    same_edition: tuple = ()

    def clean(self):
        data = super().clean()
        field, other, message = self.same_edition
        first, second = data.get(field), data.get(other)
        if first and second and _edition_of(first) != _edition_of(second):
            self.add_error(other, message)
        return data


def _edition_of(row) -> int:
    return row.pk if isinstance(row, Edition) else row.edition_id


class EntryAdminForm(SameEditionForm):
    same_edition = ("edition", "track", _("Choose a track of the entry's edition."))


@admin.register(Entry)
class EntryAdmin(NormalisedFieldsAdmin, admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "track",
        "status",
        "nomination",
        "organisation_name",
        "prefecture",
        "submitted_at",
    ]
    list_filter = ["edition", "track__kind", "status", "nomination"]
    list_select_related = ["edition", "track"]
    search_fields = ["title", "organisation_name", "keywords"]
    raw_id_fields = ["owner", "organisation", "merged_into"]
    filter_horizontal = ["co_applicant_organisations"]
    readonly_fields = ["status", "submitted_at", "merged_into", "created_at", "updated_at"]
    inlines = [NominationInline, AttachmentInline, QuestionInline]
    actions = ["merge"]
    form = EntryAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        scope_to_edition(form.base_fields.get("track"), obj.edition_id if obj else None)
        return form

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "decide"] if obj else self.readonly_fields

    @admin.display(description=_("decisions"))
    def decide(self, obj):
        return _links(
            (
                reverse("admin:awards_decision_add") + f"?entry={obj.pk}",
                _("record a prize for this entry"),
            )
        )

    @admin.display(description=_("Reference"), ordering="pk")
    def reference(self, obj):
        return obj.reference

    def save_formset(self, request, form, formset, change):
        if formset.model is not EligibilityQuestion:
            return super().save_formset(request, form, formset, change)
        for question in formset.save(commit=False):
            if question.answer:
                services.answer_eligibility(question.pk, question.answer, request.user)

    @admin.action(description=_("Merge the two selected entries (into the older one)"))
    def merge(self, request, queryset):
        entries = list(queryset.order_by("pk")[:3])
        if len(entries) != 2:
            self.message_user(request, _("Select exactly two entries to merge."), messages.ERROR)
            return
        keep, duplicate = entries
        try:
            services.merge_entries(keep.pk, duplicate.pk, request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(duplicate)s is merged into %(keep)s.")
                % {"duplicate": duplicate.reference, "keep": keep.reference},
                messages.SUCCESS,
            )


def report_access(model_admin, request, access: judging.JudgeAccess) -> None:
    """Say what adding, changing or removing a judge did to who may open the judging pages."""
    judge = access.judge
    said = [
        (
            access.granted,
            judge.user,
            messages.SUCCESS,
            _(
                "%(person)s is a judge of %(edition)s and can now open the judging pages "
                "(%(url)s): they were added to the judges group."
            ),
        ),
        (
            access.added and not access.granted,
            judge.user,
            messages.INFO,
            _(
                "%(person)s is a judge of %(edition)s; they could open the judging pages "
                "(%(url)s) already."
            ),
        ),
        (
            access.withdrawn_from is not None,
            access.withdrawn_from,
            messages.SUCCESS,
            _(
                "%(person)s judges no edition any more: they were removed from the judges "
                "group and can no longer open the judging pages."
            ),
        ),
        (
            access.kept_by is not None,
            access.kept_by,
            messages.INFO,
            _(
                "%(person)s is no longer a judge of %(edition)s; they keep the judging pages "
                "as a judge of another edition."
            ),
        ),
    ]
    for applies, user, level, text in said:
        if applies:
            names = {
                "person": judging.person(user),
                "edition": judge.edition,
                "url": reverse("awards:judging"),
            }
            model_admin.message_user(request, text % names, level)


@admin.register(Judge)
class JudgeAdmin(admin.ModelAdmin):
    """Judges are added and removed through awards.judging (save_judge, remove_judge), which
    open or close the judging pages to them; the admin says what it did."""

    list_display = ["user", "edition", "is_chair", "affiliation", "prefecture"]
    list_filter = ["edition", "is_chair"]
    list_select_related = ["user", "edition"]
    raw_id_fields = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        report_access(self, request, judging.save_judge(obj, request.user))

    def delete_model(self, request, obj):
        report_access(self, request, judging.remove_judge(obj, request.user))

    def delete_queryset(self, request, queryset):
        for judge in queryset.select_related("user", "edition"):
            report_access(self, request, judging.remove_judge(judge, request.user))


class CorrectionForm(ReviewForm):
    reason = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2})
    )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Reviews are written by judges; the secretariat corrects one through its own page,
    with a reason, which is audited."""

    list_display = ["entry", "judge", "round", "scored_at", "correct"]
    list_filter = ["round", ("scored_at", admin.EmptyFieldListFilter)]
    list_select_related = ["entry__edition", "judge__user", "round__edition"]
    search_fields = ["entry__title"]
    fields = readonly_fields = ["round", "judge", "entry", "comment", "scored_at"]

    @admin.display(description=_("scores"))
    def correct(self, obj):
        return _links((reverse("admin:awards_assignment_correct", args=[obj.pk]), _("correct")))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/correct/", view(self.correct_view), name="awards_assignment_correct"),
            *super().get_urls(),
        ]

    def correct_view(self, request, pk):
        if not request.user.has_perm("awards.change_score"):
            raise PermissionDenied
        assignment = get_object_or_404(
            Assignment.objects.select_related("round", "judge__user", "entry").prefetch_related(
                "scores"
            ),
            pk=pk,
        )
        criteria = assignment.round.criteria.select_related("prize")
        form = CorrectionForm(request.POST or None, criteria=criteria, assignment=assignment)
        if request.method == "POST" and form.is_valid():
            try:
                judging.correct_review(
                    assignment.pk,
                    form.values(),
                    form.cleaned_data["comment"],
                    form.cleaned_data["reason"],
                    request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("The scores are corrected."), messages.SUCCESS)
                return redirect("admin:awards_assignment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Correct the scores of %(judge)s for %(entry)s")
            % {"judge": assignment.judge, "entry": assignment.entry},
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/awards/assignment/correct.html", context)


class ConflictAdminForm(SameEditionForm):
    same_edition = ("judge", "entry", _("Choose an entry of the judge's edition."))


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    form = ConflictAdminForm
    list_display = ["judge", "entry", "kind", "declared_at"]
    list_filter = ["judge__edition", "kind"]
    list_select_related = ["judge__user", "entry__edition"]
    raw_id_fields = ["judge", "entry"]


class DecisionForm(forms.ModelForm):
    """The prizes offered are the entry's edition's once the entry is known (the entry's
    admin page links here with it; a posted entry counts too)."""

    class Meta:
        model = Decision
        fields = ["prize", "entry", "reason", "comment", "override_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry_id = self.data.get("entry") or self.initial.get("entry")
        edition_id = None
        if str(entry_id or "").isdigit():
            edition_id = (
                Entry.objects.filter(pk=entry_id).values_list("edition_id", flat=True).first()
            )
        scope_to_edition(self.fields.get("prize"), edition_id)

    def clean(self):
        data = super().clean()
        if data.get("prize") and data.get("entry"):
            try:
                decisions.check_decision(
                    data["prize"],
                    data["entry"],
                    reason=data.get("reason", ""),
                    override=data.get("override_reason", ""),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Winners per prize with the committee's reason; hidden until the announcement."""

    form = DecisionForm
    list_display = ["prize", "entry", "edition", "decider", "decided_at"]
    list_filter = ["edition", "prize__name"]
    list_select_related = ["prize", "entry__edition", "edition", "decided_by"]
    raw_id_fields = ["entry"]

    # The column of the model field would read "decided by": its verbose name is untranslated.
    @admin.display(description=_("decided by"), ordering="decided_by")
    def decider(self, obj):
        return obj.decided_by

    def get_readonly_fields(self, request, obj=None):
        return ["prize", "entry"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = decisions.decide(
            form.cleaned_data.get("prize") or obj.prize,
            form.cleaned_data.get("entry") or obj.entry,
            request.user,
            reason=obj.reason,
            comment=obj.comment,
            override=obj.override_reason,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        decisions.revoke(obj, request.user)

    def delete_queryset(self, request, queryset):
        for decision in queryset.select_related("prize", "entry"):
            decisions.revoke(decision, request.user)


class NotificationForm(forms.ModelForm):
    class Meta:
        model = Notification
        fields = ["subject", "body"]

    def clean_body(self):
        decisions.check_placeholders(self.cleaned_data["body"])
        return self.cleaned_data["body"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Draft texts: checked, then sent with the action (once per text)."""

    form = NotificationForm
    list_display = ["edition", "outcome", "subject", "recipients", "progress"]
    list_select_related = ["edition"]
    actions = ["send"]

    def get_readonly_fields(self, request, obj=None):
        return ["subject", "body"] if obj and obj.mailing_id else []

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return len(decisions.recipients(obj))

    @admin.display(description=_("sending"))
    def progress(self, obj):
        if not obj.mailing_id:
            return _("not sent")
        return _links(
            (reverse("admin:outbox_mailing_change", args=[obj.mailing_id]), _("progress"))
        )

    @admin.action(description=_("Send the selected notifications"))
    def send(self, request, queryset):
        for notification in queryset:
            try:
                count = decisions.send_notification(notification.pk, request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(notification)s: %(count)d messages queued.")
                    % {"notification": notification, "count": count},
                    messages.SUCCESS,
                )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "entry", "round", "detail"]
    list_filter = ["edition", "action"]
    list_select_related = ["actor", "entry__edition", "round__edition"]
    search_fields = ["entry__title", "actor__email"]
