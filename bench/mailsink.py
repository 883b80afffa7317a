"""The SMTP sink that counts what arrives, and the plain-smtplib ceiling that feeds it.

No Django here: both run in processes of their own (multiprocessing "spawn"), so that the
server shares the GIL with neither the bench nor the senders. Spawn imports the parent's
main module again in each child: start them from `python -m bench`, or from a script whose
work is under `if __name__ == "__main__":`. The sink is aiosmtpd, as in
the tests; it keeps each message's Message-ID and envelope recipients, and the raw bytes of
every SAMPLE_EVERY-th message, so the bench can check addressing of all messages and the
content of a sample. Times are time.monotonic(), which is one clock for all processes.
"""

import multiprocessing
import re
import smtplib
import socket
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from bench.common import BenchError

SAMPLE_EVERY = 1000
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.MULTILINE | re.IGNORECASE)
_spawn = multiprocessing.get_context("spawn")


@dataclass
class Received:
    """What the sink got since the last expect(): one (Message-ID, recipients) per message."""

    messages: list[tuple[str, tuple[str, ...]]]
    samples: list[bytes]

    @property
    def duplicates(self) -> int:
        return len(self.messages) - len({message_id for message_id, _to in self.messages})


class _Recorder:
    """aiosmtpd handler; runs on the controller's event-loop thread."""

    def __init__(self):
        self.expect(0)

    def expect(self, count: int) -> None:
        self.messages, self.samples, self.ids = [], [], set()
        self.count, self.done_at = count, None

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        found = MESSAGE_ID.search(raw, 0, raw.find(b"\r\n\r\n"))
        message_id = found.group(1).decode() if found else ""
        if len(self.messages) % SAMPLE_EVERY == 0:
            self.samples.append(raw)
        self.messages.append((message_id, tuple(envelope.rcpt_tos)))
        self.ids.add(message_id)
        if self.done_at is None and len(self.ids) >= self.count:
            self.done_at = time.monotonic()
        return "250 OK"


def _serve(conn) -> None:
    """The sink process: an SMTP server on loopback, driven by commands over `conn`."""
    recorder = _Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send(port)
    try:
        while True:
            try:
                command, arg = conn.recv()
            except EOFError:  # the bench is gone
                return
            if command == "expect":
                recorder.expect(arg)
                conn.send(None)
            elif command == "status":
                conn.send((len(recorder.ids), recorder.done_at))
            elif command == "report":
                conn.send(Received(recorder.messages, recorder.samples))
    finally:
        controller.stop()


class Sink:
    """Handle on the sink process; use as a context manager."""

    def __enter__(self):
        self._conn, child = _spawn.Pipe()
        self._process = _spawn.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()  # the sink's end only: if the sink dies, recv() fails instead of hanging
        self.port = self._recv()
        return self

    def __exit__(self, *exc):
        self._conn.close()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()

    def _recv(self):
        try:
            return self._conn.recv()
        except EOFError:
            self._process.join(5)
            raise BenchError(f"the SMTP sink died (exit code {self._process.exitcode})") from None

    def _call(self, command: str, arg=None):
        self._conn.send((command, arg))
        return self._recv()

    def expect(self, count: int) -> None:
        """Forget what came before; done once `count` distinct Message-IDs arrived."""
        self._call("expect", count)

    def status(self) -> tuple[int, float | None]:
        """(distinct Message-IDs so far, monotonic time the expected count was reached)."""
        return self._call("status")

    def wait(self, timeout: float) -> float | None:
        """The monotonic time all expected messages were in, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (done_at := self.status()[1]) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return done_at

    def report(self) -> Received:
        return self._call("report")


def _push(port: int, messages, start) -> None:
    """One ceiling sender: one connection, its share of the messages, as Django's backend does."""
    start.wait()  # loaded: go together
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipients, raw in messages:
            smtp.sendmail(sender, recipients, raw)


def ceiling(sink: Sink, messages: list, connections: int, timeout: float) -> float | None:
    """Messages per second of plain smtplib into the sink over `connections` processes.

    `messages` are (envelope sender, recipients, bytes). Timed from the start signal (the
    senders are spawned and loaded before) until the sink has them all, as the pipeline is.
    """
    sink.expect(len(messages))
    start = _spawn.Barrier(connections + 1)
    senders = [
        _spawn.Process(target=_push, args=(sink.port, messages[i::connections], start))
        for i in range(connections)
    ]
    for sender in senders:
        sender.start()
    start.wait(timeout)  # BrokenBarrierError if a sender died while loading
    started = time.monotonic()
    done_at = sink.wait(timeout)
    for sender in senders:
        sender.join(timeout)
    return len(messages) / (done_at - started) if done_at else None
