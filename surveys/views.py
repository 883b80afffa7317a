from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.permissions import can, require
from members.selectors import member_organisation
from portal.pagination import paginate

from . import charts, exports, selectors, services, tasks
from .forms import InviteForm
from .layout import answer_sections, kept_changes, submitted_summary
from .models import BankQuestion, Question, Survey
from .questionnaire import load
from .results import GROUPINGS, all_texts, bank_comparison
from .results import results as compute_results


@require("surveys.view")
def index(request):
    organisation = member_organisation(request.roles)
    context = {
        "own": selectors.surveys_for(organisation) if organisation is not None else [],
        "published": selectors.published_surveys(),
    }
    if can(request.roles, "surveys.manage"):
        context["managed"] = Survey.objects.order_by("-opens_at")
    return render(request, "surveys/index.html", context)


def _own_response(request, pk):
    survey = get_object_or_404(Survey, pk=pk, opens_at__lte=timezone.now())
    organisation = member_organisation(request.roles)
    response = services.response_for(survey, organisation) if organisation else None
    if response is None:
        raise Http404
    return survey, response


def _base_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


@require("surveys.answer")
def answer(request, pk):
    survey, response = _own_response(request, pk)
    questionnaire = load(survey)
    form = services.answer_form(questionnaire, response)
    kept = []
    if request.method == "POST":
        values = services.field_values(request.POST, form.fields)
        try:
            saved = services.save_draft(
                response.pk, values, base_version=_base_version(request), user=request.user
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("surveys:answer", survey.pk)
        response = saved.response
        if saved.kept:
            kept = kept_changes(form, saved.kept)
            form = services.answer_form(questionnaire, response)
        elif "submit" in request.POST:
            form = services.submit(response.pk, questionnaire, user=request.user)
            if form.is_valid():
                messages.success(
                    request, _("Thank you: your institution's answers are submitted.")
                )
                return redirect("surveys:answer", survey.pk)
            response.refresh_from_db()
            messages.error(request, _("Some answers need attention: see the messages below."))
        else:
            messages.success(request, _("Your answers are saved as a draft."))
            return redirect("surveys:answer", survey.pk)
    editable = survey.is_open() and not response.is_submitted
    context = {
        "survey": survey,
        "response": response,
        "editable": editable,
        "kept": kept,
        "can_reopen": survey.is_open() and response.is_submitted,
    }
    if editable:
        context["sections"] = answer_sections(questionnaire, form)
        context["form"] = form
    else:
        context["summary"] = submitted_summary(questionnaire, response)
    return render(request, "surveys/answer.html", context)


@require_POST
@require("surveys.answer")
def autosave(request, pk):
    """The answer page's background save: the same merge as the Save button, as JSON."""
    survey, response = _own_response(request, pk)
    form = services.answer_form(load(survey), response)
    values = services.field_values(request.POST, form.fields)
    try:
        saved = services.save_draft(
            response.pk, values, base_version=_base_version(request), user=request.user
        )
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=409)
    when = date_format(timezone.localtime(saved.response.updated_at), "TIME_FORMAT")
    notice = ""
    if saved.others:
        notice = _(
            "Another contact of your institution changed answers meanwhile. Press “Save "
            "draft” to see their answers beside yours; nothing you typed is lost."
        )
    return JsonResponse(
        {
            "version": saved.response.version,
            "status": _("Saved at %(time)s.") % {"time": when},
            "others": bool(saved.others),
            "kept": [change["label"] for change in kept_changes(form, saved.kept)],
            "notice": notice,
        }
    )


@require_POST
@require("surveys.answer")
def reopen(request, pk):
    survey, response = _own_response(request, pk)
    try:
        services.reopen(response.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _(
                "The response is open for changes. Your submitted answers still count; "
                "submit again before the close to replace them."
            ),
        )
    return redirect("surveys:answer", survey.pk)


