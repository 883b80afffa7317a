"""The main pages under load: gunicorn on PostgreSQL and Redis, wrk on loopback.

At 10,000 organisations with 50,000 contacts, 200 newsletter issues in the archive, 500 award
entries of ten announced past editions (with their 100 winners) and the 10,000-response
survey of bench/surveys.py (results published to members), each page is served by a
gunicorn subprocess with 3 sync workers, as deployed (DEBUG=false, the bench's environment,
bench/settings.py), and loaded by

    wrk -c20 -t2 -d<BENCH_WEB_SECONDS> --latency

with bench/web.lua, which counts every answer other than 2xx as an error (a redirect to the
login or to the two-factor set-up included) besides wrk's socket errors and timeouts.
Right before and right after each page, the floor (`bench/floor/` of bench/urls.py: the
same server, middleware and session cookie, no work of its own) is loaded the same way;
floor_p95_ms is the mean of its two p95s and the ratio is the page's p95 over it. Each run
starts once the previous one's requests have drained. One line per page:

    web.<page> concurrency=20 requests=N p50_ms=A p95_ms=B floor_p95_ms=F ratio=R errors=0

Member pages (dashboard, directory, newsletter archive, award winners, survey results) are
opened as a member contact; the admin's organisation list as the secretariat, with TOTP set
up and the session carrying the password and TOTP steps, as after a real two-step login.
Sessions are made by Django's test Client (force_login) in the bench's database.

Then `web.memory`: a gunicorn with one worker serves MEMORY_REQUESTS requests, cycling over
the six pages, in two halves; its RSS once it has answered one request (rss_start_mb), after
each half (rss_half_mb, rss_end_mb) and its high-water mark (VmHWM, rss_peak_mb) come from
/proc/<pid>/status.

`python -m bench web` (`make bench-web`) builds only what this scenario needs (no dues run:
the dashboard then shows no invoice); `make bench` runs it with all the others.
"""

import http.client
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

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awards.models import Decision, Entry
from bench.common import BenchError, check, progress
from bench.surveys import TITLE as SURVEY_TITLE
from bench.workers import _alive, memory_kb
from members import kana
from members.models import Organisation, Person
from newsletter.defaults import create_defaults
from newsletter.models import Issue, Masthead, Topic
from surveys.models import Survey
from tests.factories import add_totp, bulk_judging, make_edition

CONTACTS = 50_000
ISSUES = 200
EDITIONS = 10  # announced past editions: ENTRIES / EDITIONS entries each, 10 winners each
ENTRIES = 500
SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "8"))
CONNECTIONS = 20
MEMORY_REQUESTS = 10_000
# gunicorn as the Dockerfile and docker compose run it: 3 sync workers, one request at a
# time each; the 20 connections queue in the listen backlog, as behind the reverse proxy.
# (Threads in a worker share Python's lock: under load they multiplied the time of the
# CPU-bound pages, the admin's above all, while the floor hardly changed.)
WORKERS = 3
LUA = Path(__file__).with_name("web.lua")
HOST = "testserver"  # in ALLOWED_HOSTS of the bench's environment (Makefile, BENCH_ENV)


# --- Data -------------------------------------------------------------------------------


def build_contacts() -> None:
    """Four more contacts per organisation, up to CONTACTS (bench/run.py made one each)."""
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
    """EDITIONS announced editions of ENTRIES / EDITIONS scored entries each, with every
    prize decided (10 winners an edition)."""
    progress(f"web: {EDITIONS} announced award editions, {ENTRIES} entries")
    year = timezone.localdate().year
    for k in range(EDITIONS):
        edition = make_edition(year - EDITIONS + k, phase="announced")
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


