"""Dues run and member directory at 10,000 organisations, on PostgreSQL with DEBUG=false;
the award's results view (bench/awards.py); the survey results page (bench/surveys.py);
the general assembly's tally (bench/assemblies.py); 2,000 concurrent registrations for an
event of 1,500 places (bench/events.py); then the newsletter's dispatch through
real Celery workers (bench/newsletter.py). `make bench` runs the pages under load
(bench/web.py, in a database of its own) and the slow relay (bench/relay.py) after these;
bench/__main__.py chooses.

Run through `make bench` (which sets the environment); django.setup() has been called by
bench/__main__.py. Prints one line of figures per scenario on stdout, progress on stderr.
The database is dropped and rebuilt each time so that figures from two runs compare. The
registry's builders here serve bench/web.py too, which grows the demo's data with them.
"""

import time
from datetime import date

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections, transaction
from django.db.models import Count, Max, Min, Sum
from django.test import Client
from django.urls import reverse
from psycopg import sql

from bench.assemblies import bench_tally
from bench.awards import bench_results
from bench.common import check, page_figures, progress
from bench.events import bench_registrations
from bench.newsletter import bench_dispatch
from bench.surveys import bench_survey_results
from dues.mail import INVOICE_NOTICE
from dues.models import DuesRun, Invoice, InvoiceLine, InvoiceSequence, Issuer
from dues.services import execute_dues_run
from innonet.celery import app as celery_app
from members import fiscal, selectors
from members.demo import BLOCK_OF_PREFECTURE, BLOCKS, KINDS
from members.models import (
    Membership,
    MembershipClass,
    MembershipYear,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    RegionalBlock,
)
from outbox.engine import pause
from outbox.models import Delivery, Mailing
from tests.factories import add_totp

ORGANISATIONS = 10_000
UNITS = 2
UNIT_PRICE = 50_000
DIRECTORY_REQUESTS = 100
BATCH = 1_000
# Databases of the test suite and of other runs; the bench must never drop them.
FORBIDDEN_DATABASES = {"innonet", "test_innonet", "innonet_dev"}

# Legal forms with their readings, so that names and kana vary like a real register.
LEGAL_FORMS = [
    ("公益財団法人", "コウエキザイダンホウジン"),
    ("一般社団法人", "イッパンシャダンホウジン"),
    ("株式会社", "カブシキガイシャ"),
    ("国立大学法人", "コクリツダイガクホウジン"),
    ("地方独立行政法人", "チホウドクリツギョウセイホウジン"),
]
FAMILY_NAMES = [("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ")]
GIVEN_NAMES = [("花子", "ハナコ"), ("太郎", "タロウ"), ("真由美", "マユミ"), ("健一", "ケンイチ")]


# The maintenance connection of recreate_database(): open until the process ends.
_maintenance = None


def recreate_database() -> None:
    """Drop and create the bench database from a connection to the `postgres` maintenance db.

    That connection stays open for the rest of the run and holds advisory locks on the
    database's name and the broker's URL: a second bench on either fails at once instead of
    dropping the first one's database or taking its tasks.
    """
    global _maintenance
    db = settings.DATABASES["default"]
    check(
        db["ENGINE"] == "django.db.backends.postgresql",
        "DATABASE_URL must point to PostgreSQL (run `make bench`).",
    )
    name = db["NAME"]
    check(
        name not in FORBIDDEN_DATABASES and "bench" in name,
        f"refusing to drop database {name!r}: its name must contain 'bench'.",
    )
    if _maintenance is None:
        params = {"dbname": "postgres", "user": db["USER"], "password": db["PASSWORD"]}
        params.update(host=db["HOST"], port=db["PORT"])
        _maintenance = psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)
    for resource in (f"database {name}", f"broker {settings.CELERY_BROKER_URL}"):
        lock = _maintenance.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [resource])
        check(
            lock.fetchone()[0],
            f"another bench is using the {resource}: wait for it, or run this one elsewhere "
            "(BENCH_DATABASE_URL, BENCH_BROKER_URL, BENCH_CACHE_URL).",
        )
    _maintenance.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )
    _maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def organisation(n: int, kinds, blocks) -> Organisation:
    form, form_kana = LEGAL_FORMS[n % len(LEGAL_FORMS)]
    prefecture = n % 47 + 1
    org = Organisation(
        name=f"{form}テスト産業支援機構{n:05d}",
        name_kana=f"{form_kana}テストサンギョウシエンキコウ{n:05d}",
        short_name=f"テスト産業支援機構{n:05d}",
        name_en=f"Test Industry Support Organisation {n:05d}",
        kind=kinds[n % len(kinds)],
        prefecture=prefecture,
        block=blocks[BLOCK_OF_PREFECTURE[prefecture]],
        postal_code="9200000",
        address="石川県金沢市鞍月2丁目1番地",
        phone="076-000-0000",
        website=f"https://www.org{n:05d}.example.jp/",
        description="ものづくり企業の試作開発から販路開拓までを一貫して支援しています。",
    )
    # bulk_create skips save(), which is where search_text and sort_key are normally filled.
    org.derive_fields()
    return org


