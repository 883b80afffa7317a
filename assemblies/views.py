from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.permissions import can, require
from portal import uploads
from portal.pagination import paginate
from portal.views import done

from . import minutes, selectors, services, tasks
from .forms import BallotForm, ChairForm, CorrectionForm, ProxyForm
from .models import AgendaAttachment, Assembly, AuditEvent, Ballot, Choice, RollEntry
from .tally import tally


def _visible(request, pk) -> Assembly:
    return get_object_or_404(selectors.visible_assemblies(request.roles), pk=pk)


def _items(assembly):
    return assembly.items.select_related("threshold").prefetch_related("attachments")


def _recorded(assembly, entry) -> dict[int, str]:
    """The entry's ballots by item. A secret ballot's choice is shown to nobody, not even
    to the voter who cast it: the page says only that a vote is recorded."""
    if entry is None:
        return {}
    ballots = dict(Ballot.objects.filter(voter=entry).values_list("item_id", "choice"))
    if assembly.secret_ballot:
        return dict.fromkeys(ballots, SECRET)
    return ballots


SECRET = "secret"


def _label(choice: str) -> str:
    return _("recorded (secret ballot)") if choice == SECRET else Choice(choice).label


def _agenda(items, form=None, choices=None) -> list[dict]:
    """Each item with its voting field (when voting) and the recorded vote."""
    choices = choices or {}
    return [
        {
            "item": item,
            "field": form.field_for(item) if form else None,
            "choice": _label(choices[item.pk]) if item.pk in choices else None,
        }
        for item in items
    ]


def _initial(choices: dict[int, str]) -> dict[int, str]:
    return {pk: choice for pk, choice in choices.items() if choice != SECRET}


@require("assemblies.view")
def index(request):
    return render(
        request,
        "assemblies/index.html",
        {
            "assemblies": selectors.visible_assemblies(request.roles),
            "manage": can(request.roles, "assemblies.manage"),
        },
    )


@require("assemblies.view")
def detail(request, pk):
    return render(request, "assemblies/detail.html", _detail(request, _visible(request, pk)))


def _detail(request, assembly, ballot_form=None, unmarked=()) -> dict:
    """The assembly page's context; `ballot_form` a posted ballot shown again (with the
    `unmarked` items it asks about) instead of the recorded votes."""
    entry = selectors.own_entry(assembly, request.roles.organisation_id)
    voter = entry is not None and can(request.roles, "assemblies.vote")
    items = list(_items(assembly))
    context = {
        "assembly": assembly,
        "items": items,
        "entry": entry,
        "voter": voter,
        "participation": getattr(entry, "participation", None) if entry else None,
    }
    choices = _recorded(assembly, entry) if voter else {}
    context["agenda"] = _agenda(items, choices=choices)
    if voter and assembly.is_open():
        form = ballot_form or BallotForm(
            items=items, initial_choices=_initial(choices), auto_id="ballot_%s"
        )
        context["ballot_form"] = form
        context["voting_agenda"] = _agenda(items, form, choices)
        context["unmarked"] = unmarked
        context["proxy_form"] = ProxyForm(holders=selectors.proxy_holders(assembly, entry))
    return context


def _unmarked(request, assembly, form, entry) -> list:
    """The items a ballot leaves unmarked that have no vote recorded either, unless the
    voter confirmed leaving them so (the page asked, naming them): cast nothing yet. A
    ballot on a vote that is not open goes on to be refused."""
    if CONFIRM_UNMARKED in request.POST or not assembly.is_open():
        return []
    return selectors.unmarked_items(entry, form.items, form.choices())


# The button of the ballot form that records it with the items it leaves unmarked.
CONFIRM_UNMARKED = "confirm_unmarked"


def _voter_entry(request, pk) -> tuple[Assembly, RollEntry]:
    assembly = _visible(request, pk)
    entry = selectors.own_entry(assembly, request.roles.organisation_id)
    if entry is None:
        raise Http404
    return assembly, entry


@require_POST
@require("assemblies.vote")
def vote(request, pk):
    assembly, entry = _voter_entry(request, pk)
    form = BallotForm(request.POST, items=_items(assembly), auto_id="ballot_%s")
    if not form.is_valid():
        errors = form.non_field_errors() or [
            _("Choose for, against or abstain on this assembly's items.")
        ]
        messages.error(request, errors[0])
        return redirect("assemblies:detail", pk)
    unmarked = _unmarked(request, assembly, form, entry)
    if unmarked:
        context = _detail(request, assembly, form, unmarked)
        return render(request, "assemblies/detail.html", context)
    return done(
        request,
        services.cast,
        entry.pk,
        form.choices(),
        request.user,
        success=_(
            "Your organisation's votes are recorded. You can change them until voting closes."
        ),
        redirect_to=assembly.get_absolute_url(),
    )


