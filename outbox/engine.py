"""The bulk mail engine: the newsletter and every other app's bulk mail go through it.

A mailing's recipients are fixed as Delivery rows when it starts. Any number of dispatch
tasks then claim batches with SELECT … FOR UPDATE SKIP LOCKED, send them over one reused
SMTP connection and mark each row sent as soon as the server accepts it. A claim is a
lease: rows of a worker that died go back to the queue when it ends, so at most the one
message that was on the wire is sent twice. Everything lives in PostgreSQL; Redis only
carries tasks and the shared rate limit.
"""

import logging
import smtplib
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta

from anymail.exceptions import AnymailError, AnymailRequestsAPIError
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import http_api, renderers
from .models import Delivery, Mailing
from .renderers import Renderer
from .wire import Prepared

logger = logging.getLogger(__name__)


def start_mailing(name: str, renderer: str, recipients: Iterable[dict], *, user=None) -> Mailing:
    """Fix the recipients (dicts of Delivery fields) and start workers once committed.

    `renderer` is a name registered in outbox.renderers. An address listed twice gets one
    delivery.
    """
    renderers.get(renderer)  # fail now on a typo, not in every worker
    mailing = Mailing.objects.create(name=name, renderer=renderer, created_by=user)
    Delivery.objects.bulk_create(
        (Delivery(mailing=mailing, **recipient) for recipient in recipients),
        batch_size=2000,
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: launch(mailing.pk))
    return mailing


def launch(mailing_id: int) -> None:
    from .tasks import dispatch

    for _ in range(settings.MAILING_PARALLEL_TASKS):
        dispatch.delay(mailing_id)


def release_stale_claims() -> int:
    """Put rows claimed by workers that died back in the queue."""
    return Delivery.objects.filter(
        status=Delivery.Status.SENDING, lease_until__lt=timezone.now()
    ).update(status=Delivery.Status.QUEUED, lease_until=None)


def claim(mailing_id: int, size: int, after: int = 0) -> list[Delivery]:
    """Up to `size` due rows past `after`, leased to the caller; rows other workers hold
    are skipped. Continuing after the last claimed id keeps a claim from walking past every
    row already sent, which made claims slower as the mailing went on."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(mailing_id=mailing_id, status=Delivery.Status.QUEUED, pk__gt=after)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")[:size]
        )
        Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Delivery.Status.SENDING,
            lease_until=now + timedelta(seconds=settings.MAILING_LEASE_SECONDS),
        )
    return rows


def _send_wire(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """smtplib's sendmail for one bare address and bytes in wire format.

    sendmail parses both addresses again for every message, which costs more than the rest
    of the engine's work on it; the errors raised are sendmail's.
    """
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.docmd("MAIL", f"FROM:<{sender}>")
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.docmd("RCPT", f"TO:<{recipient}>")
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.data(data)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)


class Relay:
    """One SMTP connection (or whichever backend is configured), opened once and reused."""

    def __init__(self):
        self.backend = get_connection(fail_silently=False)
        self.backend.open()

    def send(self, message: EmailMessage) -> None:
        smtp = getattr(self.backend, "connection", None)
        if isinstance(message, Prepared) and isinstance(smtp, smtplib.SMTP):
            _send_wire(smtp, message.envelope_from, message.to[0], message.data)
        else:
            self.backend.send_messages([message])

    def reset(self) -> None:
        """After a broken connection: the next send opens a new one."""
        self.backend.close()
        self.backend.open()

    def close(self) -> None:
        self.backend.close()


def wait_for_rate_slot() -> None:
    """Respect MAILING_RATE_PER_SECOND across all workers (a per-second counter in the cache)."""
    rate = settings.MAILING_RATE_PER_SECOND
    if not rate:
        return
    while True:
        second = int(time.time())
        key = f"mailing-rate:{second}"
        cache.add(key, 0, timeout=5)
        if cache.incr(key) <= rate:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


def failure(error: Exception) -> tuple[int | None, bool]:
    """The server's code for a failed send (an SMTP reply or an HTTP status; None when the
    connection broke) and whether the failure is permanent, i.e. a retry is useless."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = min(code for code, _message in error.recipients.values())
        return code, code >= 500
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code, error.smtp_code >= 500
    if isinstance(error, AnymailRequestsAPIError) and error.status_code:
        return error.status_code, not http_api.retryable(error)
    # The network (an OSError), or a message the API backend refuses before sending it.
    return None, not isinstance(error, OSError)


_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = now(), "
    "lease_until = NULL, error = '' WHERE id = %s"
)


def _mark_sent(cursor, delivery_id: int) -> None:
    """Marks the row sent as soon as the server accepted its message, before the next one
    starts, so a worker killed at any point re-sends at most the message on the wire.

    Plain SQL on one cursor: psycopg prepares it on the connection after two runs
    (settings.prepared_statements), which spares the ORM's work for every message.
    """
    cursor.execute(_MARK_SENT, [Delivery.Status.SENT, delivery_id])


