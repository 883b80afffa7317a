from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as account_demo
from assemblies import demo as assembly_demo
from awards import demo as award_demo
from dues import demo as dues_demo
from events import demo as event_demo
from members import demo as member_demo
from members.models import Person
from newsletter import demo as newsletter_demo
from proposals import demo as proposal_demo
from surveys import demo as survey_demo


class Command(BaseCommand):
    help = "Create (or refresh) believable demo data and one demo login per role. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        member_demo.seed()
        dues_demo.seed()
        account_demo.seed_users(Person.objects.get(email=member_demo.DEMO_MEMBER_PERSON_EMAIL))
        users = get_user_model().objects
        newsletter_demo.seed(
            users.get(email=account_demo.SECRETARIAT), users.get(email=account_demo.EDITOR)
        )
        award_demo.seed(
            judge_user=users.get(email=account_demo.JUDGE),
            applicant_user=users.get(email=account_demo.APPLICANT),
            office_user=users.get(email=account_demo.SECRETARIAT),
        )
        survey_demo.seed(user=users.get(email=account_demo.SECRETARIAT))
        assembly_demo.seed(user=users.get(email=account_demo.SECRETARIAT))
        event_demo.seed(user=users.get(email=account_demo.SECRETARIAT))
        proposal_demo.seed(user=users.get(email=account_demo.SECRETARIAT))
        statement = settings.MEDIA_ROOT / "demo" / "zengin-sample.txt"
        lines = dues_demo.write_sample_statement(statement)
        self.stdout.write(
            f"Sample bank statement ({lines} transfers) for the admin's import: {statement}"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Logins (password {account_demo.DEMO_PASSWORD!r}): "
                f"{account_demo.SECRETARIAT}, {account_demo.EDITOR}, {account_demo.JUDGE}, "
                f"{account_demo.MEMBER}, {account_demo.APPLICANT}"
            )
        )
