"""Small builders for test data; each returns saved objects with sensible defaults."""

import itertools
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.utils import timezone as _timezone

from accounts.privacy import POLICY_VERSION
from dues.models import Issuer
from members.models import (
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    OrganisationKind,
    Person,
    RegionalBlock,
)

PASSWORD = "correct-horse-battery-42"
_counter = itertools.count(1)


def make_user(email, password=PASSWORD, *, consented=True, **flags):
    """A user who agreed to the current privacy policy (unless `consented` is False, as a user
    from before the policy or its last change)."""
    if consented:
        flags = {
            "privacy_consent_at": _timezone.now(),
            "privacy_policy_version": POLICY_VERSION,
            **flags,
        }
    return get_user_model().objects.create_user(email=email, password=password, **flags)


def full_class():
    return MembershipClass.objects.get_or_create(
        code="full",
        defaults={
            "name": "正会員",
            "name_en": "Full member",
            "dues_rule": MembershipClass.DuesRule.PER_UNIT,
            "unit_price": 50000,
            "minimum_units": 2,
            "votes_rule": MembershipClass.VotesRule.PER_UNIT,
            "is_invoiced": True,
        },
    )[0]


def make_organisation(name=None, membership_class=None, **fields):
    block = (
        fields.pop("block", None)
        or RegionalBlock.objects.get_or_create(name="北陸", defaults={"name_en": "Hokuriku"})[0]
    )
    kind = OrganisationKind.objects.get_or_create(
        name="産業支援機関", defaults={"name_en": "Industry-support agency"}
    )[0]
    organisation = Organisation.objects.create(
        name=name or f"テスト財団{next(_counter)}",
        name_kana=fields.pop("name_kana", "テストザイダン"),
        kind=kind,
        block=block,
        prefecture=fields.pop("prefecture", 17),
        **fields,
    )
    Membership.objects.create(
        organisation=organisation,
        membership_class=membership_class or full_class(),
        joined_on=date(2020, 4, 1),
    )
    return organisation


def make_person(organisation, **fields):
    defaults = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "email": f"person{next(_counter)}@example.jp",
    }
    return Person.objects.create(organisation=organisation, **{**defaults, **fields})


def add_totp(user) -> Authenticator:
    return TOTP.activate(user, generate_totp_secret()).instance


def due_membership_year(organisation, fiscal_year=2026, units=2):
    """A full member's fiscal year of `units` (50,000 yen and one vote each), not yet paid."""
    return MembershipYear.objects.create(
        organisation=organisation,
        fiscal_year=fiscal_year,
        membership_class=full_class(),
        units=units,
        amount_due=units * 50000,
        votes=units,
        standing="due",
    )


def make_class(code, dues_rule, votes_rule="none", *, is_invoiced=False, **amounts):
    return MembershipClass.objects.get_or_create(
        code=code,
        defaults={
            "name": code,
            "dues_rule": dues_rule,
            "votes_rule": votes_rule,
            "is_invoiced": is_invoiced,
            **amounts,
        },
    )[0]


def make_issuer(**fields):
    return Issuer.objects.create(
        **{
            "name": "全国イノベーション推進機関ネットワーク",
            "postal_code": "1050001",
            "address": "東京都港区虎ノ門一丁目",
            "bank_account": "みずほ銀行 虎ノ門支店 普通 1234567\nｲﾉﾍﾞｰｼｮﾝﾈﾂﾄ",
            **fields,
        }
    )


def bulk_organisations(count: int, prefix: str = "一括財団"):
    """`count` current full members with one contact each, made with bulk_create (fast)."""
    block = RegionalBlock.objects.get_or_create(name="北陸", defaults={"name_en": "Hokuriku"})[0]
    kind = OrganisationKind.objects.get_or_create(name="産業支援機関")[0]
    organisations = [
        Organisation(
            name=f"{prefix}{n:04d}",
            name_kana=f"イッカツザイダン{n:04d}",
            kind=kind,
            block=block,
            prefecture=17,
        )
        for n in range(count)
    ]
    for organisation in organisations:
        organisation.derive_fields()
    organisations = Organisation.objects.bulk_create(organisations)
    full = full_class()
    Membership.objects.bulk_create(
        Membership(organisation=o, membership_class=full, joined_on=date(2020, 4, 1))
        for o in organisations
    )
    Person.objects.bulk_create(
        Person(
            organisation=o, family_name="一括", given_name="太郎", email=f"bulk{o.pk}@example.jp"
        )
        for o in organisations
    )
    return organisations


