from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as account_demo
from members import demo as member_demo
from members.models import Person


class Command(BaseCommand):
    help = "Create (or refresh) believable demo data and one demo login per role. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        member_demo.seed()
        account_demo.seed_users(Person.objects.get(email=member_demo.DEMO_MEMBER_PERSON_EMAIL))
        statement = settings.MEDIA_ROOT / "demo" / "zengin-sample.txt"
        lines = member_demo.write_sample_statement(statement)
        self.stdout.write(
            f"Sample bank statement ({lines} transfers) for the admin's import: {statement}"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Logins (password {account_demo.DEMO_PASSWORD!r}): "
                f"{account_demo.SECRETARIAT}, {account_demo.JUDGE}, "
                f"{account_demo.MEMBER}, {account_demo.APPLICANT}"
            )
        )
