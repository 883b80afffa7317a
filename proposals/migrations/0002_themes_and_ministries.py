"""The themes and ministries the network starts with: data the secretariat edits."""

from django.db import migrations

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


def create(apps, schema_editor):
    for model, rows in (("Theme", THEMES), ("Ministry", MINISTRIES)):
        Model = apps.get_model("proposals", model)
        for order, (name, name_en) in enumerate(rows, start=1):
            Model.objects.get_or_create(name=name, defaults={"name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
