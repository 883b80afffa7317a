"""The main pages under load, at the demo's size and at 10,000 organisations.

Eight pages. As the demo's member contact: the dashboard, the member directory, the
newsletter archive, the award winners and the survey results (the demo survey's, published
to members). As the demo's secretariat, with TOTP set up and the session carrying the
password and TOTP steps as after a real two-step login: the award round's results (the
judging results view) and the admin's organisation and invoice lists. Sessions are made by
Django's test Client (force_login); the two demo logins, refused whenever DEBUG is off,
are made ordinary accounts here.

One database of its own (recreated), at two sizes: first what `manage.py seed_demo` creates
(about 60 organisations); then that grown to 10,000 organisations with bench/run.py's registry
builders and their invoices by a dues run, 50,000 contacts, 200 more newsletter issues, ten
more announced award editions (500 entries, 100 winners), 500 entries scored by 10 more
judges in the demo's round, and a response of every new organisation to the demo's survey.
The pages, users and sessions are the same at both sizes: only the amount of data differs.

At each size the caches are emptied (bulk writes do not mark what they cached out of date)
and a fresh gunicorn serves the portal as the Dockerfile runs it (innonet.wsgi, 3 sync
workers; DEBUG=false and the bench's environment). Each page is first loaded for a second
by as many clients as workers, unmeasured, so that every worker has served it, then by

    wrk -c<clients> -t<min(clients, 2)> -d<BENCH_WEB_SECONDS, default 5>s --latency

at 1 and at 10 clients, each run once the previous one's requests have drained, through
bench/web.lua, which counts every answer other than 2xx as an error (a redirect to the login
or to the two-factor set-up included) besides wrk's socket errors and timeouts. wrk's
percentiles are of the answers within the run: 10 clients on 3 workers queue, and a page
of a quarter of a second has only some sixty answers in 5 s. One line per page, size and
client count:

    web.<page> organisations=N clients=C p50_ms=A p95_ms=B queries=Q errors=0

queries is the number of SQL queries one request of the page runs: the test Client in this
process, with the same session, counts them once its caches are warm, as a worker's are.

Then `web.memory`, at 10,000 organisations: a gunicorn with one worker serves
BENCH_WEB_MEMORY_REQUESTS requests (default 2,000: about two minutes, most of it the
round's results) from 10 clients, cycling over the pages, in two halves; its RSS once
it has answered one request (rss_start_mb), after each half (rss_half_mb, rss_end_mb) and
its high-water mark (VmHWM, rss_peak_mb) come from /proc/<pid>/status.
"""

import http.client
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import demo as account_demo
from awards import demo as award_demo
from awards.models import Decision, Edition, Entry, Round
from bench import awards
from bench.common import BenchError, check, progress
from bench.run import ORGANISATIONS, add_registry, dues_run, fresh_database
from bench.workers import _alive, memory_kb
from dues.models import Invoice
from members import fiscal, selectors
from members.models import MembershipClass, Organisation, OrganisationKind, Person, RegionalBlock
from newsletter.defaults import create_defaults
from newsletter.models import Issue, Masthead, Topic
from portal import kana
from surveys import demo as survey_demo
from surveys.models import Survey
from tests.factories import add_totp, bulk_judging, bulk_responses, make_edition

CONTACTS = 50_000
ISSUES = 200
EDITIONS = 10  # announced past editions: ENTRIES / EDITIONS entries each, 10 winners each
ENTRIES = 500
SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "5"))
CLIENTS = (1, 10)
MEMORY_REQUESTS = int(os.environ.get("BENCH_WEB_MEMORY_REQUESTS", "2000"))
# gunicorn as the Dockerfile and docker compose run it: 3 sync workers, one request at a
# time each; more clients queue in the listen backlog, as behind the reverse proxy.
WORKERS = 3
LUA = Path(__file__).with_name("web.lua")
HOST = "testserver"  # in ALLOWED_HOSTS of the bench's environment (Makefile, BENCH_ENV)


class Page(NamedTuple):
    name: str
    path: str
    staff: bool  # opened by the secretariat, else by the member contact
    shows: str  # HTML the page must show (checked at each size)


# --- Data -------------------------------------------------------------------------------


