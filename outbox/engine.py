"""The bulk mail engine: the newsletter and every other app's bulk mail go through it.

A mailing's recipients are fixed as Delivery rows when it starts. Dispatch tasks then take
one of MAILING_PARALLEL_TASKS sender slots (so never more connections to the relay than
that), claim batches with SELECT … FOR UPDATE SKIP LOCKED under their owner token, send them
over one reused connection and mark each row sent, only while they still own it, as soon as
the relay accepts it. The lease on claimed rows is renewed while a sender works; a sender
that dies frees its slot with its database connection, and its rows go back to the queue, so
at most the one message it had on the wire is sent twice. Everything lives in PostgreSQL,
the shared rate limit included; the broker only carries tasks.
"""

import logging
import smtplib
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta

from anymail.exceptions import AnymailError, AnymailRequestsAPIError
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import http_api, renderers
from .models import Delivery, Mailing, Pace
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
    """As many tasks as there are sender slots; those that find every slot taken end at
    once, so launching again (a resume, a restarted worker) never opens more connections."""
    from .tasks import dispatch

    for _ in range(settings.MAILING_PARALLEL_TASKS):
        dispatch.delay(mailing_id)


def release_stale_claims() -> int:
    """Put back rows whose sender stopped renewing its lease (it died, and its slot has
    not been taken again since)."""
    return Delivery.objects.filter(
        status=Delivery.Status.SENDING, lease_until__lt=timezone.now()
    ).update(status=Delivery.Status.QUEUED, lease_until=None, owner="")


# The first key of the sender slots' advisory locks ("outb"); the slot number is the second.
_SLOT_LOCK = 0x6F757462


class Sender:
    """One of MAILING_PARALLEL_TASKS slots, each one connection to the relay at most.

    A slot is a session-level advisory lock in PostgreSQL: a process that dies frees it the
    moment its database connection closes, and the next holder puts back the dead one's rows
    at once instead of waiting for their lease to end. Rows carry the holder's token; the
    lease on them is renewed while the sender works, and ownership is checked before each
    send, so a live sender's rows never go to another one (issue 24's duplicates).
    """

    def __init__(self, slot: int):
        self.slot = slot
        self.token = f"{slot}:{uuid.uuid4().hex}"
        self.lease = settings.MAILING_LEASE_SECONDS
        self.owned: set[int] = set()
        self.valid_until = 0.0  # time.monotonic() until which no other sender can take them

    @classmethod
    def take(cls) -> "Sender | None":
        with connection.cursor() as cursor:
            for slot in range(1, settings.MAILING_PARALLEL_TASKS + 1):
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_SLOT_LOCK, slot])
                if cursor.fetchone()[0]:
                    sender = cls(slot)
                    Delivery.objects.filter(
                        status=Delivery.Status.SENDING, owner__startswith=f"{slot}:"
                    ).update(status=Delivery.Status.QUEUED, lease_until=None, owner="")
                    return sender
        return None

    def release(self) -> None:
        """Unsent rows go back to the queue (a pause, an error) and the slot is freed."""
        Delivery.objects.filter(owner=self.token, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.QUEUED, lease_until=None, owner=""
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_SLOT_LOCK, self.slot])

    def claim(self, mailing_id: int, size: int, after: int = 0) -> list[Delivery]:
        """Up to `size` due rows past `after`; rows other senders hold are skipped.
        Continuing after the last claimed id keeps a claim from walking past every row
        already sent, which made claims slower as the mailing went on."""
        started = time.monotonic()
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
                owner=self.token,
                lease_until=now + timedelta(seconds=self.lease),
            )
        self.owned = {row.pk for row in rows}
        self.valid_until = started + self.lease
        return rows

    def holds(self, delivery_id: int) -> bool:
        """Whether the row is still ours, with at least two thirds of the lease left for
        sending it: past a third of the lease it is renewed first."""
        if time.monotonic() > self.valid_until - self.lease * 2 / 3:
            self._renew()
        return delivery_id in self.owned

    def _renew(self) -> None:
        started = time.monotonic()
        mine = Delivery.objects.filter(owner=self.token, status=Delivery.Status.SENDING)
        renewed = mine.update(lease_until=timezone.now() + timedelta(seconds=self.lease))
        if renewed != len(self.owned):  # we were too slow once and others took some back
            logger.warning(
                "Sender %s lost %s rows it had claimed", self.slot, len(self.owned) - renewed
            )
            self.owned = set(mine.values_list("pk", flat=True))
        self.valid_until = started + self.lease

    def mark_sent(self, cursor, delivery_id: int) -> None:
        """As soon as the relay accepted the message, before the next one starts, so a
        sender killed at any point sends again at most the message on the wire; and only
        while the row is still ours."""
        cursor.execute(_MARK_SENT, [Delivery.Status.SENT, delivery_id, self.token])
        self.owned.discard(delivery_id)
        if cursor.rowcount != 1:
            logger.warning("Delivery %s was sent after its claim had passed on", delivery_id)

    def mark_failed(self, delivery: Delivery, error: str, *, permanent: bool) -> None:
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
        Delivery.objects.filter(pk=delivery.pk, owner=self.token).update(
            attempts=attempts, lease_until=None, owner="", error=error[:300], **update
        )
        self.owned.discard(delivery.pk)


