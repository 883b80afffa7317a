from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.permissions import can, require
from members.selectors import member_organisation
from portal.html import markdown_to_html
from portal.pagination import paginate
from portal.views import done

from . import compiling, selectors, services
from .forms import DraftCommentForm, EndorsementForm, SearchForm, SubmissionForm
from .models import (
    Call,
    Endorsement,
    Proposal,
    ProposalItem,
    ProposalVersion,
    Submission,
    SubmissionAttachment,
)

PER_PAGE = 30


def _visible(request, pk) -> Submission:
    try:
        return selectors.submission_for(request.roles, pk)
    except Submission.DoesNotExist:
        raise Http404 from None


def _own(request, pk) -> Submission:
    """The viewer's institution's submission (for its writes), or 404."""
    return get_object_or_404(
        Submission.objects.select_related("call", "theme"),
        pk=pk,
        organisation_id=request.roles.organisation_id,
    )


@require("proposals.view")
def index(request):
    return render(
        request,
        "proposals/index.html",
        {
            "calls": selectors.calls(request.roles),
            "proposals": selectors.visible_proposals(request.roles),
            "member": request.roles.member,
        },
    )


@require("proposals.view")
def call_detail(request, pk):
    call = get_object_or_404(Call.objects.prefetch_related("themes"), pk=pk)
    submissions = selectors.call_submissions(request.roles, call)
    may_submit = (
        can(request.roles, "proposals.submit")
        and call.is_open()
        and selectors.class_may_submit(call, request.roles.organisation_id)
    )
    return render(
        request,
        "proposals/call.html",
        {
            "call": call,
            "introduction": markdown_to_html(call.introduction),
            "may_submit": may_submit,
            "own_organisation": request.roles.organisation_id,
            **paginate(request, submissions, PER_PAGE),
        },
    )


@require("proposals.view")
def submission_detail(request, pk):
    submission = _visible(request, pk)
    roles = request.roles
    endorsements = list(submission.endorsements.all())
    own = submission.organisation_id == roles.organisation_id
    endorsed = next((e for e in endorsements if e.organisation_id == roles.organisation_id), None)
    may_endorse = (
        can(roles, "proposals.endorse")
        and submission.is_submitted
        and not own
        and endorsed is None
    )
    return render(
        request,
        "proposals/submission.html",
        {
            "submission": submission,
            "own": own,
            "editable": own and submission.is_draft and submission.call.is_open(),
            "endorsements": endorsements,
            "sees_endorsers": selectors.sees_endorsers(roles),
            "endorsed": endorsed,
            "endorse_form": EndorsementForm() if may_endorse else None,
            "blocks": selectors.sharing_blocks(submission),
        },
    )


def _check_call_open_to(request, call: Call) -> None:
    """403, saying why, unless the call is open and the viewer's institution may submit."""
    organisation = member_organisation(request.roles)
    if organisation is None:
        raise PermissionDenied(_("Only a contact of a member institution may do this."))
    problem = services.eligibility_problem(call, organisation)
    if problem:
        raise PermissionDenied(problem)


def _save(request, call, form, submission=None):
    """Save the draft (and the attachment given), then submit it if asked."""
    try:
        with transaction.atomic():
            saved = services.save_draft(
                call.pk,
                request.user,
                form.draft_data(),
                submission_id=submission.pk if submission else None,
                version=form.cleaned_data.get("version") if submission else None,
            )
            upload = form.cleaned_data.get("attachment")
            if upload:
                services.add_attachment(saved.pk, upload, request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if "submit" in request.POST:
        try:
            services.submit(saved.pk, request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("proposals:edit", saved.pk)
        messages.success(request, _("Your issue is submitted."))
        return redirect(saved.get_absolute_url())
    messages.success(request, _("The draft is saved."))
    if "add_attachment" in request.POST:
        return redirect("proposals:edit", saved.pk)
    return redirect(saved.get_absolute_url())


@require("proposals.submit")
def submission_new(request, call_pk):
    call = get_object_or_404(Call, pk=call_pk)
    _check_call_open_to(request, call)
    form = SubmissionForm(request.POST or None, request.FILES or None, call=call)
    if request.method == "POST" and form.is_valid():
        done = _save(request, call, form)
        if done is not None:
            return done
    return render(request, "proposals/submission_form.html", {"call": call, "form": form})


@require("proposals.submit")
def submission_edit(request, pk):
    submission = _own(request, pk)
    if not submission.is_draft:
        messages.error(request, _("Only a draft can be edited."))
        return redirect(submission.get_absolute_url())
    call = submission.call
    _check_call_open_to(request, call)
    form = SubmissionForm(
        request.POST or None, request.FILES or None, call=call, instance=submission
    )
    if request.method == "POST" and form.is_valid():
        done = _save(request, call, form, submission)
        if done is not None:
            return done
    return render(
        request,
        "proposals/submission_form.html",
        {
            "call": call,
            "form": form,
            "submission": submission,
            "attachments": submission.attachments.all(),
        },
    )


@require_POST
@require("proposals.submit")
def submission_submit(request, pk):
    submission = _own(request, pk)
    return done(
        request,
        services.submit,
        submission.pk,
        request.user,
        success=_("Your issue is submitted."),
        redirect_to=submission.get_absolute_url(),
    )


@require_POST
@require("proposals.submit")
def submission_withdraw(request, pk):
    submission = _own(request, pk)
    return done(
        request,
        services.withdraw,
        submission.pk,
        request.user,
        success=_("Your issue is withdrawn."),
        redirect_to=submission.get_absolute_url(),
    )


@require_POST
@require("proposals.submit")
def submission_discard(request, pk):
    submission = _own(request, pk)
    return done(
        request,
        services.discard_draft,
        submission.pk,
        request.user,
        success=_("The draft is deleted."),
        redirect_to=reverse("proposals:mine"),
    )


@require("proposals.view")
def attachment(request, pk):
    """An attachment, to whoever may see its submission; 404 to anyone else."""
    found = get_object_or_404(SubmissionAttachment, pk=pk)
    if not selectors.visible_submissions(request.roles).filter(pk=found.submission_id).exists():
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )


@require_POST
@require("proposals.submit")
def attachment_remove(request, pk):
    found = get_object_or_404(
        SubmissionAttachment, pk=pk, submission__organisation_id=request.roles.organisation_id
    )
    return done(
        request,
        services.remove_attachment,
        found.pk,
        request.user,
        success=_("%(name)s is removed.") % {"name": found.name},
        redirect_to=reverse("proposals:edit", args=[found.submission_id]),
    )


@require_POST
@require("proposals.endorse")
def endorse(request, pk):
    submission = _visible(request, pk)
    form = EndorsementForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["comment"][0])
        return redirect(submission.get_absolute_url())
    return done(
        request,
        services.endorse,
        submission.pk,
        request.user,
        form.cleaned_data["comment"],
        success=_("Your institution endorses this issue."),
        redirect_to=submission.get_absolute_url(),
    )