@require_POST
@require("assemblies.vote")
def proxy(request, pk):
    assembly, entry = _voter_entry(request, pk)
    form = ProxyForm(request.POST, holders=selectors.proxy_holders(assembly, entry))
    if not form.is_valid():
        messages.error(request, _("Choose who holds your organisation's proxy."))
        return redirect("assemblies:detail", pk)
    return done(
        request,
        services.give_proxy,
        entry.pk,
        request.user,
        holder_id=form.holder_id(),
        success=_("Your organisation's proxy is recorded."),
        redirect_to=assembly.get_absolute_url(),
    )


@require_POST
@require("assemblies.vote")
def withdraw(request, pk):
    assembly, entry = _voter_entry(request, pk)
    return done(
        request,
        services.withdraw_proxy,
        entry.pk,
        request.user,
        success=_("The proxy is withdrawn: your organisation can vote itself."),
        redirect_to=assembly.get_absolute_url(),
    )


def _counts_hidden(assembly) -> bool:
    """A secret ballot's running count per item is hidden until the close: watched after
    each vote, it would tell who voted what."""
    return assembly.secret_ballot and not assembly.is_closed


@require("assemblies.view")
def results(request, pk):
    assembly = _visible(request, pk)
    if not assembly.is_closed and not can(request.roles, "assemblies.manage"):
        raise Http404  # members see the results once the vote is closed
    context = {
        "assembly": assembly,
        "tally": tally(assembly),
        "counts_hidden": _counts_hidden(assembly),
    }
    return render(request, "assemblies/results.html", context)


@require("assemblies.view")
def attachment(request, pk):
    document = get_object_or_404(
        AgendaAttachment.objects.filter(
            item__assembly__in=selectors.visible_assemblies(request.roles)
        ),
        pk=pk,
    )
    opened = document.file.open("rb")
    try:
        checked = uploads.check_attachment(opened)
    except ValidationError:  # stored before uploads were checked: no type is claimed
        content_type, extension = "application/octet-stream", ""
    else:
        content_type, extension = checked.content_type, checked.extension
    opened.seek(0)
    name = uploads.safe_name(document.title)
    if extension and not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}"
    return FileResponse(opened, as_attachment=True, filename=name, content_type=content_type)


# --- The secretariat ----------------------------------------------------------------------


@require("assemblies.manage")
def live(request, pk):
    assembly = get_object_or_404(Assembly, pk=pk)
    items = list(_items(assembly))
    chair = {item.pk: item.chair_choice for item in items if item.chair_choice}
    if assembly.secret_ballot:
        chair = dict.fromkeys(chair, SECRET)
    return render(
        request,
        "assemblies/live.html",
        {
            "assembly": assembly,
            "tally": tally(assembly, items),
            "counts_hidden": _counts_hidden(assembly),
            "blocks": selectors.turnout_by_block(assembly),
            "chair_agenda": _agenda(
                items,
                ChairForm(items=items, initial_choices=_initial(chair), auto_id="chair_%s"),
                chair,
            ),
            **paginate(request, selectors.not_taken_part(assembly), 50),
        },
    )


@require_POST
@require("assemblies.run_vote")
def open_voting(request, pk):
    return done(
        request,
        services.open_voting,
        pk,
        request.user,
        success=_("Voting is open."),
        redirect_to=reverse_live(pk),
    )


@require_POST
@require("assemblies.run_vote")
def close_voting(request, pk):
    return done(
        request,
        services.close_voting,
        pk,
        request.user,
        success=_("Voting is closed; the results are final."),
        redirect_to=reverse_live(pk),
    )


@require_POST
@require("assemblies.run_vote")
def chair(request, pk):
    assembly = get_object_or_404(Assembly, pk=pk)
    form = ChairForm(request.POST, items=_items(assembly), auto_id="chair_%s")
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain on this assembly's items."))
        return redirect(reverse_live(pk))
    return done(
        request,
        services.record_chair_votes,
        pk,
        form.choices(),
        request.user,
        success=_("The chair's votes are recorded."),
        redirect_to=reverse_live(pk),
    )


@require_POST
@require("assemblies.run_vote")
def remind(request, pk):
    assembly = get_object_or_404(Assembly, pk=pk)
    if not assembly.is_open():
        messages.error(request, _("Voting on this assembly is not open."))
    else:
        transaction.on_commit(lambda: tasks.remind.delay(assembly.pk, request.user.pk))
        messages.success(
            request,
            _("Reminders are being sent to the organisations that have not taken part."),
        )
    return redirect(reverse_live(pk))


