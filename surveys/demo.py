"""The surveys' part of seed_demo: the network's 2019 member survey (from the reform
report), open now, and answered through the real services by most demo institutions.

Answer counts are per 48 full members and per 12 academic members shown the question (the
report's respondents), scaled to the demo's respondents; who chose what is dealt out in a
fixed order, so every run gives the same answers.
"""

from datetime import timedelta
from fractions import Fraction
from math import floor
from typing import NamedTuple

from django.utils import timezone

from members import demo as member_demo
from members.models import MembershipClass, Organisation

from . import questionnaire, services
from .models import BankQuestion, Kind, Option, Question, Response, Section, Survey

TITLE = "イノベーションネット会員アンケート（2019年度調査）"
INTRODUCTION = (
    "イノベーションネットのあり方検討ワーキンググループが2019年度に正会員及び学術機関会員を"
    "対象に実施した会員アンケートを、デモ用の調査として収録したものです。"
    "設問と選択肢は報告書に掲載された調査票に沿っています。\n\n"
    "デモ用の調査ですので、自由にご回答ください（回答は機関ごとに1件です）。"
)
BASE = {"full": 48, "academic": 12}


class Q(NamedTuple):
    text: str
    kind: str
    options: tuple = ()
    full: tuple = ()  # counts per option, texts, numbers or breakdown rows
    academic: tuple = ()
    others: tuple = ()  # descriptions of "other" choices, dealt out in turn
    when: str = ""  # shown only when the previous question was answered with this option
    bank: str = ""
    required: bool = True
    unit: str = ""
    help_text: str = ""
    minimum: int | None = None
    maximum: int | None = None


USED_SERVICES = (
    "イノベーションネットアワード表彰事業のような先進事例の顕彰機能",
    "産学官金連携の先進的な取組に関する情報提供",
    "イノベーションに関する政策情報提供",
    "イノベーションネット会員相互の産業支援機能の地域間連携",
    "地域内連携による産学官金連携プロジェクトの組成",
    "他地域の大学、研究機関、金融機関、産業支援機関とのネットワークの提供",
    "その他（記述ください）",
)
STAFF = (
    "プロパー職員",
    "行政機関からの出向、派遣職員",
    "民間企業からの出向、派遣職員",
    "企業ＯＢ等のシニア嘱託職員",
    "臨時職員（派遣会社からの派遣、アルバイト等）",
    "その他",
)
FUNDS = (
    "国や独法等国の関係機関からの助成金（委託費、補助金等）",
    "地方自治体や地方の関係機関からの助成金（委託費、補助金等）",
    "民間企業からの助成金（委託費、補助金等）",
    "基金からの運用益や会費等の自己資金",
    "自主事業による収入",
    "その他",
)
# Percentage rows, dealt out in turn (each sums to 100). Staff: プロパー averages 31.25%,
# and 6 in 8 institutions have fewer than half their staff of their own, as in the report.
STAFF_ROWS = (
    (20, 15, 10, 25, 15, 15),
    (25, 10, 5, 30, 10, 20),
    (55, 5, 5, 15, 10, 10),
    (15, 20, 15, 20, 20, 10),
    (30, 10, 10, 20, 10, 20),
    (60, 5, 5, 10, 10, 10),
    (10, 10, 15, 25, 20, 20),
    (35, 5, 10, 20, 15, 15),
)
FUND_ROWS = (
    (20, 50, 0, 10, 15, 5),
    (30, 40, 5, 5, 20, 0),
    (10, 60, 0, 20, 10, 0),
    (25, 35, 5, 10, 20, 5),
    (15, 45, 0, 15, 25, 0),
    (35, 25, 5, 5, 25, 5),
    (20, 40, 0, 10, 20, 10),
    (15, 30, 5, 10, 35, 5),
)

