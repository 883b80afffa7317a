"""`python -m bench chaos` (`make chaos`): kill the newsletter's workers mid-dispatch.

The setup of bench/newsletter.py (real Celery workers, Redis, PostgreSQL, the aiosmtpd sink
in its own process) sends a newsletter issue while the worker's whole process group (main
and pool children) is SIGKILLed KILLS times, each when the sink's count passes a random
point, and restarted at once. Twice: into the plain sink, with newsletter.WORKERS pool
processes and sender slots; then into the slow relay of bench/relay.py (LATENCY, at most
CONNECTIONS connections, MAILING_RATE_PER_SECOND = LIMIT) on CONNECTIONS slots. Prints

    newsletter.chaos recipients=… kills=… connections_killed=… delivered=… duplicates=…
        lost=… max_stall_s=…
    outbox.chaos latency_ms=… limit_per_s=… recipients=… kills=… connections_killed=…
        delivered=… duplicates=… lost=… max_stall_s=…

(one line each). connections_killed sums the SMTP connections the sink had open at each
kill; a killed sender sends again at most the message it had on the wire, so the run fails
when a message is lost or more are sent twice than connections were killed. max_stall_s is
the longest gap between consecutive arrivals at the sink that ends after the first kill:
the longest time sending stopped after a kill.

Nothing here brings the dispatch back; the system does, as in production: a starting worker
enqueues resume_mailings (innonet/celery.py), whose senders take the free slots and with
them the dead senders' rows. (Beat's resume every minute does not run here.) The killed
tasks themselves stay unacknowledged in Redis until the visibility timeout (an hour) and
are not waited for; the end clears the broker so that no later run receives them.
"""

import random
import time
from itertools import pairwise

from django.conf import settings
from django.test import override_settings

from bench import mailsink, relay
from bench.common import check, progress
from bench.newsletter import RECIPIENTS, WORKERS, start_mailing, tally, worker_env
from bench.run import fresh_database
from bench.workers import Workers, broker_cleared
from outbox.models import Delivery, Mailing

KILLS = 5
RELAY_RECIPIENTS = 6_000  # about a minute at the relay's limit
TIMEOUT = 300  # seconds for the whole dispatch, kills and restarts included


class Harness:
    """Polls the sink while waiting for something, and kills the workers."""

    def __init__(self, sink: mailsink.Sink, workers: Workers, mailing_id: int, recipients: int):
        self.sink, self.workers = sink, workers
        self.mailing_id, self.recipients = mailing_id, recipients
        self.deadline = time.monotonic() + TIMEOUT
        self.kills: list[float] = []
        self.connections_killed = 0

    def received(self) -> int:
        return self.sink.status()[0]

    def wait_for_received(self, count: int) -> None:
        self.wait_for(lambda: self.received() >= count, f"{count} messages")

    def wait_for(self, condition, what: str) -> None:
        while not condition():
            check(
                time.monotonic() < self.deadline,
                f"chaos: timed out waiting for {what}, with {self.received()} received.",
            )
            time.sleep(0.05)

    def kill(self) -> None:
        self.connections_killed += self.sink.connections()
        self.kills.append(time.monotonic())
        self.workers.kill()

    def done(self) -> bool:
        return self.received() >= self.recipients and (
            Mailing.objects.filter(pk=self.mailing_id, status=Mailing.Status.DONE).exists()
        )


def max_stall(arrivals: list[float], first_kill: float) -> float:
    """The longest gap between consecutive arrivals that ends after the first kill."""
    times = sorted(arrivals)
    return max((b - a for a, b in pairwise(times) if b > first_kill), default=0.0)


def chaos(sink: mailsink.Sink, workers: Workers, recipients: int, parallel: int) -> str:
    """Dispatch with KILLS kills and restarts; the figures once the mailing is done."""
    sink.expect(recipients)
    with override_settings(MAILING_PARALLEL_TASKS=parallel):
        mailing_id = start_mailing(recipients)  # autocommit: the dispatch starts now
    harness = Harness(sink, workers, mailing_id, recipients)
    points = sorted(random.sample(range(recipients // 20, recipients * 9 // 10), KILLS))
    for kill, point in enumerate(points, 1):
        # Past the point, and sending since the last restart, so the kill hits live work.
        harness.wait_for_received(max(point, harness.received() + 1))
        harness.kill()
        progress(f"chaos: kill {kill} of {KILLS} at {harness.received()} messages; restarting")
        workers.start()
    harness.wait_for(harness.done, "the mailing to finish")
    sent = Delivery.objects.filter(mailing_id=mailing_id, status=Delivery.Status.SENT).count()
    check(sent == recipients, f"chaos: {sent} deliveries marked sent, expected {recipients}.")
    received = sink.report()
    duplicates, lost = tally(mailing_id, received)
    killed = harness.connections_killed
    figures = (
        f"recipients={recipients} kills={KILLS} connections_killed={killed} "
        f"delivered={recipients - lost} duplicates={duplicates} lost={lost} "
        f"max_stall_s={max_stall(received.arrivals, harness.kills[0]):.1f}"
    )
    check(lost == 0, f"chaos: {lost} messages lost: {figures}")
    check(duplicates <= killed, f"chaos: more sent twice than connections killed: {figures}")
    return figures


def run() -> None:
    check(not settings.DEBUG, "run with DEBUG=false (run `make chaos`).")
    fresh_database()  # first: it locks the broker for this run before anything clears it
    with broker_cleared():
        with mailsink.Sink() as sink:
            progress(f"chaos: a worker with {WORKERS} pool processes and sender slots")
            with Workers(WORKERS, worker_env(sink.port)) as workers:
                figures = chaos(sink, workers, RECIPIENTS, WORKERS)
        print(f"newsletter.chaos {figures}", flush=True)
        fresh_database()  # an issue goes to every reader in the database
        with mailsink.Sink(relay.LATENCY, relay.CONNECTIONS) as sink:
            env = worker_env(
                sink.port, relay.CONNECTIONS, MAILING_RATE_PER_SECOND=str(relay.LIMIT)
            )
            progress(f"chaos: the slow relay, {relay.CONNECTIONS} slots, {relay.LIMIT}/s")
            with Workers(relay.CONCURRENCY, env) as workers:
                figures = chaos(sink, workers, RELAY_RECIPIENTS, relay.CONNECTIONS)
        print(
            f"outbox.chaos latency_ms={relay.LATENCY * 1000:.0f} limit_per_s={relay.LIMIT} "
            f"{figures}",
            flush=True,
        )