@contextmanager
def _asynchronous_commit():
    """Commits of the worker's session do not wait for the disk.

    A worker that dies loses nothing by it: PostgreSQL has the commit. Only a crash of the
    database server can forget the last fraction of a second of marks, and those messages
    would be sent again: the same trade as one message on the wire when a worker dies.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _mark_failed(delivery: Delivery, error: str, *, permanent: bool) -> None:
    """A permanent failure (5xx) or the last attempt ends the row; else retry later."""
    attempts = delivery.attempts + 1
    if permanent or attempts >= settings.MAILING_MAX_ATTEMPTS:
        update = {"status": Delivery.Status.FAILED}
    else:
        delay = settings.MAILING_RETRY_SECONDS * 2 ** (attempts - 1)
        update = {
            "status": Delivery.Status.QUEUED,
            "next_attempt_at": timezone.now() + timedelta(seconds=delay),
        }
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, lease_until=None, error=error[:300], **update
    )


def _count_failure(mailing_id: int) -> None:
    """Too many failures in a row pause the mailing for the secretariat to look at."""
    from .tasks import notify_paused

    Mailing.objects.filter(pk=mailing_id).update(failures_in_a_row=F("failures_in_a_row") + 1)
    paused = Mailing.objects.filter(
        pk=mailing_id,
        status=Mailing.Status.SENDING,
        failures_in_a_row__gte=settings.MAILING_MAX_FAILURES_IN_A_ROW,
    ).update(
        status=Mailing.Status.PAUSED,
        pause_reason=f"{settings.MAILING_MAX_FAILURES_IN_A_ROW} failures in a row",
    )
    if paused:
        transaction.on_commit(lambda: notify_paused.delay(mailing_id))


def pause(mailing_id: int, reason: str) -> bool:
    """Workers stop at their next batch; what they hold goes back to the queue."""
    return bool(
        Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.PAUSED, pause_reason=reason[:300]
        )
    )


def resume(mailing_id: int) -> bool:
    resumed = Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.PAUSED).update(
        status=Mailing.Status.SENDING, pause_reason="", failures_in_a_row=0
    )
    if resumed:
        transaction.on_commit(lambda: launch(mailing_id))
    return bool(resumed)


def _send_batch(relay: Relay, render: Renderer, mailing: Mailing, batch) -> None:
    """Render the batch (renderers may query), then send it, marking each row as it goes."""
    messages = []
    failing = False
    for delivery in batch:
        try:
            message = render(mailing, delivery)
        except Exception as error:  # this row's data or a template: a retry will not help
            logger.exception("Delivery %s of mailing %s did not render", delivery.pk, mailing.pk)
            _mark_failed(delivery, f"not rendered: {error!r}", permanent=True)
            _count_failure(mailing.pk)
            failing = True
            continue
        if not isinstance(message, Prepared):  # a spliced message carries its own
            message.extra_headers["Message-ID"] = delivery.message_id
        messages.append((delivery, message))
    with connection.cursor() as cursor:
        for delivery, message in messages:
            wait_for_rate_slot()
            try:
                relay.send(message)
            except (smtplib.SMTPException, OSError, AnymailError) as error:
                code, permanent = failure(error)
                _mark_failed(delivery, f"{code or ''} {error}".strip(), permanent=permanent)
                if code is None:
                    relay.reset()
                _count_failure(mailing.pk)
                failing = True
            else:
                _mark_sent(cursor, delivery.pk)
                if failing:
                    Mailing.objects.filter(pk=mailing.pk).update(failures_in_a_row=0)
                    failing = False


def dispatch(mailing_id: int) -> None:
    """Send the mailing's due rows until none is left; any number may run at once.

    A pause takes effect at the next batch. Retries that are not due yet are left to
    resume_stalled, which beat runs every minute.
    """
    mailing = Mailing.objects.get(pk=mailing_id)
    render = renderers.get(mailing.renderer)
    relay = Relay()
    try:
        with _asynchronous_commit():
            after = 0
            while Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).exists():
                release_stale_claims()
                batch = claim(mailing_id, settings.MAILING_BATCH_SIZE, after)
                if not batch and after:  # once more from the start: released rows, retries
                    after = 0
                    continue
                if not batch:
                    break
                after = batch[-1].pk
                _send_batch(relay, render, mailing, batch)
    finally:
        relay.close()
    _finish_if_done(mailing_id)


def _finish_if_done(mailing_id: int) -> None:
    pending = Delivery.objects.filter(
        mailing_id=mailing_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    if not pending.exists():
        Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.DONE, finished_at=timezone.now()
        )


def resume_stalled() -> int:
    """Start workers for sending mailings that still have work (after crashes or restarts)."""
    release_stale_claims()
    now = timezone.now()
    stalled = (
        Mailing.objects.filter(status=Mailing.Status.SENDING)
        .filter(
            Q(deliveries__status=Delivery.Status.QUEUED)
            & (
                Q(deliveries__next_attempt_at__isnull=True)
                | Q(deliveries__next_attempt_at__lte=now)
            )
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    for mailing_id in stalled:
        launch(mailing_id)
    return len(stalled)