def add_registry(numbers, kinds, blocks, membership_class, fiscal_year: int) -> list:
    """Organisations `numbers` (organisation()) as current members of `membership_class`, each
    with a billing contact and its membership year of `fiscal_year`, with bulk_create (a
    per-row save would dominate the setup time)."""
    organisations = Organisation.objects.bulk_create(
        (organisation(n, kinds, blocks) for n in numbers), batch_size=BATCH
    )
    joined = date(2020, 4, 1)
    Membership.objects.bulk_create(
        (
            Membership(organisation=o, membership_class=membership_class, joined_on=joined)
            for o in organisations
        ),
        batch_size=BATCH,
    )
    people = Person.objects.bulk_create(
        (
            Person(
                organisation=o,
                family_name=FAMILY_NAMES[i % 4][0],
                family_name_kana=FAMILY_NAMES[i % 4][1],
                given_name=GIVEN_NAMES[i // 4 % 4][0],
                given_name_kana=GIVEN_NAMES[i // 4 % 4][1],
                department="総務課",
                email=f"billing@org{n:05d}.example.jp",
            )
            for i, (n, o) in enumerate(zip(numbers, organisations, strict=True))
        ),
        batch_size=BATCH,
    )
    PersonRole.objects.bulk_create(
        (
            PersonRole(
                person=p,
                organisation_id=p.organisation_id,
                kind=PersonRole.Kind.BILLING,
                starts_on=joined,
            )
            for p in people
        ),
        batch_size=BATCH,
    )
    MembershipYear.objects.bulk_create(
        (
            MembershipYear(
                organisation=o,
                fiscal_year=fiscal_year,
                membership_class=membership_class,
                units=UNITS,
                amount_due=membership_class.dues_for(UNITS),
                votes=membership_class.votes_for(UNITS),
                standing=MembershipYear.Standing.DUE,
            )
            for o in organisations
        ),
        batch_size=BATCH,
    )
    return organisations


@transaction.atomic
def build_data(fiscal_year: int):
    """The registry at scale: ORGANISATIONS organisations of one class, and two users."""
    User = get_user_model()
    blocks = RegionalBlock.objects.bulk_create(
        RegionalBlock(name=name, name_en=name_en, order=i)
        for i, (name, name_en) in enumerate(BLOCKS)
    )
    kinds = OrganisationKind.objects.bulk_create(
        OrganisationKind(name=name, name_en=name_en, order=i)
        for i, (name, name_en) in enumerate(KINDS[:4])
    )
    full = MembershipClass.objects.create(
        code="full",
        name="正会員",
        name_en="Full member",
        dues_rule=MembershipClass.DuesRule.PER_UNIT,
        unit_price=UNIT_PRICE,
        minimum_units=UNITS,
        votes_rule=MembershipClass.VotesRule.PER_UNIT,
        is_invoiced=True,
    )
    Issuer.objects.create(
        name="全国イノベーション推進機関ネットワーク",
        postal_code="1050001",
        address="東京都港区虎ノ門一丁目",
        bank_account="みずほ銀行 虎ノ門支店 普通 1234567\nｲﾉﾍﾞｰｼｮﾝﾈﾂﾄ",
    )
    by_block = {block.name: block for block in blocks}
    organisations = add_registry(range(1, ORGANISATIONS + 1), kinds, by_block, full, fiscal_year)
    # No usable passwords: hashing is slow and nobody logs in with them. Staff open staff pages
    # only with two-factor set up and the models' permissions (a superuser has them all).
    office = User.objects.create_user(
        email="office@bench.example", is_staff=True, is_superuser=True
    )
    add_totp(office)
    member = User.objects.create_user(email="member@bench.example")
    Person.objects.filter(organisation=organisations[0]).update(user=member)
    return office, member


def dues_run(fiscal_year: int, office) -> tuple[DuesRun, float]:
    """A dues run of `fiscal_year`, executed here as a worker runs it; (run, seconds)."""
    celery_app.control.purge()  # anything a failed earlier run left behind
    run = DuesRun.objects.create(fiscal_year=fiscal_year, started_by=office)
    started = time.perf_counter()
    execute_dues_run(run.pk)
    seconds = time.perf_counter() - started
    # Tasks are not eager: the notice mailing's dispatch tasks went to the broker on commit;
    # nothing consumes them here (the newsletter scenario times the mail engine), and it is
    # paused so that the newsletter's workers, which resume sending mailings as they start,
    # leave it alone.
    celery_app.control.purge()
    for mailing_id in Mailing.objects.filter(status=Mailing.Status.SENDING).values_list(
        "pk", flat=True
    ):
        pause(mailing_id, "bench: the dues run alone is timed")
    return run, seconds


def bench_dues_run(fiscal_year: int, office) -> str:
    """Time execute_dues_run alone; then check every invoice is there."""
    progress(f"dues run for FY{fiscal_year} over {ORGANISATIONS} organisations")
    run, seconds = dues_run(fiscal_year, office)
    notices = Delivery.objects.filter(
        mailing__renderer=INVOICE_NOTICE, key__startswith="invoice:"
    ).count()

    run.refresh_from_db()
    check(run.finished_at is not None, "the dues run did not finish.")
    check(
        run.targeted == run.processed == run.created == ORGANISATIONS,
        f"dues run counted targeted={run.targeted} processed={run.processed} "
        f"created={run.created}, expected {ORGANISATIONS} each.",
    )
    invoices = Invoice.objects.filter(fiscal_year=fiscal_year)
    figures = invoices.aggregate(
        count=Count("pk"),
        distinct=Count("number", distinct=True),
        first=Min("number"),
        last=Max("number"),
        total=Sum("total"),
    )
    count = figures["count"]
    check(count == ORGANISATIONS, f"{count} invoices, expected {ORGANISATIONS}.")
    check(
        (figures["first"], figures["last"], figures["distinct"]) == (1, count, count),
        f"invoice numbers are not 1..{count} without gaps: {figures}.",
    )
    sequence = InvoiceSequence.objects.get(fiscal_year=fiscal_year).last_number
    check(sequence == count, f"the invoice sequence says {sequence}, expected {count}.")
    expected_total = ORGANISATIONS * UNITS * UNIT_PRICE
    check(
        figures["total"] == expected_total,
        f"invoiced {figures['total']} yen, expected {expected_total}.",
    )
    lines = InvoiceLine.objects.filter(invoice__fiscal_year=fiscal_year).count()
    check(lines == count, f"{lines} invoice lines, expected {count}.")
    check(notices == count, f"{notices} invoice notices were queued, expected {count}.")
    noticed = invoices.filter(notice_sent_at__isnull=False).count()
    check(noticed == count, f"{noticed} invoices have their notice queued, expected {count}.")
    return f"dues.run organisations={ORGANISATIONS} invoices={count} seconds={seconds:.1f}"


def bench_directory(member) -> str:
    """p95 wall time of the directory's first page for a member contact, through the full stack."""
    listed = selectors.directory().count()
    check(listed == ORGANISATIONS, f"the directory lists {listed}, expected {ORGANISATIONS}.")
    first = selectors.directory().first()
    client = Client()
    client.force_login(member)
    url = reverse("members:directory")

    def get():
        response = client.get(url)
        check(response.status_code == 200, f"GET {url} answered {response.status_code}.")
        return response

    # Untimed warm-up: the first request loads middleware, templates and the static manifest.
    check(first.name in get().content.decode(), f"the first page does not show {first.name}.")
    progress(f"directory: {DIRECTORY_REQUESTS} requests")
    p95, queries = page_figures(get, DIRECTORY_REQUESTS)
    return f"members.directory organisations={listed} p95_ms={p95:.1f} queries={queries}"


def fresh_database() -> None:
    """The bench database dropped and migrated again, with the static files collected."""
    check(not settings.DEBUG, "run with DEBUG=false (run `make bench`).")
    check(not settings.CELERY_TASK_ALWAYS_EAGER, "run with CELERY_TASK_ALWAYS_EAGER=false.")
    progress(f"recreating database {settings.DATABASES['default']['NAME']}")
    connections.close_all()  # an earlier scenario's, which the drop would cut
    recreate_database()
    progress("migrate")
    call_command("migrate", interactive=False, verbosity=0)
    progress("collectstatic (DEBUG=false renders {% static %} from the manifest)")
    call_command("collectstatic", interactive=False, verbosity=0)


def prepare(fiscal_year: int):
    """A fresh bench database with the registry at scale; (office, member) users."""
    fresh_database()
    progress(f"building {ORGANISATIONS} organisations")
    return build_data(fiscal_year)


def run_events() -> None:
    """`python -m bench events` (`make bench-events`): the events' registrations alone, in a
    fresh bench database."""
    fresh_database()
    print(bench_registrations(), flush=True)


def run() -> None:
    fiscal_year = fiscal.current_fiscal_year()
    office, member = prepare(fiscal_year)
    print(bench_dues_run(fiscal_year, office), flush=True)
    print(bench_directory(member), flush=True)
    print(bench_results(), flush=True)
    print(bench_survey_results(), flush=True)
    print(bench_tally(), flush=True)
    print(bench_registrations(), flush=True)
    print(bench_dispatch(), flush=True)