@require_POST
@require("proposals.endorse")
def unendorse(request, pk):
    endorsement = get_object_or_404(
        Endorsement, pk=pk, organisation_id=request.roles.organisation_id
    )
    return done(
        request,
        services.withdraw_endorsement,
        endorsement.pk,
        request.user,
        success=_("Your institution's endorsement is withdrawn."),
        redirect_to=reverse("proposals:submission", args=[endorsement.submission_id]),
    )


@require("proposals.submit")
def mine(request):
    return render(
        request,
        "proposals/mine.html",
        {
            "organisation": member_organisation(request.roles),
            **paginate(request, selectors.own_submissions(request.roles), PER_PAGE),
        },
    )


@require("proposals.view")
def search(request):
    form = SearchForm(request.GET)
    filters = form.filters()
    found = selectors.search(request.roles, **filters)
    return render(
        request,
        "proposals/search.html",
        {
            "form": form,
            "items": selectors.search_items(request.roles, **filters),
            **paginate(request, found, PER_PAGE),
        },
    )


# --- The year's proposal: pages, comments on the draft, versions, outcomes --------------------


def _proposal(request, pk) -> Proposal:
    return get_object_or_404(selectors.visible_proposals(request.roles), pk=pk)


def _item(request, pk) -> ProposalItem:
    return get_object_or_404(
        ProposalItem.objects.select_related("proposal", "theme").filter(
            proposal__in=selectors.visible_proposals(request.roles)
        ),
        pk=pk,
    )


@require("proposals.view")
def proposal_detail(request, pk):
    proposal = _proposal(request, pk)
    members_view = selectors.sees_comments(request.roles)
    contents = selectors.proposal_items(proposal, members_view=members_view)
    return render(
        request,
        "proposals/proposal.html",
        {
            "proposal": proposal,
            "front_matter": markdown_to_html(proposal.front_matter),
            "groups": selectors.by_theme(contents),
            "versions": proposal.versions.all(),
            "comments_open": proposal.comments_open(),
            "sees_comments": members_view,
        },
    )


@require("proposals.view")
def item_detail(request, pk):
    item = _item(request, pk)
    proposal = item.proposal
    roles = request.roles
    members_view = selectors.sees_comments(roles)
    content = selectors.proposal_items(
        proposal, members_view=members_view, items=ProposalItem.objects.filter(pk=item.pk)
    )[0]
    comments_open = proposal.comments_open()
    may_comment = comments_open and can(roles, "proposals.comment")
    return render(
        request,
        "proposals/item.html",
        {
            "proposal": proposal,
            "item": item,
            "content": content,
            "sees_comments": members_view,
            "comments": item.comments.select_related("organisation") if members_view else [],
            "comments_open": comments_open,
            "comment_form": DraftCommentForm() if may_comment else None,
            "follow_ups": item.follow_ups.select_related("ministry"),
            "ministries": item.ministries.all(),
        },
    )


@require_POST
@require("proposals.comment")
def comment(request, pk):
    item = _item(request, pk)
    form = DraftCommentForm(request.POST)
    redirect_to = reverse("proposals:item", args=[item.pk])
    if not form.is_valid():
        messages.error(request, form.errors["text"][0])
        return redirect(redirect_to)
    return done(
        request,
        compiling.comment,
        item.pk,
        request.user,
        form.cleaned_data["text"],
        success=_("Your comment is posted."),
        redirect_to=redirect_to,
    )


def _version_file(request, pk, kind):
    version = get_object_or_404(
        ProposalVersion.objects.filter(
            proposal__in=selectors.visible_proposals(request.roles)
        ).select_related("proposal"),
        pk=pk,
    )
    file = getattr(version, kind)
    content_type = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
    }[kind]
    name = f"proposal-{version.proposal.fiscal_year}-v{version.number}.{kind}"
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )


@require("proposals.view")
def version_docx(request, pk):
    return _version_file(request, pk, "docx")


@require("proposals.view")
def version_pdf(request, pk):
    return _version_file(request, pk, "pdf")


def outcomes(request):
    """Public: the proposals submitted to the ministries and what became of each item."""
    return render(request, "proposals/outcomes.html", {"proposals": selectors.outcomes()})