def build(survey: Survey) -> None:
    office = get_user_model().objects.get(email="office@bench.example")
    with transaction.atomic():
        build_contacts()
        build_issues(office)
        build_winners(office)
        Survey.objects.filter(pk=survey.pk).update(results_published_at=timezone.now())
        # The secretariat's accounts are superusers (tests/conftest.py: secretariat).
        get_user_model().objects.filter(pk=office.pk).update(is_superuser=True)
        if not office.authenticator_set.exists():
            add_totp(office)
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
    (port, worker pids) once every worker answers. Its output goes to stderr."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "innonet.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--log-level", "warning", "--error-logfile", "-"),
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
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
                if len(pids) == workers and get(port, "/bench/floor/")[0] == 200:
                    break
            time.sleep(0.2)
        # Each worker imports the app at boot; one request each loads the rest (templates,
        # the static manifest) before anything is measured or the start RSS is read.
        for _ in range(4 * workers):
            get(port, "/bench/floor/")
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
    deadline, but up to WORKERS of its requests are still being served."""
    while True:
        started = time.monotonic()
        get(port, "/bench/floor/")
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def wrk(port: int, path: str, cookie: str, seconds: int, *extra: str) -> dict[str, float]:
    """wrk's figures through bench/web.lua: requests, p50_ms, p95_ms, errors.

    With `extra` (TARGETS, TOTAL: bench_memory), wrk runs until its threads have had TOTAL
    responses between them (at most `seconds`)."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        marker = f"{folder}/done-"
        process = subprocess.Popen(
            [
                *("wrk", f"-c{CONNECTIONS}", "-t2", f"-d{seconds}s", "--latency"),
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


def pages(survey: Survey) -> list[tuple[str, str, bool, str]]:
    """(name, path, as the secretariat, a text the page must show)."""
    first = Organisation.objects.order_by("name_kana").first()
    newest_issue = Issue.objects.published().order_by("-sent_at").first()
    newest_winner = (
        Decision.objects.select_related("entry")
        .order_by("-edition__year", "prize__order", "entry__title")
        .first()
    )
    return [
        ("dashboard", reverse("portal:dashboard"), False, 'href="/members/organisation/"'),
        ("directory", reverse("members:directory"), False, first.short_name or first.name),
        ("newsletter_archive", reverse("newsletter:index"), False, newest_issue.subject),
        ("award_winners", reverse("awards:winners"), False, newest_winner.entry.title),
        (
            "survey_results",
            reverse("surveys:results", args=[survey.pk]),
            False,
            'class="survey-result',
        ),
        ("admin_organisations", reverse("admin:members_organisation_changelist"), True, "10000"),
    ]


def bench_web(survey: Survey | None = None) -> list[str]:
    survey = survey or Survey.objects.get(title=SURVEY_TITLE)
    build(survey)
    users = get_user_model().objects
    cookies = {
        False: session_cookie(users.get(email="member@bench.example")),
        True: session_cookie(users.get(email="office@bench.example"), mfa=True),
    }
    lines, failures = [], []
    listed = pages(survey)
    progress(f"web: gunicorn --workers {WORKERS} (sync); wrk {SECONDS} s per run")
    with gunicorn(WORKERS) as (port, _pids):
        for name, path, staff, marker in listed:
            cookie = cookies[staff]
            status, body = get(port, path, cookie)
            check(status == 200, f"GET {path} answered {status}.")
            check(marker in body, f"GET {path} does not show {marker!r}.")
            progress(f"web: floor, {path}, floor")
            runs = []
            for target in ("/bench/floor/", path, "/bench/floor/"):
                settle(port)
                runs.append(wrk(port, target, cookie, SECONDS))
            before, page, after = runs
            floor_p95 = (before["p95_ms"] + after["p95_ms"]) / 2
            line = (
                f"web.{name} concurrency={CONNECTIONS} requests={page['requests']} "
                f"p50_ms={page['p50_ms']:.1f} p95_ms={page['p95_ms']:.1f} "
                f"floor_p95_ms={floor_p95:.1f} "
                f"ratio={page['p95_ms'] / floor_p95:.2f} errors={page['errors']}"
            )
            print(line, flush=True)
            lines.append(line)
            if any(run["errors"] for run in runs):
                failures.append(f"{path}: {[run['errors'] for run in runs]} errors")
    line = bench_memory(listed, cookies)
    print(line, flush=True)
    lines.append(line)
    check(not failures, "pages answered errors: " + "; ".join(failures))
    return lines


def bench_memory(listed, cookies) -> str:
    """One worker serving MEMORY_REQUESTS requests over the pages, round robin, in two
    halves: its RSS after the first half and after the second show whether it still grows."""
    progress(f"web: memory, one worker, {MEMORY_REQUESTS} requests over {len(listed)} pages")
    half = MEMORY_REQUESTS // 2
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="bench-web-") as targets:
        for _name, path, staff, _marker in listed:
            targets.write(f"{path} {cookies[staff]}\n")
        targets.flush()
        with gunicorn(1) as (port, (pid,)):
            rss = [memory_kb(pid)["VmRSS"]]
            served = errors = 0
            for _ in range(2):
                figures = wrk(port, "/", "", 600, targets.name, str(half))
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