def make_subscriber(email, topics=None, *, confirmed=True, **fields):
    """An outside reader (or, with person=, a member contact) subscribed to `topics` (all)."""
    from django.utils import timezone

    from newsletter.defaults import create_defaults
    from newsletter.models import Subscriber, Topic

    create_defaults()
    subscriber = Subscriber.objects.create(
        email=email, confirmed_at=timezone.now() if confirmed else None, **fields
    )
    subscriber.topics.set(Topic.objects.all() if topics is None else topics)
    return subscriber


def make_issue(author, topics=None, **fields):
    """A draft issue of the default masthead, about `topics` (default: the policy topic)."""
    from newsletter.defaults import create_defaults
    from newsletter.models import Issue, Masthead, Topic

    create_defaults()
    issue = Issue.objects.create(
        **{
            "subject": "イノベーションネット通信 第1号",
            "body": "# 今月の政策情報\n\n地域の皆様へ。",
            "masthead": Masthead.objects.order_by("pk").first(),
            "created_by": author,
            **fields,
        }
    )
    issue.topics.set(topics or Topic.objects.filter(slug="policy"))
    return issue


# --- Award ------------------------------------------------------------------------------


def make_edition(year=2027, *, phase="call", **fields):
    """The standard edition (awards/defaults.py) with dates putting it in `phase`:
    "call" (nominations open too), "entries" (nominations closed), "judging" (first round
    open) or "announced"."""
    from datetime import timedelta

    from django.utils import timezone

    from awards.defaults import create_edition

    now = timezone.now()
    day = timedelta(days=1)
    dates = {
        "call": (now - 10 * day, now + 10 * day, now + 30 * day),
        "entries": (now - 30 * day, now - day, now + 10 * day),
        "judging": (now - 60 * day, now - 40 * day, now - 20 * day),
        "announced": (now - 200 * day, now - 180 * day, now - 160 * day),
    }[phase]
    edition = create_edition(year, *dates)
    first = edition.rounds.order_by("order").first()
    if phase == "judging":
        first.opens_at, first.closes_at = now - day, now + 10 * day
        first.save()
    if phase == "announced":
        edition.announced_at = now - day
    for name, value in fields.items():
        setattr(edition, name, value)
    edition.save()
    return edition


def _entry(track, **fields):
    """An unsaved, complete entry of `track` (every section filled in), searchable."""
    from awards.models import Entry
    from awards.services import refresh_search_text

    entry = Entry(
        edition=track.edition,
        track=track,
        status=fields.pop("status", Entry.Status.SUBMITTED),
        title=fields.pop("title", f"地域支援プログラム{next(_counter)}"),
        organisation_name=fields.pop("organisation_name", "公益財団法人テスト財団"),
        prefecture=fields.pop("prefecture", 13),
        summary=fields.pop("summary", "地域企業の新事業を支援する。"),
        contact_name="応募 太郎",
        contact_email=fields.pop("contact_email", "entry@example.jp"),
        sections={s.key: f"{s.label}の内容" for s in track.sections.all()},
        **fields,
    )
    if entry.status == Entry.Status.SUBMITTED and entry.submitted_at is None:
        from django.utils import timezone

        entry.submitted_at = timezone.now()
    refresh_search_text(entry)
    return entry


def make_entry(edition, owner=None, *, track="programme", status="submitted", **fields):
    """A complete entry of `track` (every section filled in)."""
    entry = _entry(edition.tracks.get(kind=track), owner=owner, status=status, **fields)
    entry.save()
    return entry


