"""Regional issues' part of seed_demo: this fiscal year's call, open, with issues from
several blocks, endorsements (one comment hidden by the secretariat, audited), and last
year's closed call with its issues, from which last year's proposal was compiled and
submitted (a version stored, the ministries' answers: 回答あり, 施策に反映, 継続要望). The
demo member's institution has submitted nothing yet, so the form and the endorse button are
there to try. Idempotent: a call already seeded is left as it is."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from members.fiscal import current_fiscal_year
from members.models import MembershipClass, Organisation

from . import services
from .models import Call, Endorsement, Ministry, Submission, Theme

THEMES = [
    ("人材育成", "Human resources development"),
    ("産学官金連携", "Industry-academia-government-finance collaboration"),
    ("財源", "Funding"),
    ("制度要望", "Requests for institutional reform"),
]
MINISTRIES = [
    ("経済産業省", "Ministry of Economy, Trade and Industry"),
    ("文部科学省", "Ministry of Education, Culture, Sports, Science and Technology"),
    ("農林水産省", "Ministry of Agriculture, Forestry and Fisheries"),
    ("その他", "Other"),
]
INTRODUCTION = (
    "全国の会員機関から**地域の諸課題・要望**を募集します。\n\n"
    "- 提出された課題は会員の皆様に公開され、賛同（同様の課題あり）を表明できます。\n"
    "- 事務局が取りまとめ、ネットワークの**国への提言**とします。\n"
)

# (institution, theme, title, background, request, ministries, visibility, hide name)
ISSUES = [
    (
        "公益財団法人ノーステック財団",
        "人材育成",
        "スタートアップ支援人材（EIR・アクセラレータ）の育成と確保",
        "道内ではスタートアップ支援を担える専門人材が不足しており、支援機関ごとに"
        "外部人材へ依存している。任期付き雇用が多く、ノウハウが蓄積しない。",
        "地域の支援機関が専門人材を継続して雇用できるよう、人件費を対象とする複数年度の"
        "補助制度の創設を求める。",
        ["経済産業省", "文部科学省"],
        "public",
        False,
    ),
    (
        "公益財団法人京都高度技術研究所",
        "産学官金連携",
        "大学発シーズの事業化に向けたギャップファンドの地域展開",
        "大学の研究成果を事業化するための初期資金（ギャップファンド）が大都市圏の大学に"
        "偏在しており、地域の中小企業との共同研究に結び付きにくい。",
        "地域の支援機関が大学と共同で運営できるギャップファンドの枠組みと財源措置を求める。",
        ["文部科学省", "経済産業省"],
        "public",
        False,
    ),
    (
        "公益財団法人宮崎県産業振興機構",
        "財源",
        "地域の支援機関の基盤的経費に対する財源の確保",
        "国の委託・補助事業は単年度の事業費が中心で、支援機関の基盤的経費（人件費・"
        "管理費）に充てられず、事業の継続性が損なわれている。",
        "間接経費の上限引上げと、基盤的経費に充当できる交付金の創設を求める。",
        ["経済産業省", "その他"],
        "members",
        True,
    ),
    (
        "公益財団法人吉備産業創造機構",
        "制度要望",
        "農商工連携事業における申請手続の簡素化",
        "農林水産省と経済産業省の支援制度で申請様式や報告様式が異なり、中小事業者の"
        "事務負担が大きい。",
        "両省の農商工連携関連制度について、申請・報告様式の統一と電子申請の共通化を求める。",
        ["農林水産省", "経済産業省"],
        "public",
        False,
    ),
    (
        "国立大学法人東北大学",
        "人材育成",
        "博士人材の地域企業への就職促進",
        "博士課程修了者の地域企業への就職が少なく、企業側にも受入れの経験が乏しい。",
        "地域企業が博士人材を採用する際の人件費補助と、長期インターンシップの制度化を求める。",
        ["文部科学省"],
        "members",
        False,
    ),
]
# (issue title, endorsing institution, comment)
ENDORSEMENTS = [
    ("スタートアップ支援人材（EIR・アクセラレータ）の育成と確保", "公益財団法人肥後産業創造機構",
     "当機関も同様の課題あり"),
    ("スタートアップ支援人材（EIR・アクセラレータ）の育成と確保", "公益財団法人京都高度技術研究所",
     "近畿でも同様です。"),
    ("スタートアップ支援人材（EIR・アクセラレータ）の育成と確保", "公益財団法人とやま産業創造機構",
     ""),
    ("地域の支援機関の基盤的経費に対する財源の確保", "公益財団法人琉球産業創造機構",
     "当機関も同様の課題あり"),
    ("地域の支援機関の基盤的経費に対する財源の確保", "公益財団法人長野県テクノ財団",
     "担当者の○○さんが詳しいので連絡してください（090-0000-0000）"),
    ("大学発シーズの事業化に向けたギャップファンドの地域展開", "国立大学法人九州大学",
     "九州でも大学と連携した仕組みづくりを検討中です。"),
]  # fmt: skip
HIDDEN = ("公益財団法人長野県テクノ財団", "個人名と電話番号が含まれるため（事務局）")

PAST_ISSUES = [
    (
        "公益財団法人ひょうご産業活性化センター",
        "産学官金連携",
        "地域金融機関と支援機関の連携による事業承継支援",
        "後継者不在の中小企業が増加しているが、金融機関と支援機関の情報共有が進んでいない。",
        "事業承継に関する金融機関・支援機関間の情報連携の仕組みと、その運営費の支援を求める。",
        ["経済産業省"],
        "public",
        False,
    ),
    (
        "公益財団法人さぬき産業創造機構",
        "人材育成",
        "デジタル人材の育成に向けた地域の研修拠点の整備",
        "地方の中小企業ではデジタル化を担う人材が不足し、研修の機会も都市部に集中している。",
        "地域の支援機関が運営するデジタル人材研修への継続的な支援を求める。",
        ["経済産業省", "文部科学省"],
        "public",
        False,
    ),
]


def _localised(model, rows):
    return {
        name: model.objects.get_or_create(name=name, defaults={"name_en": en, "order": n})[0]
        for n, (name, en) in enumerate(rows, 1)
    }


def _call(fiscal_year, title, opens_at, closes_at, themes) -> Call:
    call = Call.objects.create(
        fiscal_year=fiscal_year,
        title=title,
        introduction=INTRODUCTION,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    call.themes.set(themes.values())
    call.eligible_classes.set(MembershipClass.objects.filter(code__in=["full", "academic"]))
    return call


def _by_name(names) -> dict:
    return {o.name: o for o in Organisation.objects.filter(name__in=list(names))}


def _issues(call, rows, themes, ministries, user, submitted_at):
    organisations = _by_name(row[0] for row in rows)
    made = {}
    for n, (name, theme, title, background, request, concerned, visibility, hide) in enumerate(
        rows
    ):
        submission = Submission.objects.create(
            call=call,
            organisation=organisations[name],
            theme=themes[theme],
            title=title,
            background=background,
            request=request,
            visibility=visibility,
            hide_name=hide,
            status=Submission.Status.SUBMITTED,
            created_by=user,
            submitted_at=submitted_at + timedelta(hours=n),
        )
        submission.ministries.set([ministries[m] for m in concerned])
        made[title] = submission
    return made


@transaction.atomic
def seed(user) -> Call:
    """`user`: the secretariat's demo login, who entered the issues sent in by mail and
    hid one comment."""
    fiscal_year = current_fiscal_year()
    title = f"{fiscal_year}年度 地域の諸課題・要望の募集"
    existing = Call.objects.filter(title=title).first()
    if existing is not None:
        return existing
    themes = _localised(Theme, THEMES)
    ministries = _localised(Ministry, MINISTRIES)
    now = timezone.now()
    call = _call(fiscal_year, title, now - timedelta(days=10), now + timedelta(days=30), themes)
    issues = _issues(call, ISSUES, themes, ministries, user, now - timedelta(days=8))
    endorsers = _by_name(row[1] for row in ENDORSEMENTS)
    for issue_title, endorser, comment in ENDORSEMENTS:
        endorsement = Endorsement.objects.create(
            submission=issues[issue_title],
            organisation=endorsers[endorser],
            comment=comment,
            created_by=user,
        )
        if endorser == HIDDEN[0]:
            services.hide(endorsement, user, HIDDEN[1])
    past_opens = timezone.make_aware(datetime(fiscal_year - 1, 6, 1, 9))
    past = _call(
        fiscal_year - 1,
        f"{fiscal_year - 1}年度 地域の諸課題・要望の募集",
        past_opens,
        past_opens + timedelta(days=45),
        themes,
    )
    past_issues = _issues(
        past, PAST_ISSUES, themes, ministries, user, past_opens + timedelta(days=5)
    )
    _past_proposal(fiscal_year - 1, past_issues, themes, ministries, user)
    return call


FRONT_MATTER = """# はじめに