def seed() -> tuple[Survey, Round]:
    """seed_demo's data; the demo survey's results published to members; the survey and
    the demo edition's first round."""
    progress("web: seed_demo")
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects
    with transaction.atomic():
        users.filter(email__in=[account_demo.SECRETARIAT, account_demo.MEMBER]).update(
            is_demo=False
        )
        add_totp(users.get(email=account_demo.SECRETARIAT))
        survey = Survey.objects.get(title=survey_demo.TITLE)
        Survey.objects.filter(pk=survey.pk).update(results_published_at=timezone.now())
    stage = Edition.objects.get(year=award_demo.YEAR).rounds.order_by("order").first()
    return survey, stage


def build_contacts() -> None:
    """More contacts, in turn over the organisations, up to CONTACTS."""
    have = Person.objects.count()
    organisations = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    more = CONTACTS - have
    progress(f"web: {more} more contacts")
    Person.objects.bulk_create(
        (
            Person(
                organisation_id=organisations[n % len(organisations)],
                family_name="田中",
                family_name_kana="タナカ",
                given_name=f"一郎{n}",
                given_name_kana="イチロウ",
                department="企画課",
                email=f"contact{n:05d}@org{n % len(organisations) + 1:05d}.example.jp",
            )
            for n in range(more)
        ),
        batch_size=5000,
    )


BODY = """## 今月の政策情報

地域の支援機関の皆様へ、第{n}号のお知らせです。**産学官連携**の事例を紹介します。

- 補助金の公募開始
- 地域イノベーション・フォーラムのご案内
"""


def build_issues(author) -> None:
    """ISSUES sent issues, one a fortnight back from now, a quarter of them members only."""
    progress(f"web: {ISSUES} newsletter issues")
    create_defaults()
    masthead = Masthead.objects.order_by("pk").first()
    topics = list(Topic.objects.order_by("pk"))
    now = timezone.now()
    rows = []
    for n in range(ISSUES):
        sent = now - timedelta(days=14 * (n + 1))
        issue = Issue(
            subject=f"イノベーションネット通信 第{ISSUES - n}号",
            body=BODY.format(n=ISSUES - n),
            masthead=masthead,
            visibility=Issue.Visibility.MEMBERS if n % 4 == 3 else Issue.Visibility.PUBLIC,
            status=Issue.Status.SENT,
            created_by=author,
            approved_by=author,
            approved_at=sent,
            sent_at=sent,
        )
        issue.search_text = kana.search_text(issue.subject, issue.body)  # save() does it
        rows.append(issue)
    issues = Issue.objects.bulk_create(rows)
    Issue.topics.through.objects.bulk_create(
        Issue.topics.through(issue=issue, topic=topics[n % len(topics)])
        for n, issue in enumerate(issues)
    )