def _readable_survey(request, pk) -> Survey:
    """The survey whose results this user may read: the secretariat's always, members'
    once published."""
    survey = get_object_or_404(Survey, pk=pk)
    if can(request.roles, "surveys.read_responses"):
        return survey
    if can(request.roles, "surveys.answer") and survey.results_published:
        return survey
    raise Http404


def _results(request, survey: Survey, questionnaire):
    """The results as the page's query asks: broken down or not, options in the
    questionnaire's order or most chosen first."""
    by = request.GET.get("by")
    return compute_results(
        questionnaire,
        by=by if by in GROUPINGS else None,
        staff=can(request.roles, "surveys.read_responses"),
        by_count=request.GET.get("sort") == "count",
    )


@require("surveys.view")
def results(request, pk):
    survey = _readable_survey(request, pk)
    outcome = charts.attach(_results(request, survey, load(survey)))
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": outcome,
            "staff": can(request.roles, "surveys.read_responses"),
            "by": outcome.by,
            "sort": "count" if outcome.by_count else "",
        },
    )


@require("surveys.view")
def chart(request, pk, question_id):
    """One question's chart as an SVG file, as the results page shows it (same query, same
    readers)."""
    survey = _readable_survey(request, pk)
    questionnaire = load(survey)
    questionnaire.questions = [q for q in questionnaire.questions if q.pk == question_id]
    if not questionnaire.questions:
        raise Http404
    outcome = _results(request, survey, questionnaire)
    result = outcome.questions[0]
    if charts.chart(result) is None:  # no chart for text and number questions
        raise Http404
    name = f"survey-{survey.pk}-{result.question.code}-{outcome.by or 'all'}.svg"
    return HttpResponse(
        charts.svg(result),
        content_type="image/svg+xml; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )


@require("surveys.view")
def texts(request, pk, question_id):
    survey = _readable_survey(request, pk)
    question = get_object_or_404(Question, pk=question_id, survey=survey)
    staff = can(request.roles, "surveys.read_responses")
    rows = all_texts(question, names=staff and not survey.anonymous)
    return render(
        request,
        "surveys/texts.html",
        {"survey": survey, "question": question, **paginate(request, rows, 100)},
    )


@require("surveys.read_responses")
def rate(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    return render(
        request, "surveys/rate.html", {"survey": survey, **selectors.response_rate(survey)}
    )


@require("surveys.invite")
def invite(request, pk):
    """Requests to answer: to every institution the survey asks and that was not invited
    yet, unless narrowed by class, block and the roles written to; the page counts them
    before anything is sent, and the mail engine sends them from a worker."""
    survey = get_object_or_404(Survey, pk=pk)
    form = InviteForm(survey, request.POST if request.method == "POST" else (request.GET or None))
    filters = form.filters()
    if request.method == "POST" and form.is_valid():
        if not survey.is_open():
            messages.error(
                request,
                _("“%(title)s” is not open: invitations go out while it is open.")
                % {"title": survey.title},
            )
        else:
            transaction.on_commit(lambda: tasks.invite.delay(survey.pk, **filters))
            messages.success(
                request,
                _(
                    "Invitations for “%(title)s” are being sent; the response rate page shows "
                    "who was."
                )
                % {"title": survey.title},
            )
            return redirect("surveys:rate", survey.pk)
    preview = selectors.invitation_preview(survey, **filters)
    return render(
        request,
        "surveys/invite.html",
        {"survey": survey, "form": form, "filters": filters, "preview": preview},
    )


@require("surveys.read_responses")
def export(request, pk, fmt):
    survey = get_object_or_404(Survey, pk=pk)
    if fmt == "xlsx":
        return exports.excel(load(survey))
    if fmt == "csv":
        return exports.csv(load(survey))
    raise Http404


@require("surveys.compare_bank")
def bank(request, code):
    entry = get_object_or_404(BankQuestion, code=code)
    years = [charts.attach(results) for results in bank_comparison(entry)]
    return render(request, "surveys/bank.html", {"bank": entry, "years": years})
