"""The topics and the default header/footer every installation starts with (editable after).

Used by a data migration, and by tests and seed_demo after a database flush.
"""

from django.apps import apps as installed_apps

TOPICS = [
    ("policy", "政策情報", "Policy information"),
    ("industry-support", "産業支援情報", "Industry support"),
    ("collaboration", "産学官連携", "Industry–academia collaboration"),
    ("regional-finance", "地域金融", "Regional finance"),
    ("support-measures", "支援施策", "Support measures"),
    ("award", "アワード情報", "Award news"),
    ("events", "イベント", "Events"),
]

HEADER = "全国イノベーション推進機関ネットワーク（イノベーションネット）メールマガジン"
FOOTER = (
    "全国イノベーション推進機関ネットワーク 事務局  \n"
    "（一般財団法人日本立地センター内）  \n"
    "〒102-0083 東京都千代田区麹町1-7-25  \n"
    "office@innonet.example"
)


def create_defaults(apps=installed_apps) -> None:
    Topic = apps.get_model("newsletter", "Topic")
    for order, (slug, name, name_en) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "order": order}
        )
    apps.get_model("newsletter", "Masthead").objects.get_or_create(
        name="標準", defaults={"header": HEADER, "footer": FOOTER}
    )