def make_attachment(entry, uploaded_by, *, name="plan.pdf"):
    """A PDF attached to an award entry, stored as it is (not through the upload checks)."""
    from django.core.files.base import ContentFile

    from awards.models import Attachment

    data = b"%PDF-1.7\n%%EOF\n"
    return Attachment.objects.create(
        entry=entry,
        file=ContentFile(data, "x.pdf"),
        name=name,
        content_type="application/pdf",
        size=len(data),
        sha256="0" * 64,
        uploaded_by=uploaded_by,
    )


def make_judge(edition, user=None, **fields):
    from django.contrib.auth.models import Group

    from awards.models import Judge
    from members.permissions import JUDGES_GROUP

    user = user or make_user(f"judge{next(_counter)}@example.jp")
    user.groups.add(Group.objects.get_or_create(name=JUDGES_GROUP)[0])
    return Judge.objects.create(edition=edition, user=user, **fields)


def bulk_judging(edition, stage, *, entries: int, judges: int, prefix="審査", chair=True):
    """`entries` submitted entries, each scored by all of `judges` new judges on every
    criterion of `stage`, made with bulk_create (for query budgets and the bench).
    Returns the judges, the first one the chair unless not `chair` (the edition has one)."""
    from django.utils import timezone

    from awards.models import Assignment, Entry, Judge, Score

    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(email=f"{prefix}{n}-{next(_counter)}@example.jp", password="!")
        for n in range(judges)
    )
    panel = Judge.objects.bulk_create(
        Judge(
            edition=edition, user=user, is_chair=chair and n == 0, affiliation=f"{prefix}委員{n}"
        )
        for n, user in enumerate(users)
    )
    track = edition.tracks.get(kind="programme")
    now = timezone.now()
    rows = [
        _entry(
            track,
            title=f"{prefix}プログラム{n:04d}",
            organisation_name=f"公益財団法人{prefix}財団{n:04d}",
            prefecture=n % 47 + 1,
            submitted_at=now,
        )
        for n in range(entries)
    ]
    created = Entry.objects.bulk_create(rows, batch_size=1000)
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(round=stage, judge=judge, entry=entry, scored_at=now)
            for entry in created
            for judge in panel
        ),
        batch_size=2000,
    )
    criteria = list(stage.criteria.all())
    Score.objects.bulk_create(
        (
            Score(
                assignment=assignment,
                criterion=criterion,
                value=criterion.scale_min + (assignment.pk * 7 + criterion.pk) % 5,
            )
            for assignment in assignments
            for criterion in criteria
        ),
        batch_size=5000,
    )
    return panel


# --- Surveys ------------------------------------------------------------------------------


def make_survey(questions, *, classes=None, open_now=True, **fields):
    """A survey of one section per `questions` group.

    `questions` is a list of dicts: code, kind, text (optional), options (labels; a label
    ending in "*" is an "other (please describe)" option; a (label, score) pair is a
    rated point), and optionally required, classes (codes), condition ((code, [labels])),
    minimum, maximum, unit, max_choices, section (title; default "第1部").
    """
    from datetime import timedelta

    from django.utils import timezone

    from surveys.models import Option, Question, Section, Survey

    now = timezone.now()
    day = timedelta(days=1)
    survey = Survey.objects.create(
        **{
            "title": f"会員アンケート{next(_counter)}",
            "opens_at": now - day if open_now else now - 30 * day,
            "closes_at": now + 10 * day if open_now else now - day,
            **fields,
        }
    )
    survey.classes.set(classes or [full_class()])
    sections, by_code = {}, {}
    for order, spec in enumerate(questions):
        title = spec.get("section", "第1部")
        if title not in sections:
            sections[title] = Section.objects.create(
                survey=survey, order=len(sections), title=title
            )
        question = Question.objects.create(
            survey=survey,
            section=sections[title],
            order=order,
            code=spec["code"],
            text=spec.get("text", f"{spec['code']}の質問"),
            kind=spec["kind"],
            required=spec.get("required", True),
            **{k: spec[k] for k in ("minimum", "maximum", "unit", "max_choices") if k in spec},
        )
        for n, label in enumerate(spec.get("options", []), 1):
            label, score = label if isinstance(label, tuple) else (label, None)
            Option.objects.create(
                question=question,
                order=n,
                code=str(n),
                label=label.rstrip("*"),
                is_other=label.endswith("*"),
                value=score,
            )
        if "classes" in spec:
            from members.models import MembershipClass

            question.classes.set(MembershipClass.objects.filter(code__in=spec["classes"]))
        if "condition" in spec:
            code, labels = spec["condition"]
            question.condition_question = by_code[code]
            question.save()
            question.condition_options.set(by_code[code].options.filter(label__in=labels))
        by_code[spec["code"]] = question
    return survey


