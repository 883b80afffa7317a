"""`python -m bench chaos` (`make chaos`): kill the newsletter's workers mid-dispatch.

The setup of bench/newsletter.py (real Celery workers, Redis, PostgreSQL, the aiosmtpd sink
in its own process) sends RECIPIENTS messages while the worker's whole process group (main
and pool children) is SIGKILLed KILLS times, each when the sink's count passes a random
point, and restarted at once. Prints

    newsletter.chaos recipients=… kills=… delivered=… duplicates=… lost=…

and exits non-zero when a message is lost or more are sent twice than there were kills.

What brings the dispatch back is what production has: the beat task resume_mailings,
here enqueued every RESUME_SECONDS by the harness (beat runs it every 60 s) so the run
stays short, with a lease of LEASE_SECONDS instead of 120 so dead workers' claims return
quickly. The killed tasks themselves stay unacknowledged in Redis until the visibility
timeout (an hour) and are not waited for: resume_mailings starts new ones, and
clear_broker() drops the dead ones at the end so that no later run receives them.
"""

import random
import time

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from bench import mailsink
from bench.common import check, progress
from bench.newsletter import RECIPIENTS, WORKERS, start_mailing, tally, worker_env
from bench.run import recreate_database
from bench.workers import Workers, clear_broker
from outbox.models import Delivery, Mailing
from outbox.tasks import resume_mailings

KILLS = 5
LEASE_SECONDS = 5
RESUME_SECONDS = 3
TIMEOUT = 300  # seconds for the whole dispatch, kills and restarts included


class Harness:
    """Polls the sink and keeps resume_mailings coming while waiting for something."""

    def __init__(self, sink: mailsink.Sink, mailing_id: int):
        self.sink, self.mailing_id = sink, mailing_id
        self.deadline = time.monotonic() + TIMEOUT
        self.resumed_at = time.monotonic()

    def received(self) -> int:
        return self.sink.status()[0]

    def wait_for(self, condition, what: str) -> None:
        while not condition():
            check(
                time.monotonic() < self.deadline,
                f"chaos: timed out waiting for {what}, with {self.received()} received.",
            )
            if time.monotonic() - self.resumed_at >= RESUME_SECONDS:
                resume_mailings.delay()
                self.resumed_at = time.monotonic()
            time.sleep(0.05)

    def wait_for_received(self, count: int) -> None:
        self.wait_for(lambda: self.received() >= count, f"{count} messages")

    def done(self) -> bool:
        return self.received() >= RECIPIENTS and (
            Mailing.objects.filter(pk=self.mailing_id, status=Mailing.Status.DONE).exists()
        )


def chaos(workers: Workers, sink: mailsink.Sink) -> tuple[int, int]:
    """Dispatch with KILLS kills and restarts; (duplicates, lost) once the mailing is done."""
    sink.expect(RECIPIENTS)
    with override_settings(MAILING_PARALLEL_TASKS=WORKERS):
        mailing_id = start_mailing(RECIPIENTS)  # autocommit: the dispatch starts now
    harness = Harness(sink, mailing_id)
    points = sorted(random.sample(range(RECIPIENTS // 20, RECIPIENTS * 9 // 10), KILLS))
    for kill, point in enumerate(points, 1):
        # Past the point, and sending since the last restart, so the kill hits live work.
        harness.wait_for_received(max(point, harness.received() + 1))
        workers.kill()
        progress(f"chaos: kill {kill} of {KILLS} at {harness.received()} messages; restarting")
        workers.start()
    harness.wait_for(harness.done, "the mailing to finish")
    sent = Delivery.objects.filter(mailing_id=mailing_id, status=Delivery.Status.SENT).count()
    check(sent == RECIPIENTS, f"chaos: {sent} deliveries marked sent, expected {RECIPIENTS}.")
    return tally(mailing_id, sink.report())


def run() -> None:
    check(not settings.DEBUG, "run with DEBUG=false (run `make chaos`).")
    progress(f"recreating database {settings.DATABASES['default']['NAME']}")
    recreate_database()
    call_command("migrate", interactive=False, verbosity=0)
    clear_broker()
    try:
        with mailsink.Sink() as sink:
            env = worker_env(sink.port, MAILING_LEASE_SECONDS=str(LEASE_SECONDS))
            progress(f"chaos: a worker with {WORKERS} pool processes, lease {LEASE_SECONDS} s")
            with Workers(WORKERS, env) as workers:
                duplicates, lost = chaos(workers, sink)
    finally:
        clear_broker()
    print(
        f"newsletter.chaos recipients={RECIPIENTS} kills={KILLS} "
        f"delivered={RECIPIENTS - lost} duplicates={duplicates} lost={lost}",
        flush=True,
    )
    check(lost == 0, f"chaos: {lost} messages lost.")
    check(duplicates <= KILLS, f"chaos: {duplicates} messages sent twice, after {KILLS} kills.")