_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = now(), "
    "lease_until = NULL, owner = '', error = '' WHERE id = %s AND owner = %s"
)


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
    """One SMTP connection (or whichever backend is configured), opened once and reused.

    Each wait on the relay is cut at a sixth of the lease, so that one send (three
    exchanges) ends before the sender's rows could pass to another sender.
    """

    def __init__(self):
        self.backend = get_connection(fail_silently=False)
        limit = settings.MAILING_LEASE_SECONDS / 6
        self.backend.timeout = min(getattr(self.backend, "timeout", None) or limit, limit)
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


# Senders pace themselves a little under the relay's limit, so that the jitter of a busy
# machine (a few milliseconds per message) never puts more than the limit into any second
# the relay counts.
_PACE_SHARE = 0.97

_PACE = f"""
INSERT INTO {Pace._meta.db_table} (id, next_at) VALUES (1, clock_timestamp() + %(step)s)
ON CONFLICT (id) DO UPDATE
SET next_at = GREATEST({Pace._meta.db_table}.next_at, clock_timestamp()) + %(step)s
RETURNING EXTRACT(EPOCH FROM next_at - clock_timestamp()) - EXTRACT(EPOCH FROM %(step)s)
"""


def pace() -> None:
    """Wait for this message's turn under MAILING_RATE_PER_SECOND, across all senders.

    Each message takes the next slot, one interval after the previous one, from a row in
    PostgreSQL (the one clock every sender shares): no second, and no window of one second
    starting anywhere, gets more than the limit.
    """
    rate = settings.MAILING_RATE_PER_SECOND
    if not rate:
        return
    with connection.cursor() as cursor:
        cursor.execute(_PACE, {"step": timedelta(seconds=1 / (rate * _PACE_SHARE))})
        wait = float(cursor.fetchone()[0])
    if wait > 0:
        time.sleep(wait)


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


def _send_batch(relay: Relay, render: Renderer, mailing: Mailing, sender: Sender, batch) -> None:
    """Render each row (renderers may query) just before sending it, and mark it.

    Rendering counts against the lease like sending does: a batch of slow renders (invoice
    notices build PDFs) rendered ahead of sending outlived its lease, and its rows went to
    another sender.
    """
    failing = False
    with connection.cursor() as cursor:
        for delivery in batch:
            if not sender.holds(delivery.pk):
                continue
            try:
                message = render(mailing, delivery)
            except Exception as error:  # this row's data or a template: a retry will not help
                logger.exception(
                    "Delivery %s of mailing %s did not render", delivery.pk, mailing.pk
                )
                sender.mark_failed(delivery, f"not rendered: {error!r}", permanent=True)
                _count_failure(mailing.pk)
                failing = True
                continue
            if not isinstance(message, Prepared):  # a spliced message carries its own
                message.extra_headers["Message-ID"] = delivery.message_id
            pace()
            if not sender.holds(delivery.pk):
                continue
            try:
                relay.send(message)
            except (smtplib.SMTPException, OSError, AnymailError) as error:
                code, permanent = failure(error)
                sender.mark_failed(delivery, f"{code or ''} {error}".strip(), permanent=permanent)
                if code is None:
                    relay.reset()
                _count_failure(mailing.pk)
                failing = True
            else:
                sender.mark_sent(cursor, delivery.pk)
                if failing:
                    Mailing.objects.filter(pk=mailing.pk).update(failures_in_a_row=0)
                    failing = False