def survey_values(survey, answers: dict) -> dict[str, list[str]]:
    """Form values from {code: answer}: an option label, a list of labels, text, a number,
    {part label: number} for a breakdown; "<code>_other" for an "other" description."""
    from surveys.models import Kind

    values = {}
    for question in survey.questions.prefetch_related("options"):
        options = {o.label: str(o.pk) for o in question.options.all()}
        if f"{question.code}_other" in answers:
            values[question.other_field_name] = [answers[f"{question.code}_other"]]
        if question.code not in answers:
            continue
        answer = answers[question.code]
        if question.kind == Kind.BREAKDOWN:
            for option in question.options.all():
                part = answer.get(option.label)
                values[question.part_field_name(option)] = [] if part is None else [str(part)]
        elif question.kind == Kind.MULTIPLE:
            values[question.field_name] = [options[label] for label in answer]
        elif question.kind in (Kind.SINGLE, Kind.RATING):
            values[question.field_name] = [options[answer]]
        else:
            values[question.field_name] = [str(answer)]
    return values


def answer_survey(survey, organisation, user, answers: dict, *, submit=True):
    """The institution's response with `answers` saved (and submitted): the real services."""
    from surveys import services
    from surveys.questionnaire import load

    response = services.response_for(survey, organisation)
    services.save_draft(
        response.pk,
        survey_values(survey, answers),
        base_version=response.version,
        user=user,
    )
    if submit:
        form = services.submit(response.pk, load(survey), user=user)
        assert form.is_valid(), form.errors
    response.refresh_from_db()
    return response


def bulk_responses(survey, organisations, *, submitted=True):
    """A submitted response of each organisation with answers to every question shown,
    deterministic and made with bulk_create (for query budgets and the bench)."""
    from decimal import Decimal

    from django.utils import timezone

    from surveys.models import Answer, Choice, Kind, Response
    from surveys.questionnaire import load, shown_questions

    questionnaire = load(survey)
    membership_class = full_class()
    now = timezone.now() if submitted else None
    responses = Response.objects.bulk_create(
        (
            Response(
                survey=survey,
                organisation=o,
                membership_class=membership_class,
                block_id=o.block_id,
                submitted_at=now,
            )
            for o in organisations
        ),
        batch_size=2000,
    )
    questions = questionnaire.for_class(membership_class.pk)
    answers, picks = [], []
    for n, response in enumerate(responses):
        chosen = {}
        for question in questions:
            options = question.option_list
            if question.kind in (Kind.SINGLE, Kind.RATING):
                chosen[question.pk] = [options[(n + question.pk) % len(options)]]
            elif question.kind == Kind.MULTIPLE:
                chosen[question.pk] = [options[n % len(options)], options[(n + 1) % len(options)]]
            elif question.kind == Kind.BREAKDOWN:
                chosen[question.pk] = options
        shown = shown_questions(questions, {q: {o.pk for o in os} for q, os in chosen.items()})
        for question in questions:
            if question.pk not in shown:
                continue
            answer = Answer(response=response, question=question, answered=True)
            if question.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
                answer.text = f"意見{n}"
            elif question.kind == Kind.NUMBER:
                answer.number = Decimal(n % 100)
            answers.append(answer)
            for k, option in enumerate(chosen.get(question.pk, [])):
                value = None
                if question.kind == Kind.BREAKDOWN:
                    rest = 100 - 10 * (len(options) - 1)
                    value = Decimal(rest if k == 0 else 10)
                other = f"その他の回答{n}" if option.is_other else ""
                picks.append((answer, Choice(option=option, value=value, other_text=other)))
    Answer.objects.bulk_create(answers, batch_size=5000)
    for answer, choice in picks:
        choice.answer_id, choice.response_id = answer.pk, answer.response_id
    Choice.objects.bulk_create((choice for _a, choice in picks), batch_size=5000)
    return responses