def build_winners(office) -> None:
    """EDITIONS announced editions before the earliest one there is, of ENTRIES / EDITIONS
    scored entries each, with every prize decided (10 winners an edition)."""
    progress(f"web: {EDITIONS} announced award editions, {ENTRIES} entries")
    before = Edition.objects.earliest("year").year
    for k in range(EDITIONS):
        edition = make_edition(before - EDITIONS + k, phase="announced")
        stage = edition.rounds.order_by("order").first()
        bulk_judging(edition, stage, entries=ENTRIES // EDITIONS, judges=3, prefix=f"受賞{k}")
        entries = iter(Entry.objects.filter(edition=edition).order_by("pk"))
        Decision.objects.bulk_create(
            Decision(
                edition=edition,
                prize=prize,
                entry=next(entries),
                reason="地域への波及効果が大きい。",
                comment="今後の展開に期待する。",
                decided_by=office,
            )
            for prize in edition.prizes.order_by("order")
            for _ in range(prize.winners)
        )


def grow(survey: Survey, stage: Round) -> None:
    """The demo's data grown to ORGANISATIONS organisations (see the module's docstring)."""
    office = get_user_model().objects.get(email=account_demo.SECRETARIAT)
    fiscal_year = fiscal.current_fiscal_year()
    more = ORGANISATIONS - Organisation.objects.count()
    progress(f"web: {more} more organisations")
    with transaction.atomic():
        organisations = add_registry(
            range(1, more + 1),
            list(OrganisationKind.objects.order_by("order")),
            {block.name: block for block in RegionalBlock.objects.all()},
            MembershipClass.objects.get(code="full"),
            fiscal_year,
        )
    progress(f"web: dues run for FY{fiscal_year}")
    dues_run(fiscal_year, office)
    with transaction.atomic():
        build_contacts()
        build_issues(office)
        build_winners(office)
        progress(f"web: {awards.ENTRIES} entries × {awards.JUDGES} judges in the demo's round")
        bulk_judging(
            stage.edition,
            stage,
            entries=awards.ENTRIES,
            judges=awards.JUDGES,
            prefix="bench",
            chair=False,
        )
        progress(f"web: {more} responses to the demo's survey")
        bulk_responses(survey, organisations)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def session_cookie(user, *, mfa: bool = False) -> str:
    """`sessionid=…` of a session of `user` in the bench's database, as after a login (with
    the password and, for `mfa`, the TOTP step recorded as allauth records them)."""
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = client.session
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    if mfa:
        totp = user.authenticator_set.get(type="totp")
        records.append({"method": "mfa", "at": now, "id": totp.pk, "type": "totp"})
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={key}"


def counted(model) -> str:
    """The count under an admin list of all `model`'s rows ("10000 団体")."""
    return escape(f"{model.objects.count()} {model._meta.verbose_name_plural}")


def pages(survey: Survey, stage: Round) -> list[Page]:
    first_listed = selectors.directory().first()
    newest_issue = Issue.objects.published().order_by("-sent_at").first()
    newest_winner = (
        Decision.objects.select_related("entry")
        .order_by("-edition__year", "prize__order", "entry__title")
        .first()
    )
    return [
        Page("dashboard", reverse("portal:dashboard"), False, 'href="/members/organisation/"'),
        Page("directory", reverse("members:directory"), False, escape(first_listed.name)),
        Page(
            "newsletter_archive", reverse("newsletter:index"), False, escape(newest_issue.subject)
        ),
        Page("award_winners", reverse("awards:winners"), False, escape(newest_winner.entry.title)),
        Page(
            "survey_results",
            reverse("surveys:results", args=[survey.pk]),
            False,
            'class="survey-result',
        ),
        Page(
            "award_round_results",
            reverse("awards:results", args=[stage.pk]),
            True,
            escape(str(stage)),
        ),
        Page(
            "admin_organisations",
            reverse("admin:members_organisation_changelist"),
            True,
            counted(Organisation),
        ),
        Page(
            "admin_invoices",
            reverse("admin:dues_invoice_changelist"),
            True,
            counted(Invoice),
        ),
    ]


# --- Server and load --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str = "") -> tuple[int, str]:
    """(status, body) of one GET, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": HOST, "Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


@contextmanager
def gunicorn(workers: int):
    """A gunicorn master with `workers` sync workers on a free loopback port; yields
    (port, worker pids) once every worker is up and /healthz answers. Output to stderr."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "innonet.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--log-level", "warning", "--error-logfile", "-"),
        ],
        cwd=settings.BASE_DIR,
        stdout=sys.stderr,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            check(process.poll() is None, "gunicorn exited at start-up.")
            check(time.monotonic() < deadline, "gunicorn did not answer within 60 s.")
            pids = children(process.pid)
            with suppress(OSError):
                if len(pids) == workers and get(port, "/healthz")[0] == 200:
                    break
            time.sleep(0.2)
        yield port, pids
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        while _alive(process.pid):
            time.sleep(0.05)


