"""`python -m bench relay` (`make bench-relay`, and last in `make bench`): the mail engine
against a relay as slow and as strict as a provider's.

The sink of bench/mailsink.py plays the relay: it answers each message LATENCY seconds late
and keeps at most CONNECTIONS connections open (one more gets 421). The newsletter issue of
bench/newsletter.py (RECIPIENTS readers) goes out through a worker of CONCURRENCY pool
processes on CONNECTIONS sender slots (more processes than slots, so that the resume task a
starting worker enqueues never waits behind the senders), twice, each time timed as
newsletter.send_issue() says:

- under MAILING_RATE_PER_SECOND = LIMIT, against that limit. over_limit_seconds counts the
  windows of one second that hold more than LIMIT messages: one window starts at each
  message's arrival at the sink (its DATA in) and holds the arrivals t with
  start <= t < start + 1 s. A relay that counts any second refuses a message in each.
- with no limit, against what the relay lets through: CONNECTIONS / LATENCY per second.

Prints

    outbox.relay latency_ms=… connections=… limit_per_s=… recipients=… rate=… ratio=…
        over_limit_seconds=… duplicates=… lost=…
    outbox.relay latency_ms=… connections=… limit_per_s=0 recipients=… rate=… ceiling=…
        ratio=… duplicates=… lost=…

(one line each), and exits non-zero when a message is lost or sent twice, or the relay
refused a connection.
"""

from bisect import bisect_left

from bench import mailsink
from bench.common import check, progress
from bench.newsletter import RECIPIENTS, send_issue, tally, worker_env
from bench.run import fresh_database
from bench.workers import Workers, broker_cleared

LATENCY = 0.05
CONNECTIONS = 8
CONCURRENCY = 10
LIMIT = 100
TIMEOUT = 400  # seconds to deliver everything; about 206 at 97% of LIMIT


def over_limit(arrivals: list[float], limit: int) -> int:
    """Windows of one second, one starting at each arrival, that hold more than `limit`."""
    times = sorted(arrivals)
    return sum(
        bisect_left(times, start + 1) - bisect_left(times, start) > limit for start in times
    )


def send(limit: int) -> tuple[float, mailsink.Received, int, int]:
    """The issue through the relay under `limit` (0: none): rate, what the relay received,
    duplicates and lost."""
    with mailsink.Sink(LATENCY, CONNECTIONS) as sink:
        env = worker_env(sink.port, CONNECTIONS, MAILING_RATE_PER_SECOND=str(limit))
        progress(f"relay: {CONCURRENCY} pool processes, {CONNECTIONS} slots, limit {limit}/s")
        with Workers(CONCURRENCY, env):
            mailing_id, rate = send_issue(sink, CONNECTIONS, TIMEOUT)
        received = sink.report()
    first, last = min(received.arrivals), max(received.arrivals)
    progress(
        f"relay: {(len(received.arrivals) - 1) / (last - first):.1f}/s from the first message "
        f"to the last; {RECIPIENTS / rate - (last - first):.1f} s from the launch to the first"
    )
    return rate, received, *tally(mailing_id, received)


def run() -> None:
    fresh_database()
    relay = f"outbox.relay latency_ms={LATENCY * 1000:.0f} connections={CONNECTIONS}"
    with broker_cleared():
        rate, received, duplicates, lost = send(LIMIT)
        windows = over_limit(received.arrivals, LIMIT)
        print(
            f"{relay} limit_per_s={LIMIT} recipients={RECIPIENTS} rate={rate:.1f} "
            f"ratio={rate / LIMIT:.3f} over_limit_seconds={windows} "
            f"duplicates={duplicates} lost={lost}",
            flush=True,
        )
        refused = received.refused
        rate, received, more_duplicates, more_lost = send(0)
        ceiling = CONNECTIONS / LATENCY
        print(
            f"{relay} limit_per_s=0 recipients={RECIPIENTS} rate={rate:.1f} "
            f"ceiling={ceiling:.0f} ratio={rate / ceiling:.3f} "
            f"duplicates={more_duplicates} lost={more_lost}",
            flush=True,
        )
    refused += received.refused
    check(refused == 0, f"relay: {refused} connections refused: more senders than slots.")
    check((duplicates, lost, more_duplicates, more_lost) == (0, 0, 0, 0), "relay: not once each.")