# --- General assembly ---------------------------------------------------------------------


def make_assembly(*, open_now=True, **fields):
    """An assembly whose voting window spans now (or lies in June 2026)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from assemblies.models import Assembly

    if open_now:
        now = timezone.now()
        opens, held = now - timedelta(days=1), timezone.localdate() + timedelta(days=7)
    else:
        opens, held = datetime(2026, 6, 10, 9, tzinfo=ZoneInfo("Asia/Tokyo")), date(2026, 6, 20)
    return Assembly.objects.create(
        **{
            "title": f"通常総会{next(_counter)}",
            "held_on": held,
            "record_date": held - timedelta(days=19),
            "opens_at": opens,
            "closes_at": opens + timedelta(days=10),
            **fields,
        }
    )


def make_thresholds():
    """Ordinary (more than half of the votes exercised) and special (at least two thirds of
    the votes and half of the voting members)."""
    from assemblies.models import Threshold

    ordinary = Threshold.objects.get_or_create(
        name="普通決議", defaults={"votes_numerator": 1, "votes_denominator": 2}
    )[0]
    special = Threshold.objects.get_or_create(
        name="特別決議",
        defaults={
            "votes_numerator": 2,
            "votes_denominator": 3,
            "votes_strict": False,
            "headcount_numerator": 1,
            "headcount_denominator": 2,
        },
    )[0]
    return ordinary, special


def make_voter(organisation, email=None):
    """A login that is the organisation's designated voter."""
    from members.models import PersonRole

    email = email or f"voter{next(_counter)}@example.jp"
    user = make_user(email)
    person = make_person(organisation, user=user, email=email)
    PersonRole.objects.create(
        person=person,
        organisation=organisation,
        kind=PersonRole.Kind.VOTER,
        starts_on=date(2020, 4, 1),
    )
    return user


def voting_assembly(weights: dict[str, int], **fields):
    """An opened assembly with a roll of the given organisations (name → votes), one
    designated voter each, and two items: ordinary and special."""
    from django.utils import timezone

    from assemblies.models import AgendaItem, RollEntry

    assembly = make_assembly(
        **{"roll_frozen_at": timezone.now(), "opened_at": timezone.now(), **fields}
    )
    entries, voters = {}, {}
    for name, votes in weights.items():
        organisation = make_organisation(name)
        entries[name] = RollEntry.objects.create(
            assembly=assembly, organisation=organisation, votes=votes
        )
        voters[name] = make_voter(organisation)
    ordinary, special = make_thresholds()
    items = {
        "ordinary": AgendaItem.objects.create(
            assembly=assembly, order=1, title="第1号議案 事業計画", threshold=ordinary
        ),
        "special": AgendaItem.objects.create(
            assembly=assembly, order=2, title="第2号議案 規約改正", threshold=special
        ),
    }
    return assembly, entries, voters, items


def make_event(*, sessions=1, capacity=10, kind="training", starts_in_days=14, **fields):
    """A published event open for registration to full members and the public, with
    `sessions` sessions on consecutive days from `starts_in_days` days ahead, 10:00-17:00."""
    from events.models import Event, Session

    now = _timezone.now()
    first = _timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    first += timedelta(days=starts_in_days)
    event = Event.objects.create(
        **{
            "kind": kind,
            "title": "コーディネーター研修",
            "published": True,
            "capacity": capacity,
            "registration_opens_at": now - timedelta(days=1),
            "registration_closes_at": first - timedelta(days=1),
            "open_to_public": True,
            "member_fee": 5000,
            "non_member_fee": 10000,
            "cancellation_deadline": first - timedelta(days=7),
            "cancellation_fee_percent": 100,
            **fields,
        }
    )
    event.classes.add(full_class())
    Session.objects.bulk_create(
        Session(
            event=event,
            title=f"第{day + 1}日",
            starts_at=first + timedelta(days=day),
            ends_at=first + timedelta(days=day, hours=7),
        )
        for day in range(sessions)
    )
    return event


