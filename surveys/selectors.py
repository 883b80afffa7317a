from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone

from members.models import (
    Membership,
    MembershipClass,
    PersonRole,
    RegionalBlock,
    current_membership_q,
)
from members.selectors import role_emails

from .models import Choice, Question, Response, Survey
from .services import invitees, targeted_organisations


def surveys_for(organisation):
    """Surveys an institution is (or was) asked, newest first, with its response if any."""
    membership = Membership.objects.current().filter(organisation=organisation).first()
    now = timezone.now()
    asked = Q(responses__organisation=organisation)
    if membership is not None:
        asked |= Q(classes=membership.membership_class_id, opens_at__lte=now) & (
            Q(blocks__isnull=True) | Q(blocks=organisation.block_id)
        )
    surveys = list(Survey.objects.filter(asked).distinct().order_by("-opens_at"))
    responses = {
        r.survey_id: r
        for r in Response.objects.filter(organisation=organisation, survey__in=surveys)
    }
    for survey in surveys:
        survey.own_response = responses.get(survey.pk)
    return surveys


def awaiting_answers(organisation):
    """Open surveys that ask the institution (by its current class and block) and that it has
    not submitted, soonest closing first."""
    now = timezone.now()
    done = Response.objects.filter(
        organisation=organisation, submitted_at__isnull=False, reopened=False
    )
    return (
        Survey.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .filter(
            current_membership_q("classes__membership__"),
            classes__membership__organisation=organisation,
        )
        .filter(Q(blocks__isnull=True) | Q(blocks=organisation.block_id))
        .exclude(pk__in=done.values("survey_id"))
        .distinct()
        .order_by("closes_at")
    )


def published_surveys():
    return Survey.objects.filter(results_published_at__lte=timezone.now()).order_by("-opens_at")


@dataclass
class Rate:
    label: str
    submitted: int
    targeted: int

    @property
    def percent(self) -> int | None:
        """Rounded half up, as the results are (48/50 = 96, 1/8 = 13)."""
        if not self.targeted:
            return None
        return int((Decimal(100) * self.submitted / self.targeted).quantize(1, ROUND_HALF_UP))


def response_rate(survey: Survey) -> dict:
    """Submitted / asked per class and per block, and who has not answered yet."""
    counts = list(
        Response.objects.filter(survey=survey)
        .values("membership_class_id", "block_id")
        .annotate(
            targeted=Count("id"), submitted=Count("id", filter=Q(submitted_at__isnull=False))
        )
        .order_by()
    )

    def rates(model, key):
        totals: dict[int, list[int]] = {}
        for row in counts:
            pair = totals.setdefault(row[key], [0, 0])
            pair[0] += row["submitted"]
            pair[1] += row["targeted"]
        return [
            Rate(str(item), *totals[item.pk])
            for item in model.objects.filter(pk__in=totals).order_by("order", "pk")
        ]

    missing = (
        Response.objects.filter(survey=survey, submitted_at__isnull=True)
        .select_related("organisation", "membership_class", "block")
        .annotate(reminders_sent=Count("reminders"), last_reminder=Max("reminders__sent_at"))
        .order_by("block__order", "organisation__sort_key")
    )
    not_invited = targeted_organisations(survey).exclude(survey_responses__survey=survey).count()
    return {
        "total": Rate("", sum(r["submitted"] for r in counts), sum(r["targeted"] for r in counts)),
        "by_class": rates(MembershipClass, "membership_class_id"),
        "by_block": rates(RegionalBlock, "block_id"),
        "missing": missing,
        "not_yet_asked": not_invited,
    }


def options_in_use(option_ids) -> set[int]:
    """Of these options, those an answer chose or was recoded to, or a condition names: the
    builder must keep them."""
    ids = list(option_ids)
    chosen = Choice.objects.filter(option_id__in=ids).values_list("option_id", flat=True)
    recoded = Choice.objects.filter(recoded_to_id__in=ids).values_list("recoded_to_id", flat=True)
    conditions = Question.condition_options.through.objects.filter(option_id__in=ids).values_list(
        "option_id", flat=True
    )
    return set(chosen.union(recoded, conditions))


@dataclass
class Invitee:
    name: str
    membership_class: str
    block: str
    addresses: list[str]


@dataclass
class InvitationPreview:
    eligible: int  # institutions the survey asks, as narrowed
    invited: int  # of them, invited already (not again)
    invitees: list[Invitee]  # to be invited now, with the addresses the request goes to

    @property
    def reachable(self) -> int:
        return sum(1 for i in self.invitees if i.addresses)

    @property
    def unreachable(self) -> list[Invitee]:
        return [i for i in self.invitees if not i.addresses]

    @property
    def mails(self) -> int:
        return sum(len(i.addresses) for i in self.invitees)


def invitation_preview(survey: Survey, *, classes=None, blocks=None, roles=None):
    """Who a request would go to now, as `mail.invite` chooses them (three queries)."""
    rows = list(
        invitees(survey, classes=classes, blocks=blocks)
        .order_by("organisation__block__order", "organisation__name_kana")
        .values_list(
            "organisation_id",
            "organisation__name",
            "membership_class__name",
            "organisation__block__name",
        )
    )
    ids = [row[0] for row in rows]
    invited = set(
        Response.objects.filter(
            survey=survey, organisation_id__in=ids, invited_at__isnull=False
        ).values_list("organisation_id", flat=True)
    )
    emails = role_emails(ids, roles or [PersonRole.Kind.PRIMARY])
    pending = [
        Invitee(name, class_name, block, sorted(set(emails.get(pk, {}).values())))
        for pk, name, class_name, block in rows
        if pk not in invited
    ]
    return InvitationPreview(eligible=len(rows), invited=len(invited), invitees=pending)
