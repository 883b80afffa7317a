from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.permissions import can, require
from portal.exports import excel_response
from portal.pagination import paginate

from . import judging, results, selectors, services
from .forms import (
    AttachmentForm,
    ConflictForm,
    EntryForm,
    NominationForm,
    QuestionForm,
    ReviewForm,
    WinnersFilterForm,
)
from .models import Attachment, Nomination, Round, Track


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require("awards.view")
def index(request):
    edition = selectors.current_edition()
    context = {"edition": edition}
    if edition is not None:
        context.update(
            tracks=edition.tracks.all(),
            prizes=edition.prizes.all(),
            phase=edition.phase(),
            accepts_nominations=edition.accepts_nominations(),
        )
    if request.user.is_authenticated:
        context["entries"] = selectors.entries_of(request.user)
        context["judgeships"] = selectors.judgeships(request.user)
    return render(request, "awards/index.html", context)


# --- Applicants ---------------------------------------------------------------------


@require_POST
@require("awards.apply")
def entry_new(request, track_id):
    track = get_object_or_404(Track.objects.select_related("edition"), pk=track_id)
    try:
        entry = services.start_entry(track, request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("awards:index")
    return redirect("awards:entry", entry.pk)


def _entry_page(request, entry, form, *, question_form=None):
    return render(
        request,
        "awards/entry.html",
        {
            "entry": entry,
            "form": form,
            "open_for_changes": _open_for_changes(entry),
            "attachment_form": AttachmentForm(),
            "question_form": question_form or QuestionForm(),
            "decisions": selectors.announced_decisions(entry),
            "attachment_limit": settings.AWARD_ATTACHMENTS_PER_ENTRY,
        },
    )


def _open_for_changes(entry) -> bool:
    return entry.edition.accepts_entries() and entry.editable


def _save_typing(request, entry) -> tuple[bool, EntryForm | None]:
    """Before a button of the entry page's one form acts (attach, remove, ask, withdraw),
    the draft it holds is saved, so that nothing typed is lost. Returns (saved, the form
    with its errors when the typing cannot be saved: the caller shows it and acts not)."""
    if ENTRY_FORM not in request.POST or not _open_for_changes(entry):
        return False, None
    form = EntryForm(request.POST, instance=entry)
    if not form.has_changed():
        return False, None
    if form.is_valid():
        try:
            services.save_entry(entry.pk, form.entry_data(), form.section_data(), request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return True, None
    return False, form


# A hidden field of the entry page's form: a post that carries it carries the typed draft.
ENTRY_FORM = "entry_form"


def _unsaved(request, entry, form, what: str):
    messages.error(
        request,
        _("%(what)s Correct the form below first: the draft could not be saved.") % {"what": what},
    )
    return _entry_page(request, entry, form)


@require("awards.apply")
def entry(request, pk):
    entry = selectors.own_entry(request.user, pk)
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and _open_for_changes(entry) and form.is_valid():
        try:
            services.save_entry(entry.pk, form.entry_data(), form.section_data(), request.user)
            if "submit" in request.POST:
                services.submit_entry(entry.pk, request.user)
                messages.success(
                    request, _("The entry is submitted; a confirmation is on its way by email.")
                )
            else:
                messages.success(request, _("The entry is saved."))
            if request.POST.get("question", "").strip():
                # A question typed but not sent stays on the page, not lost by the save.
                messages.warning(
                    request, _("Your question is not sent yet: press “Send the question”.")
                )
                entry = selectors.own_entry(request.user, pk)
                return _entry_page(
                    request,
                    entry,
                    EntryForm(instance=entry),
                    question_form=QuestionForm(request.POST),
                )
            return redirect("awards:entry", entry.pk)
        except ValidationError as error:
            _add_errors(form, error)
    return _entry_page(request, entry, form)


@require_POST
@require("awards.apply")
def entry_attach(request, pk):
    """Attach a file, after saving what the entry's form holds (the button is in it)."""
    entry = selectors.own_entry(request.user, pk)
    saved, unsaved = _save_typing(request, entry)
    if unsaved is not None:
        return _unsaved(request, entry, unsaved, _("The file is not attached."))
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                entry.pk,
                form.cleaned_data["file"],
                request.user,
                settings.AWARD_ATTACHMENTS_PER_ENTRY,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is attached.") % {"name": attachment.name})
    else:
        messages.error(request, " ".join(form.errors["file"]))
    if saved:
        messages.success(request, _("The entry is saved."))
    return redirect("awards:entry", entry.pk)


def _ask_first(request, entry, *, not_done: str, **page):
    """The step before what cannot be undone. None when the post confirms it (the caller
    acts); else a response: the entry page's button (a post with the typed draft) saves the
    draft and comes back by GET, which shows the page asking (`page`: title, text, button,
    cancel_url; its form posts `confirm`)."""
    if request.method == "POST" and "confirm" in request.POST:
        return None
    if request.method == "POST":
        _saved, unsaved = _save_typing(request, entry)
        if unsaved is not None:
            return _unsaved(request, entry, unsaved, not_done)
        return redirect(request.path)
    return render(request, "awards/confirm.html", page)


@require("awards.apply")
def attachment_remove(request, pk):
    """Asks first, naming the file; only the confirmed post removes it."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("entry"), pk=pk, entry__owner=request.user
    )
    entry = selectors.own_entry(request.user, attachment.entry_id)
    entry_url = reverse("awards:entry", args=[entry.pk])
    asking = _ask_first(
        request,
        entry,
        not_done=_("Nothing is removed."),
        title=_("Remove %(name)s?") % {"name": attachment.name},
        text=_("The file is removed from the entry %(entry)s. This cannot be undone.")
        % {"entry": entry},
        button=_("Remove the file"),
        cancel_url=entry_url,
    )
    if asking is not None:
        return asking
    try:
        services.remove_attachment(attachment, request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": attachment.name})
    return redirect(entry_url)


@require("awards.apply")
def attachment_download(request, pk):
    attachment = selectors.attachment_for(
        request.user, pk, every_entry=can(request.roles, "awards.view_all_entries")
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@require_POST
@require("awards.apply")
def entry_question(request, pk):
    """Send a question, after saving what the entry's form holds (the button is in it)."""
    entry = selectors.own_entry(request.user, pk)
    saved, unsaved = _save_typing(request, entry)
    if unsaved is not None:
        return _unsaved(request, entry, unsaved, _("The question is not sent."))
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.ask_eligibility(entry.pk, form.cleaned_data["question"], request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your question is sent to the secretariat."))
    else:
        messages.error(request, " ".join(form.errors["question"]))
    if saved:
        messages.success(request, _("The entry is saved."))
    return redirect("awards:entry", entry.pk)


@require("awards.apply")
def entry_withdraw(request, pk):
    """Asks first, as a withdrawn entry cannot be changed again."""
    entry = selectors.own_entry(request.user, pk)
    asking = _ask_first(
        request,
        entry,
        not_done=_("The entry is not withdrawn."),
        title=_("Withdraw %(entry)s?") % {"entry": entry},
        text=_(
            "A withdrawn entry is not judged and can no longer be changed or submitted "
            "again. This cannot be undone."
        ),
        button=_("Withdraw the entry"),
        cancel_url=reverse("awards:entry", args=[pk]),
    )
    if asking is not None:
        return asking
    try:
        services.withdraw_entry(entry.pk, request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("awards:entry", entry.pk)
    messages.success(request, _("The entry is withdrawn."))
    return redirect("awards:index")


@require("awards.apply")
def nominate(request):
    edition = selectors.current_edition()
    if edition is None or not edition.accepts_nominations():
        messages.error(request, _("Third-party nominations are closed."))
        return redirect("awards:index")
    form = NominationForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nominate(
                form.cleaned_data["track"],
                request.user,
                form.entry_fields(),
                form.nomination_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. %(email)s is asked by email to agree to the nomination.")
                % {"email": nomination.nominee_email},
            )
            return redirect("awards:index")
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Nominate a programme or person"),
            "intro": _(
                "Nominations of another organisation's programme or person close on "
                "%(deadline)s. The nominee completes the entry after agreeing."
            )
            % {"deadline": date_format(localtime(edition.nomination_deadline), "DATETIME_FORMAT")},
            "cancel_url": reverse("awards:index"),
        },
    )


@require("awards.apply")
def consent(request, token):
    nomination = get_object_or_404(
        Nomination.objects.select_related("entry__edition", "entry__track", "nominator"),
        token=token,
    )
    if request.method == "POST":
        try:
            if "decline" in request.POST:
                services.decline(token, request.user)
                messages.success(request, _("You declined the nomination."))
                return redirect("awards:index")
            entry = services.consent(token, request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("awards:index")
        messages.success(request, _("Thank you for agreeing. Please complete the entry."))
        return redirect("awards:entry", entry.pk)
    return render(request, "awards/consent.html", {"nomination": nomination})


# --- Judges ---------------------------------------------------------------------------


@require("awards.judge")
def workspace(request):
    worklists = [
        (round, selectors.judge_worklist(judge, round))
        for judge in selectors.judgeships(request.user)
        for round in selectors.open_rounds_for(request.user).filter(edition=judge.edition_id)
    ]
    return render(request, "awards/judging.html", {"worklists": worklists})


@require("awards.judge")
def review(request, round_id, entry_id):
    assignment = selectors.judge_assignment(request.user, round_id, entry_id)
    criteria = assignment.round.criteria.select_related("prize")
    form = ReviewForm(request.POST or None, criteria=criteria, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        draft = "draft" in request.POST
        try:
            judging.save_review(
                assignment.pk,
                form.values(),
                form.cleaned_data["comment"],
                request.user,
                draft=draft,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if draft:
                messages.success(
                    request,
                    _(
                        "Your draft is saved. It counts as a review once every criterion "
                        "is scored."
                    ),
                )
                return redirect("awards:review", round_id, entry_id)
            messages.success(request, _("Your scores are saved."))
            return redirect("awards:judging")
    return render(
        request,
        "awards/review.html",
        {
            "assignment": assignment,
            "entry": assignment.entry,
            "form": form,
            "conflict_form": ConflictForm(),
            "others": selectors.other_scores(assignment),
        },
    )


@require_POST
@require("awards.judge")
def declare_conflict(request, round_id, entry_id):
    assignment = selectors.judge_assignment(request.user, round_id, entry_id)
    form = ConflictForm(request.POST)
    if form.is_valid():
        judging.declare_conflict(
            assignment.judge,
            assignment.entry,
            form.cleaned_data["kind"],
            form.cleaned_data["note"],
            request.user,
        )
        messages.success(
            request, _("The conflict is recorded; the entry is no longer in your list.")
        )
    return redirect("awards:judging")


@require("awards.view_results")
def round_results(request, round_id):
    round = get_object_or_404(Round.objects.select_related("edition"), pk=round_id)
    viewer = None
    if not can(request.roles, "awards.view_all_results"):
        viewer = selectors.chair_of(request.user, round.edition_id)
        if viewer is None:
            raise Http404
    ranked = results.round_results(round, viewer=viewer)
    judges = list(round.edition.judges.select_related("user"))
    fits = list(results.fit_criteria(round))
    sort = request.GET.get("sort", "rank")
    if request.GET.get("export") == "xlsx":
        return excel_response(ranked, results.export_columns(judges, fits), f"results-{round.pk}")
    return render(
        request,
        "awards/results.html",
        {
            "round": round,
            "results": results.table(ranked, sort, judges, fits),
            "sort_columns": results.SORT_COLUMNS,
            "judges": judges,
            "fits": fits,
            "meeting": request.GET.get("meeting") == "1",
            "sort": sort,
        },
    )


# --- Winners archive ------------------------------------------------------------------


@require("awards.view")
def winners(request):
    form = WinnersFilterForm(
        request.GET or None,
        years=[edition.year for edition in selectors.announced_editions()],
        prizes=selectors.prize_names(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    decisions = selectors.winners(
        query=filters.get("q", ""),
        year=filters.get("year"),
        prize=filters.get("prize", ""),
        track=filters.get("track", ""),
        prefecture=filters.get("prefecture"),
    )
    return render(
        request, "awards/winners.html", {"form": form, **paginate(request, decisions, 20)}
    )


@require("awards.view")
def winner(request, pk):
    return render(request, "awards/winner.html", {"decision": selectors.winner(pk)})