@require("assemblies.view_roll")
def roll(request, pk):
    assembly = get_object_or_404(Assembly, pk=pk)
    entries = selectors.attendance(assembly)
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(organisation__name__icontains=query) | entries.filter(
            organisation__name_kana__icontains=query
        )
    return render(
        request,
        "assemblies/roll.html",
        {"assembly": assembly, "q": query, **paginate(request, entries, 50)},
    )


@require("assemblies.view_roll")
def entry(request, pk, entry_id):
    assembly = get_object_or_404(Assembly, pk=pk)
    roll_entry = get_object_or_404(selectors.attendance(assembly), pk=entry_id)
    here = request.path
    if request.method == "POST":
        if not can(request.roles, "assemblies.record_roll"):
            raise PermissionDenied
        form = CorrectionForm(request.POST)
        if form.is_valid():
            return done(
                request,
                services.correct_entry,
                roll_entry.pk,
                request.user,
                success=_("The roll entry is corrected."),
                redirect_to=here,
                **form.cleaned_data,
            )
    else:
        form = _correction_form(roll_entry)
    return render(request, "assemblies/entry.html", _roll_entry(assembly, roll_entry, form))


def _correction_form(roll_entry) -> CorrectionForm:
    return CorrectionForm(
        initial={name: getattr(roll_entry, name) for name in services.CORRECTABLE}
    )


def _roll_entry(assembly, roll_entry, form, ballot_form=None, unmarked=()) -> dict:
    """The roll entry page's context; `ballot_form` an attendee's posted ballot shown again
    (with the `unmarked` items it asks about)."""
    participation = getattr(roll_entry, "participation", None)
    context = {
        "assembly": assembly,
        "entry": roll_entry,
        "participation": participation,
        "form": form,
        "audit": AuditEvent.objects.filter(entry=roll_entry)
        .select_related("actor", "item")
        .order_by("-at", "-pk")[:50],
    }
    if participation is not None and participation.mode == "in_person" and assembly.is_open():
        # The secretariat records what an attendee voted at the meeting.
        items = list(_items(assembly))
        choices = _recorded(assembly, roll_entry)
        ballot_form = ballot_form or BallotForm(
            items=items, initial_choices=_initial(choices), auto_id="ballot_%s"
        )
        context["ballot_form"] = ballot_form
        context["voting_agenda"] = _agenda(items, ballot_form, choices)
        context["unmarked"] = unmarked
    return context


@require_POST
@require("assemblies.record_roll")
def attend(request, pk, entry_id):
    roll_entry = get_object_or_404(RollEntry, assembly_id=pk, pk=entry_id)
    return done(
        request,
        services.record_attendance,
        roll_entry.pk,
        request.user,
        success=_("Attendance in person is recorded."),
        redirect_to=reverse_entry(pk, entry_id),
    )


@require_POST
@require("assemblies.record_roll")
def in_person_vote(request, pk, entry_id):
    assembly = get_object_or_404(Assembly, pk=pk)
    roll_entry = get_object_or_404(selectors.attendance(assembly), pk=entry_id)
    form = BallotForm(request.POST, items=_items(assembly), auto_id="ballot_%s")
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain on this assembly's items."))
        return redirect(reverse_entry(pk, entry_id))
    unmarked = _unmarked(request, assembly, form, roll_entry)
    if unmarked:
        return render(
            request,
            "assemblies/entry.html",
            _roll_entry(assembly, roll_entry, _correction_form(roll_entry), form, unmarked),
        )
    return done(
        request,
        services.cast,
        roll_entry.pk,
        form.choices(),
        request.user,
        success=_("The attendee's votes are recorded."),
        redirect_to=reverse_entry(pk, entry_id),
    )


@require("assemblies.manage")
def minutes_export(request, pk, fmt):
    assembly = get_object_or_404(Assembly, pk=pk)
    if _counts_hidden(assembly):
        messages.error(
            request, _("With a secret ballot the minutes are ready once the vote is closed.")
        )
        return redirect(reverse_live(pk))
    if fmt == "pdf":
        return minutes.pdf_response(assembly)
    if fmt == "xlsx":
        return minutes.workbook(assembly)
    raise Http404


def reverse_live(pk) -> str:
    return reverse("assemblies:live", args=[pk])


def reverse_entry(pk, entry_id) -> str:
    return reverse("assemblies:entry", args=[pk, entry_id])
