from django.db import migrations

from newsletter.defaults import create_defaults


def create(apps, schema_editor):
    create_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