def participant(n, **fields):
    """What a registration form gives for one participant."""
    return {
        "family_name": "参加",
        "given_name": f"{n}郎",
        "family_name_kana": "サンカ",
        "given_name_kana": "ロウ",
        "email": f"participant{n}@example.jp",
        **fields,
    }


# Regional issues and proposals (issue 22). Themes and ministries are made here rather
# than read from the data migration: a transactional test flushes that data.


def academic_class():
    return MembershipClass.objects.get_or_create(
        code="academic",
        defaults={
            "name": "学術機関会員",
            "name_en": "Academic member",
            "dues_rule": MembershipClass.DuesRule.NONE,
            "votes_rule": MembershipClass.VotesRule.NONE,
        },
    )[0]


def proposal_theme(name="人材育成", name_en="Human resources development"):
    from proposals.models import Theme

    return Theme.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]


def ministry(name="経済産業省", name_en="Ministry of Economy, Trade and Industry"):
    from proposals.models import Ministry

    return Ministry.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]


def make_call(*, open_now=True, classes=None, themes=None, **fields):
    """A call for issues, open now by default, to full and academic members."""
    from proposals.models import Call

    now = _timezone.now()
    opens = now - timedelta(days=7) if open_now else now + timedelta(days=7)
    call = Call.objects.create(
        **{
            "fiscal_year": 2026,
            "title": "令和8年度 地域課題・要望の募集",
            "introduction": "**地域の課題**をお寄せください。",
            "opens_at": opens,
            "closes_at": opens + timedelta(days=30),
            **fields,
        }
    )
    call.eligible_classes.set(classes or [full_class(), academic_class()])
    call.themes.set(themes or [proposal_theme(), proposal_theme("財源", "Funding")])
    return call


def make_submission(call, organisation, user, *, status="submitted", ministries=None, **fields):
    """A submission written straight to the database (the services are tested apart)."""
    from proposals.models import Submission

    now = _timezone.now()
    submission = Submission.objects.create(
        **{
            "call": call,
            "organisation": organisation,
            "theme": call.themes.first(),
            "title": "ものづくり人材の不足",
            "background": "地域の中小企業で技能人材が不足している。",
            "request": "人材育成への支援の拡充を求める。",
            "created_by": user,
            "status": status,
            "submitted_at": now if status != "draft" else None,
            "withdrawn_at": now if status == "withdrawn" else None,
            **fields,
        }
    )
    submission.ministries.set(ministries or [ministry()])
    return submission


def make_proposal(*, status="draft", fiscal_year=2026, comments_open=False, **fields):
    """The year's proposal; `comments_open` puts it out for comments, inside its period."""
    from proposals.models import Proposal

    now = _timezone.now()
    if comments_open:
        status = "commenting"
        fields.setdefault("comment_opens_at", now - timedelta(days=1))
        fields.setdefault("comment_closes_at", now + timedelta(days=13))
    return Proposal.objects.create(
        **{
            "fiscal_year": fiscal_year,
            "title": f"令和{fiscal_year - 2018}年度 国への提言",
            "front_matter": "# はじめに\n\n地域の**課題**を国へ届けます。",
            "status": status,
            **fields,
        }
    )


def make_item(proposal, theme=None, *, cites=(), **fields):
    """An item of `proposal` citing the submissions `cites`, in that order."""
    from proposals.models import Citation, ProposalItem

    item = ProposalItem.objects.create(
        proposal=proposal,
        theme=theme or proposal_theme(),
        **{
            "title": "技能人材の育成支援",
            "text": "地域の技能人材育成への支援を求める。",
            **fields,
        },
    )
    for order, submission in enumerate(cites, start=1):
        Citation.objects.create(item=item, submission=submission, order=order)
    return item