SECTIONS = [
    (
        "イノベーションネットの事業評価",
        (),
        [
            Q(
                "イノベーションネットで活用した事業（複数回答可）",
                Kind.MULTIPLE,
                USED_SERVICES,
                full=(30, 36, 38, 12, 8, 15, 3),
                academic=(4, 8, 9, 2, 2, 3, 1),
                others=(
                    "会員向け研修会への参加",
                    "メールマガジンによる情報収集",
                    "事務局を通じた他会員の紹介",
                ),
            ),
            Q(
                "会員であることのメリット",
                Kind.RATING,
                ("大きかった", "あった", "まあまああった", "あまりなかった", "その他"),
                full=(6, 18, 12, 10, 2),
                academic=(0, 4, 7, 1, 0),
                others=("今年度から担当となったため、まだ判断できない",),
                bank="membership-merit",
            ),
        ],
    ),
    (
        "イノベーションネットアワードの利活用状況",
        (),
        [
            Q(
                "イノベーションネットアワードの評価及び活用状況について（複数回答可）",
                Kind.MULTIPLE,
                (
                    "受賞した事業を参考に新規事業を実施している。",
                    "受賞した事業を参考に新規事業を実施予定である",
                    "受賞した事業のノウハウを学べる機会等がほしい",
                    "自地域で実施できそうな事業はなかった",
                    "その他（記述ください。）",
                ),
                full=(8, 5, 30, 9, 3),
                academic=(0, 0, 7, 2, 3),
                others=(
                    "受賞事例を県内の支援機関に紹介した",
                    "アワードの内容を詳しく知らなかった",
                    "学内の研究者に受賞事例を紹介した",
                ),
            ),
            Q(
                "イノベーションネットアワード２０２０の応募について（複数回答可）",
                Kind.MULTIPLE,
                (
                    "表彰事業に応募を考えている",
                    "応募にふさわしい事業かどうか、アドバイスがほしい",
                    "まだ成果が出ていないので今まで応募しなかったが、今後は応募したい",
                    "連携している支援機関に紹介する予定である",
                    "応募を考えていない",
                    "その他（記述ください）",
                ),
                full=(4, 6, 13, 2, 22, 3),
                academic=(0, 1, 2, 0, 8, 1),
                others=(
                    "他部署の事業での応募を検討している",
                    "受賞した場合のメリットがよくわからない",
                ),
            ),
        ],
    ),
    (
        "新たなネットワークの機能、会員、事業",
        (),
        [
            Q(
                "新たなネットワークに必要な機能（複数回答可）",
                Kind.MULTIPLE,
                (
                    "イノベーションネットアワード表彰事業のような先進事例の顕彰機能",
                    "産学官金連携の先進的な取組に関する情報提供",
                    "イノベーションに関する施策等の情報提供",
                    "地域内の産学官ネットワークへの協力",
                    "広域的な支援機関等の相互交流・情報交換の場づくり",
                    "その他",
                ),
                full=(20, 30, 40, 15, 28, 1),
                academic=(3, 8, 9, 5, 6, 0),
                others=("会員の相談に応じる事務局の窓口機能",),
            ),
            Q(
                "どのような情報が得られるとよいか（複数回答可）",
                Kind.MULTIPLE,
                (
                    "他地域の先進的な支援事例",
                    "国等の最新の施策情報",
                    "最新の業界動向情報",
                    "専門人材等の情報",
                    "その他",
                ),
                full=(43, 39, 33, 16, 0),
                academic=(9, 10, 5, 4, 1),
                others=("大学の研究シーズと企業ニーズのマッチング情報",),
            ),
            Q(
                "新たなネットワークについてのご意見・ご要望（自由記述）",
                Kind.LONG_TEXT,
                required=False,
                full=(
                    "地域ブロック単位での情報・意見交換会を定期的に開催してほしい。",
                    "国の施策説明を三省合同で聞ける場があるとありがたい。",
                    "アワード受賞事例の担当者と直接意見交換できる機会を増やしてほしい。",
                    "会費負担が重いので、会員であることのメリットを分かりやすく示してほしい。",
                    "産業支援機関の職員向けの人材育成研修を共同で実施できないか。",
                    "公設試や金融機関にも会員を広げ、地域を越えた連携を進めてほしい。",
                ),
                academic=(
                    "大学の産学連携部門の職員が参加できる研修があるとよい。",
                    "学術機関会員同士の情報交換の場を設けてほしい。",
                    "地域企業とのマッチングにつながる情報提供を期待している。",
                ),
            ),
        ],
    ),
    (
        "産業支援機関の現状と強化策（正会員のみ）",
        ("full",),
        [
            Q(
                "職員の属性",
                Kind.BREAKDOWN,
                STAFF,
                full=STAFF_ROWS,
                unit="%",
                help_text="職員数に占める割合を、合計が100%になるようご記入ください。",
            ),
            Q("内部人材を強化したいですか", Kind.SINGLE, ("はい", "いいえ"), full=(40, 8)),
            Q(
                "内部人材で強化したい人材クラス（複数回答可）",
                Kind.MULTIPLE,
                ("若手", "中堅", "幹部", "シニア(OB人材など)", "その他(記述ください。)"),
                full=(36, 32, 10, 6, 3),
                others=("技術系の専門職員", "デジタル分野に強い人材"),
                when="はい",
            ),
            Q(
                "事業財源の構成",
                Kind.BREAKDOWN,
                FUNDS,
                full=FUND_ROWS,
                unit="%",
                help_text="事業費に占める割合を、合計が100%になるようご記入ください。",
            ),
            Q(
                "プロパー職員数",
                Kind.NUMBER,
                full=(12, 35, 8, 54, 21, None, 16, 40, 27, 9, 5, 63, 18, None, 30, 11),
                required=False,
                unit="人",
                minimum=0,
                maximum=1000,
            ),
        ],
    ),
    (
        "学術機関における地域イノベーションの取組について（学術機関会員のみ）",
        ("academic",),
        [
            Q(
                "地域イノベーションの取組で連携している相手（複数回答可）",
                Kind.MULTIPLE,
                (
                    "産業支援機関",
                    "公設試験研究機関",
                    "地方自治体",
                    "金融機関",
                    "地域企業",
                    "その他（記述ください）",
                ),
                academic=(9, 5, 10, 4, 11, 2),
                others=("地域の商工会議所", "他大学の産学連携本部"),
            ),
            Q(
                "地域イノベーションの取組で特に力を入れていること（簡潔に）",
                Kind.SHORT_TEXT,
                required=False,
                academic=(
                    "地域企業との共同研究の拡大",
                    "技術相談窓口の運営",
                    "自治体と連携したリカレント教育",
                    "地域課題解決型のPBL授業",
                    "大学発ベンチャーの創出支援",
                    "産学官金による地域プラットフォームの運営",
                    "知的財産の地域企業への移転",
                    "ものづくり人材の育成講座",
                    "農工連携による新商品開発",
                    "中小企業向け技術セミナーの開催",
                ),
            ),
        ],
    ),
    (
        "会費について（正会員のみ）",
        ("full",),
        [
            Q(
                "会費について",
                Kind.SINGLE,
                ("現行のままでよい", "減額を希望する", "その他（記述ください）"),
                full=(25, 20, 3),
                others=(
                    "口数制など会員規模に応じた会費制度を希望する",
                    "事業内容の見直しとあわせて検討してほしい",
                ),
            ),
        ],
    ),
]