def settle(port: int) -> None:
    """Waits until the requests of the previous run have drained: wrk stops sending at its
    deadline, but the requests its clients had sent are still queued or being served."""
    while True:
        started = time.monotonic()
        get(port, "/healthz")
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def wrk(port: int, path: str, cookie: str, seconds: int, clients: int, *extra: str) -> dict:
    """wrk's figures through bench/web.lua: requests, p50_ms, p95_ms, errors.

    With `extra` (TARGETS, TOTAL: bench_memory), wrk runs until its threads have had TOTAL
    responses between them (at most `seconds`)."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        marker = f"{folder}/done-"
        process = subprocess.Popen(
            [
                *("wrk", f"-c{clients}", f"-t{min(clients, 2)}", f"-d{seconds}s", "--latency"),
                *("--timeout", "30s", "-s", str(LUA), "-H", f"Host: {HOST}"),
                *(("-H", f"Cookie: {cookie}") if cookie else ()),
                f"http://127.0.0.1:{port}{path}",
                *(["--", *extra, marker] if extra else []),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if extra:
            while process.poll() is None and len(list(Path(folder).iterdir())) < 2:
                time.sleep(0.1)
            with suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)  # wrk prints its summary and ends
        stdout, stderr = process.communicate(timeout=seconds + 60)
    match = re.search(
        r"^bench requests=(\d+) p50_us=(\d+) p95_us=(\d+) errors=(\d+)$", stdout, re.MULTILINE
    )
    if process.returncode or not match:
        raise BenchError(f"wrk failed ({process.returncode}): {stdout}{stderr}")
    requests, p50, p95, errors = (int(group) for group in match.groups())
    return {"requests": requests, "p50_ms": p50 / 1000, "p95_ms": p95 / 1000, "errors": errors}


def queries(path: str, cookie: str) -> int:
    """SQL queries of one request of `path` with the session `cookie`, once this process
    has served it before (as a warm worker has)."""
    client = Client()
    client.cookies.load(cookie)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    check(response.status_code == 200, f"GET {path} answered {response.status_code} here.")
    return len(captured)


def measure(listed: list[Page], cookies: dict[bool, str]) -> list[str]:
    """Prints the lines of every page at the current size; returns the runs with errors."""
    organisations = Organisation.objects.count()
    for cache in caches.all():
        cache.clear()
    failures = []
    progress(f"web: {organisations} organisations, gunicorn --workers {WORKERS} (sync)")
    with gunicorn(WORKERS) as (port, _pids):
        for page in listed:
            cookie = cookies[page.staff]
            status, body = get(port, page.path, cookie)
            check(status == 200, f"GET {page.path} answered {status}.")
            check(page.shows in body, f"GET {page.path} does not show {page.shows!r}.")
            count = queries(page.path, cookie)
            progress(f"web: {page.path}, clients {', '.join(map(str, CLIENTS))}")
            wrk(port, page.path, cookie, 1, WORKERS)  # every worker serves it once at least
            for clients in CLIENTS:
                settle(port)
                figures = wrk(port, page.path, cookie, SECONDS, clients)
                check(figures["requests"], f"no answer from {page.path} within {SECONDS} s.")
                print(
                    f"web.{page.name} organisations={organisations} clients={clients} "
                    f"p50_ms={figures['p50_ms']:.1f} p95_ms={figures['p95_ms']:.1f} "
                    f"queries={count} errors={figures['errors']}",
                    flush=True,
                )
                if figures["errors"]:
                    failures.append(f"{page.path} ({clients} clients): {figures['errors']}")
    return failures


def bench_memory(listed: list[Page], cookies: dict[bool, str]) -> str:
    """One worker serving MEMORY_REQUESTS requests over the pages, round robin, in two
    halves: its RSS after the first half and after the second show whether it still grows."""
    progress(f"web: memory, one worker, {MEMORY_REQUESTS} requests over {len(listed)} pages")
    half = MEMORY_REQUESTS // 2
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="bench-web-") as targets:
        for page in listed:
            targets.write(f"{page.path} {cookies[page.staff]}\n")
        targets.flush()
        with gunicorn(1) as (port, (pid,)):
            get(port, listed[0].path, cookies[listed[0].staff])
            rss = [memory_kb(pid)["VmRSS"]]
            served = errors = 0
            for _ in range(2):
                figures = wrk(port, "/", "", 3600, max(CLIENTS), targets.name, str(half))
                served, errors = served + figures["requests"], errors + figures["errors"]
                settle(port)
                rss.append(memory_kb(pid)["VmRSS"])
            peak = memory_kb(pid)["VmHWM"]
    check(errors == 0, f"memory run: {errors} errors.")
    check(served >= MEMORY_REQUESTS, f"memory run: {served} requests, not {MEMORY_REQUESTS}.")
    start, middle, end = (kb / 1024 for kb in rss)
    return (
        f"web.memory requests={served} rss_start_mb={start:.0f} rss_half_mb={middle:.0f} "
        f"rss_end_mb={end:.0f} rss_peak_mb={peak / 1024:.0f}"
    )


def run() -> None:
    """`python -m bench web` (`make bench-web`); `make bench` runs it after bench/run.py."""
    fresh_database()
    survey, stage = seed()
    users = get_user_model().objects
    cookies = {
        False: session_cookie(users.get(email=account_demo.MEMBER)),
        True: session_cookie(users.get(email=account_demo.SECRETARIAT), mfa=True),
    }
    failures = measure(pages(survey, stage), cookies)
    grow(survey, stage)
    listed = pages(survey, stage)
    failures += measure(listed, cookies)
    print(bench_memory(listed, cookies), flush=True)
    check(not failures, "pages answered errors: " + "; ".join(failures))
