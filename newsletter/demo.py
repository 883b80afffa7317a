"""The newsletter's part of seed_demo: outside readers, back issues and a draft to approve."""

from datetime import datetime
from zoneinfo import ZoneInfo

from . import services
from .defaults import create_defaults
from .models import Issue, Masthead, Subscriber, Topic

TOKYO = ZoneInfo("Asia/Tokyo")

READERS = [
    ("tanaka@shinkin.example.jp", "田中 一郎", ["regional-finance", "support-measures"]),
    ("suzuki@town.example.lg.jp", "鈴木 真由美", ["policy", "support-measures", "events"]),
    ("sato@univ.example.ac.jp", "佐藤 健一", ["collaboration", "award"]),
    ("kato@cci.example.or.jp", "加藤 花子", ["industry-support", "events"]),
]

ISSUES = [
    (
        "イノベーションネット通信 2026年4月号",
        datetime(2026, 4, 15, 10, tzinfo=TOKYO),
        Issue.Visibility.PUBLIC,
        ["policy", "support-measures"],
        "## 令和8年度の中小企業支援施策\n\n"
        "経済産業省から令和8年度の**地域未来投資促進事業**の公募が始まりました。"
        "地域の産業支援機関が伴走する案件は、加点の対象になります。\n\n"
        "- 公募期間：2026年4月15日〜5月31日\n"
        "- 補助率：2分の1（小規模事業者は3分の2）\n\n"
        "詳しくは[公募要領](https://www.meti.go.jp/)をご覧ください。",
    ),
    (
        "イノベーションネットアワード2027 募集開始",
        datetime(2026, 11, 2, 10, tzinfo=TOKYO),
        Issue.Visibility.PUBLIC,
        ["award", "events"],
        "## 地域産業支援プログラムを募集します\n\n"
        "イノベーションネットアワード2027の募集を開始しました。"
        "経済産業大臣賞、文部科学大臣賞、農林水産大臣賞ほかを選定します。\n\n"
        "- 他薦の締切：2026年12月20日\n"
        "- 自薦の締切：2027年1月31日\n\n"
        "応募が賞の趣旨に合うか迷う場合は、事務局にご相談ください。",
    ),
    (
        "【会員限定】令和8年度 総会のご案内",
        datetime(2026, 5, 20, 10, tzinfo=TOKYO),
        Issue.Visibility.MEMBERS,
        ["events"],
        "## 総会を開催します\n\n"
        "令和8年度の総会を6月18日（木）に東京で開催します。"
        "議決権は会員ポータルから電子的に行使できます。\n\n"
        "1. 令和7年度事業報告・決算\n"
        "2. 令和8年度事業計画・予算",
    ),
    (
        "地域金融機関との連携事例（北陸・九州）",
        datetime(2025, 9, 10, 10, tzinfo=TOKYO),
        Issue.Visibility.MEMBERS,
        ["regional-finance", "industry-support"],
        "## 信用金庫と支援機関の協働\n\n"
        "公益財団法人石川県産業創出支援機構と地元信用金庫が進める、"
        "事業承継と新事業展開の一体支援を紹介します。",
    ),
]

DRAFT = (
    "イノベーションネット通信 2026年12月号",
    "## 年末のご挨拶\n\n本年もイノベーションネットの活動にご協力いただき、"
    "ありがとうございました。\n\n## 1月の勉強会\n\n"
    "受賞プログラムのノウハウを学ぶ勉強会を、1月22日に金沢で開催します。",
)


def seed(author, approver) -> None:
    create_defaults()
    masthead = Masthead.objects.order_by("pk").first()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    for email, name, slugs in READERS:
        subscriber, created = Subscriber.objects.get_or_create(
            email=email,
            defaults={"name": name, "confirmed_at": datetime(2026, 1, 5, tzinfo=TOKYO)},
        )
        if created:
            subscriber.topics.set([topics[slug] for slug in slugs])
            services.record(subscriber, "subscribe", "demo data")
    services.sync_member_subscribers()
    for subject, sent_at, visibility, slugs, body in ISSUES:
        issue, created = Issue.objects.get_or_create(
            subject=subject,
            defaults={
                "body": body,
                "masthead": masthead,
                "visibility": visibility,
                "status": Issue.Status.SENT,
                "created_by": author,
                "test_sent_at": sent_at,
                "approved_by": approver,
                "approved_at": sent_at,
                "send_at": sent_at,
                "sent_at": sent_at,
            },
        )
        if created:
            issue.topics.set([topics[slug] for slug in slugs])
    draft, created = Issue.objects.get_or_create(
        subject=DRAFT[0], defaults={"body": DRAFT[1], "masthead": masthead, "created_by": author}
    )
    if created:
        draft.topics.set([topics["events"], topics["industry-support"]])