def _held_by_others(mailing_id: int) -> bool:
    return Delivery.objects.filter(mailing_id=mailing_id, status=Delivery.Status.SENDING).exists()


def _send_all(relay: Relay, render: Renderer, mailing: Mailing, sender: Sender) -> None:
    after = 0
    while Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).exists():
        release_stale_claims()
        batch = sender.claim(mailing.pk, settings.MAILING_BATCH_SIZE, after)
        if batch:
            after = batch[-1].pk
            _send_batch(relay, render, mailing, sender, batch)
        elif after:  # once more from the start: released rows, retries
            after = 0
        elif _held_by_others(mailing.pk):
            time.sleep(1)
        else:
            break


def dispatch(mailing_id: int) -> None:
    """Send the mailing's due rows until none is left, as one of the sender slots.

    A pause takes effect at the next batch. Rows other senders still hold are waited for:
    if their sender dies, they come back when its lease ends and are sent from here.
    Retries that are not due yet are left to resume_stalled, which beat runs every minute.
    """
    sender = Sender.take()
    if sender is None:
        return  # every slot is sending; they finish this mailing too
    try:  # the slot is let go even when the relay refuses us: the worker keeps its session
        mailing = Mailing.objects.get(pk=mailing_id)
        render = renderers.get(mailing.renderer)
        relay = Relay()
        try:
            with _asynchronous_commit():
                _send_all(relay, render, mailing, sender)
        finally:
            relay.close()
    finally:
        sender.release()
    _finish_if_done(mailing_id)
    resume_stalled(exclude=mailing_id)  # a mailing that found no slot free gets this one


def _finish_if_done(mailing_id: int) -> None:
    pending = Delivery.objects.filter(
        mailing_id=mailing_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    if not pending.exists():
        Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.DONE, finished_at=timezone.now()
        )


_HELD_SLOTS = """
SELECT objid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND classid = %s AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def _orphaned() -> Q:
    """Mailings with rows claimed under a slot nobody holds: their sender died, and only
    the next holder of the slot puts them back before their lease ends. Near the end of a
    mailing they may be all that is left, with nothing queued."""
    with connection.cursor() as cursor:
        cursor.execute(_HELD_SLOTS, [_SLOT_LOCK])
        held = {slot for (slot,) in cursor.fetchall()}
    orphaned = Q(pk__in=[])
    for slot in range(1, settings.MAILING_PARALLEL_TASKS + 1):
        if slot not in held:
            orphaned |= Q(deliveries__owner__startswith=f"{slot}:")
    return Q(deliveries__status=Delivery.Status.SENDING) & orphaned


def resume_stalled(exclude: int | None = None) -> int:
    """Start senders for sending mailings that still have due rows (after crashes,
    restarts, due retries, or a mailing that waited for a slot), or rows of dead senders."""
    release_stale_claims()
    now = timezone.now()
    due = Q(deliveries__status=Delivery.Status.QUEUED) & (
        Q(deliveries__next_attempt_at__isnull=True) | Q(deliveries__next_attempt_at__lte=now)
    )
    stalled = (
        Mailing.objects.filter(status=Mailing.Status.SENDING)
        .exclude(pk=exclude)
        .filter(due | _orphaned())
        .distinct()
        .values_list("pk", flat=True)
    )
    for mailing_id in stalled:
        launch(mailing_id)
    return len(stalled)