class Built(NamedTuple):
    question: Question
    options: list[Option]
    spec: Q
    classes: tuple[str, ...]


def seed(*, user) -> Survey:
    """Create or rebuild the demo survey and its responses; running it again changes
    nothing but the dates, which stay around today so that the survey is open."""
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    classes = MembershipClass.objects.in_bulk(list(BASE), field_name="code")
    survey, _created = Survey.objects.update_or_create(
        title=TITLE,
        defaults={
            "introduction": INTRODUCTION,
            "opens_at": now - timedelta(days=30),
            "closes_at": now + timedelta(days=30),
            "anonymous": False,
            "reminder_limit": 2,
            "reminder_interval_days": 7,
            "results_published_at": None,
        },
    )
    survey.classes.set(classes.values())
    survey.blocks.clear()
    Response.objects.filter(survey=survey).delete()
    Question.objects.filter(survey=survey).update(condition_question=None)
    Question.objects.filter(survey=survey).delete()
    survey.sections.all().delete()

    built = _build(survey, classes)
    loaded = questionnaire.load(survey)
    answered = []
    for code in BASE:
        institutions = _institutions(code)
        respondents, waiting = institutions[:-1], institutions[-1:]
        for organisation, values in zip(
            respondents, _answers(built, code, len(respondents)), strict=True
        ):
            response = services.response_for(survey, organisation)
            services.save_draft(response.pk, values, base_version=response.version, user=user)
            form = services.submit(response.pk, loaded, user=user)
            if not form.is_valid():
                raise ValueError(f"{organisation}: {form.errors.as_json()}")
            answered.append(response.pk)
        for organisation in waiting:
            services.response_for(survey, organisation)
    demo_member = Organisation.objects.get(name=member_demo.DEMO_MEMBER_ORGANISATION)
    services.response_for(survey, demo_member)

    responses = list(Response.objects.filter(survey=survey))
    # Full and academic members' submissions interleaved over the past weeks, 13 hours apart.
    order = {pk: i * 17 % len(answered) for i, pk in enumerate(answered)}
    for response in responses:
        response.invited_at = survey.opens_at + timedelta(hours=1)
        if response.pk in order:
            response.submitted_at = survey.opens_at + timedelta(
                days=1, hours=13 * order[response.pk]
            )
            response.updated_at = response.submitted_at
    Response.objects.bulk_update(responses, ["invited_at", "submitted_at", "updated_at"])
    return survey