全国の地域イノベーション支援機関から寄せられた地域の諸課題・要望を集約し、国への提言として
取りまとめました。各項目には、課題を提出した機関と、同様の課題を抱える機関の賛同を添えています。

# 提言の構成

テーマごとに項目を並べ、関係省庁を記しています。"""

# (theme, title, text, cited issues' titles, ministries, follow-up after 提出済み)
PAST_ITEMS = [
    ("人材育成", "地域のデジタル人材研修への継続的支援",
     "地域の支援機関が運営するデジタル人材研修を、単年度ではなく複数年度で支援する制度を求める。",
     ["デジタル人材の育成に向けた地域の研修拠点の整備"], ["経済産業省", "文部科学省"],
     [("answered", "経済産業省", "地域DX人材育成事業の中で検討する。", 60),
      ("reflected", "経済産業省", "次年度予算で複数年度の研修支援を措置した。", 150)]),
    ("産学官金連携", "事業承継に関する金融機関と支援機関の情報連携",
     "事業承継の相談を金融機関と支援機関が共有できる仕組みと、その運営費の支援を求める。",
     ["地域金融機関と支援機関の連携による事業承継支援"], ["経済産業省"],
     [("answered", "経済産業省", "事業承継・引継ぎ支援センターとの連携を促す。", 75),
      ("continued", None, "運営費の支援は見送られたため、次年度も要望する。", 160)]),
    ("産学官金連携", "支援機関の連携基盤への支援",
     "地域の金融機関・支援機関・大学が連携する基盤づくりへの支援を求める。",
     ["地域金融機関と支援機関の連携による事業承継支援",
      "デジタル人材の育成に向けた地域の研修拠点の整備"], ["経済産業省", "文部科学省"],
     [("answered", "文部科学省", "産学官連携の既存事業の活用を案内する。", 90)]),
]  # fmt: skip


def _past_proposal(fiscal_year, issues, themes, ministries, user):
    """Last year's proposal, compiled from last year's issues, submitted, with the
    ministries' answers: some 回答あり, one 施策に反映, one 継続要望."""
    from datetime import date

    from . import compiling
    from .models import Proposal, ProposalItem

    proposal = Proposal.objects.create(
        fiscal_year=fiscal_year,
        title=f"{fiscal_year}年度 国への提言",
        front_matter=FRONT_MATTER,
        status=Proposal.Status.DRAFT,
    )
    items = []
    for order, (theme, title, text, cited, concerned, _steps) in enumerate(PAST_ITEMS, 1):
        item = ProposalItem.objects.create(
            proposal=proposal, theme=themes[theme], order=order, title=title, text=text
        )
        item.ministries.set([ministries[m] for m in concerned])
        compiling.group(item.pk, [issues[t].pk for t in cited])
        items.append(item)
    compiling.make_version(proposal.pk, user, "提出版")
    submitted_on = date(fiscal_year, 8, 1)
    compiling.submit_proposal(proposal.pk, user, submitted_on)
    for item, (*_row, steps) in zip(items, PAST_ITEMS, strict=True):
        for status, ministry, answer, days in steps:
            compiling.record_follow_up(
                item.pk,
                user,
                status,
                ministry=ministries[ministry] if ministry else None,
                answer=answer,
                answered_on=submitted_on + timedelta(days=days),
            )
    return proposal
