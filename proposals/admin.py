"""The secretariat's side of regional issues: calls, themes and ministries are edited here;
submissions and endorsements are the members' and only read here, and a comment is hidden
(or shown again) only through the moderation actions, which ask for the reason and record
it in the moderation trail (services.hide / unhide). The trail itself is read-only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import ReadOnlyAdmin
from portal.html import links

from . import compiling, selectors, services, tasks
from .models import (
    Call,
    Citation,
    DraftComment,
    Endorsement,
    ItemFollowUp,
    Ministry,
    ModerationEvent,
    Proposal,
    ProposalItem,
    ProposalVersion,
    Submission,
    SubmissionAttachment,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    list_editable = ["order"]


@admin.register(Ministry)
class MinistryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    list_editable = ["order"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "fiscal_year", "opens_at", "closes_at", "submitted"]
    list_filter = ["fiscal_year"]
    filter_horizontal = ["themes"]
    fields = [
        "fiscal_year",
        "title",
        "introduction",
        "opens_at",
        "closes_at",
        "themes",
        "eligible_classes",
    ]

    def get_queryset(self, request):
        submitted = Q(submissions__status=Submission.Status.SUBMITTED)
        return (
            super()
            .get_queryset(request)
            .annotate(submitted_count=Count("submissions", filter=submitted))
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "eligible_classes":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("Submitted issues"), ordering="submitted_count")
    def submitted(self, obj):
        return obj.submitted_count


class AttachmentInline(admin.TabularInline):
    model = SubmissionAttachment
    fields = readonly_fields = ["download", "content_type", "size", "uploaded_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("File"))
    def download(self, obj):
        return links((reverse("proposals:attachment", args=[obj.pk]), obj.name))


class EndorsementInline(admin.TabularInline):
    model = Endorsement
    fields = readonly_fields = ["organisation", "shown_comment", "created_at", "hidden_at"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    @admin.display(description=_("Comment"))
    def shown_comment(self, obj):
        return obj.comment


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: a submission is its institution's text."""

    list_display = [
        "title",
        "call",
        "organisation",
        "block",
        "theme",
        "status",
        "visibility",
        "submitted_at",
        "endorsed",
    ]
    list_filter = ["call", "status", "theme", "visibility", "organisation__block", "ministries"]
    list_select_related = ["call", "organisation__block", "theme"]
    search_fields = ["title", "organisation__name", "organisation__name_kana"]
    fields = readonly_fields = [
        "call",
        "organisation",
        "theme",
        "title",
        "background",
        "request",
        "ministry_names",
        "supporting_data",
        "visibility",
        "hide_name",
        "status",
        "created_by",
        "created_at",
        "submitted_at",
        "withdrawn_at",
    ]
    inlines = [AttachmentInline, EndorsementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(endorsement_count=Count("endorsements"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Regional block"), ordering="organisation__block")
    def block(self, obj):
        return obj.organisation.block

    @admin.display(description=_("Endorsements"), ordering="endorsement_count")
    def endorsed(self, obj):
        return obj.endorsement_count

    @admin.display(description=_("Ministries concerned"))
    def ministry_names(self, obj):
        return "、".join(str(ministry) for ministry in obj.ministries.all())


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the moderation trail; the members see only that it is hidden."),
    )


class ModeratedAdmin(admin.ModelAdmin):
    """Hide or show again the selected comments, after a page that asks for the reason."""

    actions = ["hide_comments", "show_comments"]
    moderate_template = "admin/proposals/moderate.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.display(description=_("Comment"))
    def excerpt(self, obj):
        return Truncator(getattr(obj, self.text_field)).chars(60)

    @admin.display(description=_("Hidden"), boolean=True, ordering="hidden_at")
    def hidden(self, obj):
        return obj.is_hidden

    def _moderate(self, request, queryset, *, hide: bool):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            action = services.hide if hide else services.unhide
            for row in queryset:
                try:
                    action(row, request.user, form.cleaned_data["reason"])
                except ValidationError as error:
                    self.message_user(request, f"{row}: {error.messages[0]}", messages.WARNING)
                else:
                    done += 1
            if hide:
                text = ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", done)
            else:
                text = ngettext(
                    "%(count)d comment shown again.", "%(count)d comments shown again.", done
                )
            self.message_user(request, text % {"count": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Hide the comments") if hide else _("Show the comments again"),
            "opts": self.opts,
            "form": form,
            "rows": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.moderate_template, context)

    @admin.action(description=_("Hide the comments, with a reason"), permissions=["moderate"])
    def hide_comments(self, request, queryset):
        return self._moderate(request, queryset, hide=True)

    @admin.action(
        description=_("Show the comments again, with a reason"), permissions=["moderate"]
    )
    def show_comments(self, request, queryset):
        return self._moderate(request, queryset, hide=False)


@admin.register(Endorsement)
class EndorsementAdmin(ModeratedAdmin):
    text_field = "comment"
    list_display = ["organisation", "submission", "excerpt", "created_at", "hidden"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter), "submission__call"]
    list_select_related = ["organisation", "submission"]
    search_fields = ["organisation__name", "submission__title", "comment"]
    fields = readonly_fields = [
        "submission",
        "organisation",
        "comment",
        "created_by",
        "created_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]


@admin.register(DraftComment)
class DraftCommentAdmin(ModeratedAdmin):
    text_field = "text"
    list_display = ["organisation", "item", "excerpt", "created_at", "hidden"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter), "item__proposal"]
    list_select_related = ["organisation", "item"]
    search_fields = ["organisation__name", "text"]
    fields = readonly_fields = [
        "item",
        "organisation",
        "user",
        "text",
        "created_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_name", "reason"]
    list_filter = ["action"]
    list_select_related = [
        "actor",
        "endorsement__organisation",
        "endorsement__submission",
        "comment__organisation",
        "comment__item",
    ]
    search_fields = ["reason", "actor__email"]

    @admin.display(description=_("Target"))
    def target_name(self, obj):
        return obj.target


# --- Compiling the year's proposal ------------------------------------------------------------


class ProposalItemInline(admin.StackedInline):
    model = ProposalItem
    fields = ["theme", "order", "title", "hide_submitters", "follow_up_status"]
    readonly_fields = ["follow_up_status"]
    extra = 0
    show_change_link = True


class VersionInline(admin.TabularInline):
    model = ProposalVersion
    fields = readonly_fields = ["number", "note", "created_at", "created_by", "files"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Files"))
    def files(self, obj):
        return links(
            (reverse("proposals:version_docx", args=[obj.pk]), ".docx"),
            (reverse("proposals:version_pdf", args=[obj.pk]), "PDF"),
        )


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "fiscal_year", "status", "comment_opens_at", "comment_closes_at"]
    list_filter = ["status"]
    fields = [
        "fiscal_year",
        "title",
        "front_matter",
        "status",
        "comment_opens_at",
        "comment_closes_at",
        "submitted_on",
    ]
    readonly_fields = ["submitted_on"]
    inlines = [ProposalItemInline, VersionInline]
    actions = ["make_final_version", "submit_to_the_ministries"]

    def get_readonly_fields(self, request, obj=None):
        # Final and submitted are reached through the actions (a version, the follow-up).
        return (
            [*self.readonly_fields, "status"]
            if obj is not None
            and obj.status
            in (
                Proposal.Status.FINAL,
                Proposal.Status.SUBMITTED,
            )
            else self.readonly_fields
        )

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [
                (value, label)
                for value, label in Proposal.Status.choices
                if value in (Proposal.Status.DRAFT, Proposal.Status.COMMENTING)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.action(description=_("Make the final version (.docx and PDF)"), permissions=["change"])
    def make_final_version(self, request, queryset):
        for proposal in queryset:
            if not proposal.items.exists():
                self.message_user(
                    request, f"{proposal}: {_('The proposal has no item yet.')}", messages.WARNING
                )
                continue
            proposal_id, user_id = proposal.pk, request.user.pk
            transaction.on_commit(lambda p=proposal_id, u=user_id: tasks.make_version.delay(p, u))
            self.message_user(
                request,
                _("%(proposal)s: the final version is being made; it appears below when ready.")
                % {"proposal": proposal},
                messages.SUCCESS,
            )

    @admin.action(description=_("Mark as submitted to the ministries"), permissions=["change"])
    def submit_to_the_ministries(self, request, queryset):
        for proposal in queryset:
            try:
                compiling.submit_proposal(proposal.pk, request.user)
            except ValidationError as error:
                self.message_user(request, f"{proposal}: {error.messages[0]}", messages.WARNING)
            else:
                self.message_user(
                    request, _("%(proposal)s is submitted.") % {"proposal": proposal}
                )


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ["submission", "order"]

    def clean_submission(self):
        submission = self.cleaned_data["submission"]
        if submission.status not in compiling.CITABLE:
            raise ValidationError(
                _("Only a submitted issue can be cited: %(title)s") % {"title": submission.title}
            )
        return submission


class CitationInline(admin.StackedInline):
    """The submissions an item groups (a stacked inline and a plain select: every input has
    its label), with each one's institution and block as the item cites them."""

    model = Citation
    form = CitationForm
    fields = ["submission", "order", "institution", "block", "status"]
    readonly_fields = ["institution", "block", "status"]
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "submission":
            kwargs["queryset"] = Submission.objects.filter(status__in=compiling.CITABLE).order_by(
                "-call__fiscal_year", "theme__order", "title"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("item", "submission__organisation__block")
        )

    def _cited(self, obj):
        return selectors._cited(obj, obj.item, titles_for_members=True)

    @admin.display(description=_("Organisation"))
    def institution(self, obj):
        cited = self._cited(obj)
        return _("(institution not disclosed)") if cited.hidden else cited.organisation

    @admin.display(description=_("Regional block"))
    def block(self, obj):
        cited = self._cited(obj)
        return "—" if cited.hidden else cited.block

    @admin.display(description=_("Status"))
    def status(self, obj):
        if obj.submission.is_withdrawn:
            return _("Withdrawn issue: %(title)s") % {"title": obj.submission.title}
        return obj.submission.get_status_display()


class FollowUpInline(admin.TabularInline):
    model = ItemFollowUp
    fields = readonly_fields = [
        "status",
        "ministry",
        "answer",
        "answered_on",
        "recorded_by",
        "recorded_at",
    ]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProposalItem)
class ProposalItemAdmin(admin.ModelAdmin):
    list_display = ["title", "proposal", "theme", "order", "follow_up_status", "cited"]
    list_filter = ["proposal", "theme", "follow_up_status"]
    list_select_related = ["proposal", "theme"]
    search_fields = ["title", "text"]
    fields = [
        "proposal",
        "theme",
        "order",
        "title",
        "text",
        "ministries",
        "hide_submitters",
        "endorsements",
    ]
    readonly_fields = ["endorsements"]
    inlines = [CitationInline, FollowUpInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "ministries":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=Count("citations"))

    @admin.display(description=_("Cited issues"), ordering="citation_count")
    def cited(self, obj):
        return obj.citation_count

    @admin.display(description=_("Endorsements by block"))
    def endorsements(self, obj):
        if obj.pk is None:
            return "—"
        from .exports import endorsement_line

        content = selectors.proposal_items(
            obj.proposal, members_view=True, items=ProposalItem.objects.filter(pk=obj.pk)
        )[0]
        return endorsement_line(content)


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = ItemFollowUp
        fields = ["item", "status", "ministry", "answer", "answered_on"]

    def clean(self):
        cleaned = super().clean()
        item, status = cleaned.get("item"), cleaned.get("status")
        if item is not None and status:
            problem = compiling.follow_up_problem(
                item, status, cleaned.get("answer", ""), cleaned.get("answered_on")
            )
            if problem:
                raise ValidationError(problem)
        return cleaned


@admin.register(ItemFollowUp)
class ItemFollowUpAdmin(admin.ModelAdmin):
    """The follow-up is recorded step by step (compiling.record_follow_up); a step once
    recorded is history, never edited."""

    form = FollowUpForm
    list_display = ["item", "status", "ministry", "answered_on", "recorded_by", "recorded_at"]
    list_filter = ["status", "item__proposal"]
    list_select_related = ["item", "ministry", "recorded_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            kwargs["queryset"] = ProposalItem.objects.filter(
                proposal__status=Proposal.Status.SUBMITTED
            ).select_related("proposal")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        recorded = compiling.record_follow_up(
            obj.item_id,
            request.user,
            obj.status,
            ministry=obj.ministry,
            answer=obj.answer,
            answered_on=obj.answered_on,
        )
        obj.pk = recorded.pk