def _build(survey: Survey, classes: dict) -> list[Built]:
    built: list[Built] = []
    for section_order, (title, codes, specs) in enumerate(SECTIONS, 1):
        section = Section.objects.create(survey=survey, order=section_order, title=title)
        for spec in specs:
            number = len(built) + 1
            condition = built[-1] if spec.when else None
            question = Question.objects.create(
                survey=survey,
                section=section,
                order=number,
                code=f"Q{number}",
                text=spec.text,
                kind=spec.kind,
                required=spec.required,
                unit=spec.unit,
                help_text=spec.help_text,
                minimum=spec.minimum,
                maximum=spec.maximum,
                condition_question=condition.question if condition else None,
                bank=_bank(spec) if spec.bank else None,
            )
            question.classes.set([classes[code] for code in codes])
            scored = [label for label in spec.options if not _is_other(spec, label)]
            options = Option.objects.bulk_create(
                Option(
                    question=question,
                    order=order,
                    code=str(order),
                    label=label,
                    is_other=_is_other(spec, label),
                    value=len(scored) - scored.index(label)
                    if spec.kind == Kind.RATING and label in scored
                    else None,
                )
                for order, label in enumerate(spec.options, 1)
            )
            if condition:
                question.condition_options.set(
                    [o for o in condition.options if o.label == spec.when]
                )
            built.append(Built(question, options, spec, codes))
    return built


def _bank(spec: Q) -> BankQuestion:
    return BankQuestion.objects.update_or_create(code=spec.bank, defaults={"text": spec.text})[0]


def _is_other(spec: Q, label: str) -> bool:
    return spec.kind != Kind.BREAKDOWN and label.startswith("その他")


def _institutions(code: str) -> list[Organisation]:
    """The demo institutions of the class, without the demo member's (it answers live)."""
    names = [
        org.name
        for org in member_demo.ORGANISATIONS
        if org.membership == code and org.name != member_demo.DEMO_MEMBER_ORGANISATION
    ]
    return list(Organisation.objects.filter(name__in=names).order_by("sort_key", "pk"))


def _answers(built: list[Built], code: str, n: int) -> list[dict[str, list[str]]]:
    """Form values of `n` respondents of the class."""
    values: list[dict[str, list[str]]] = [{} for _ in range(n)]
    chosen: list[dict[int, set[str]]] = [{} for _ in range(n)]
    for number, (question, options, spec, codes) in enumerate(built):
        if codes and code not in codes:
            continue
        data = getattr(spec, code)
        shown = [
            i
            for i in range(n)
            if not spec.when or spec.when in chosen[i].get(question.condition_question_id, ())
        ]
        if spec.kind in (Kind.SINGLE, Kind.RATING, Kind.MULTIPLE):
            counts = _scale(data, BASE[code], len(shown), single=spec.kind != Kind.MULTIPLE)
            slots = [
                option for option, count in zip(options, counts, strict=True) for _ in range(count)
            ]
            picks: dict[int, list[Option]] = {i: [] for i in shown}
            for slot, option in enumerate(slots):  # an option's slots go to distinct people
                picks[shown[(slot + 5 * number) % len(shown)]].append(option)
            others = iter(spec.others * n)
            for i, picked in picks.items():
                values[i][question.field_name] = [str(o.pk) for o in picked]
                if any(o.is_other for o in picked):
                    values[i][question.other_field_name] = [next(others)]
                chosen[i][question.pk] = {o.label for o in picked}
        elif spec.kind == Kind.BREAKDOWN:
            for k, i in enumerate(shown):
                row = list(data[k % len(data)])
                shift = 2 * (k // len(data) % 4) - 3  # -3, -1, 1, 3: averages unchanged
                row[0], row[1] = row[0] - shift, row[1] + shift
                for option, part in zip(options, row, strict=True):
                    values[i][question.part_field_name(option)] = [str(part)]
        elif spec.kind == Kind.NUMBER:
            for k, i in enumerate(shown):
                if data[k % len(data)] is not None:
                    values[i][question.field_name] = [str(data[k % len(data)])]
        else:  # free text: the first respondents write something
            for i, text in zip(shown, data, strict=False):
                values[i][question.field_name] = [text]
    return values


def _scale(counts: tuple, base: int, n: int, *, single: bool) -> list[int]:
    """Counts per `base` institutions as counts among `n`, rounded half up; a single
    answer's counts by largest remainder, so that they add up to `n`."""
    if not single:
        return [min(n, floor(Fraction(c * n, base) + Fraction(1, 2))) for c in counts]
    quotas = [Fraction(c * n, sum(counts)) for c in counts]
    scaled = [floor(q) for q in quotas]
    for j in sorted(range(len(quotas)), key=lambda j: scaled[j] - quotas[j])[: n - sum(scaled)]:
        scaled[j] += 1
    return scaled
