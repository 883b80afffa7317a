"""The SMTP sink that counts what arrives, and the plain-smtplib ceiling that feeds it.

No Django here: both run in processes of their own (multiprocessing "spawn"), so that the
server shares the GIL with neither the bench nor the senders. Spawn imports the parent's
main module again in each child: start them from `python -m bench`, or from a script whose
work is under `if __name__ == "__main__":`. The sink is aiosmtpd, as in the tests; it keeps
each message's Message-ID, envelope recipients and arrival time (when its DATA is in), and
the raw bytes of every SAMPLE_EVERY-th message, so the bench can check addressing of all
messages, the content of a sample and the messages in any second. Times are
time.monotonic(), which is one clock for all processes.

It can also play a slow relay with a connection limit (bench/relay.py): each reply to DATA
comes `latency` seconds late (an asyncio.sleep, so connections overlap), and a connection
past `max_connections` open ones gets 421 and is closed, as a relay answers.
"""

import asyncio
import multiprocessing
import re
import smtplib
import socket
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from bench.common import BenchError

SAMPLE_EVERY = 1000
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.MULTILINE | re.IGNORECASE)
_spawn = multiprocessing.get_context("spawn")


@dataclass
class Received:
    """What the sink got since the last expect(): one (Message-ID, recipients) and one
    arrival time per message, in the order they came; `refused` connections got 421."""

    messages: list[tuple[str, tuple[str, ...]]]
    samples: list[bytes]
    arrivals: list[float]
    refused: int

    @property
    def duplicates(self) -> int:
        return len(self.messages) - len({message_id for message_id, _to in self.messages})


class _Recorder:
    """aiosmtpd handler; runs on the controller's event-loop thread."""

    def __init__(self, latency: float):
        self.latency = latency
        self.open = 0  # connections now, counted by _Limited
        self.expect(0)

    def expect(self, count: int) -> None:
        self.messages, self.samples, self.arrivals, self.ids = [], [], [], set()
        self.count, self.done_at, self.refused = count, None, 0

    async def handle_DATA(self, server, session, envelope):
        self.arrivals.append(time.monotonic())
        raw = envelope.original_content
        found = MESSAGE_ID.search(raw, 0, raw.find(b"\r\n\r\n"))
        message_id = found.group(1).decode() if found else ""
        if len(self.messages) % SAMPLE_EVERY == 0:
            self.samples.append(raw)
        self.messages.append((message_id, tuple(envelope.rcpt_tos)))
        self.ids.add(message_id)
        if self.done_at is None and len(self.ids) >= self.count:
            self.done_at = time.monotonic()
        if self.latency:
            await asyncio.sleep(self.latency)
        return "250 OK"


class _Limited(SMTP):
    """aiosmtpd's server that counts its open connections and refuses those past a limit."""

    def __init__(self, recorder: _Recorder, max_connections: int | None, **kwargs):
        super().__init__(recorder, **kwargs)
        self.recorder, self.max_connections = recorder, max_connections

    async def _handle_client(self) -> None:
        recorder = self.recorder
        if self.max_connections is not None and recorder.open >= self.max_connections:
            recorder.refused += 1
            await self.push("421 too many connections")
            self.transport.close()
            return
        recorder.open += 1
        try:  # ends with QUIT, or cancelled when the client goes away
            await super()._handle_client()
        finally:
            recorder.open -= 1


class _Controller(Controller):
    def __init__(self, recorder: _Recorder, max_connections: int | None, **kwargs):
        super().__init__(recorder, **kwargs)
        self.max_connections = max_connections

    def factory(self):
        return _Limited(self.handler, self.max_connections, **self.SMTP_kwargs)


def _serve(conn, latency: float, max_connections: int | None) -> None:
    """The sink process: an SMTP server on loopback, driven by commands over `conn`."""
    recorder = _Recorder(latency)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = _Controller(recorder, max_connections, hostname="127.0.0.1", port=port)
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
            elif command == "connections":
                conn.send(recorder.open)
            elif command == "report":
                received = (recorder.messages, recorder.samples, recorder.arrivals)
                conn.send(Received(*received, recorder.refused))
    finally:
        controller.stop()


class Sink:
    """Handle on the sink process; use as a context manager. `latency` (seconds) delays each
    reply to DATA; past `max_connections` open connections, new ones are refused."""

    def __init__(self, latency: float = 0.0, max_connections: int | None = None):
        self.latency, self.max_connections = latency, max_connections

    def __enter__(self):
        self._conn, child = _spawn.Pipe()
        self._process = _spawn.Process(
            target=_serve, args=(child, self.latency, self.max_connections), daemon=True
        )
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

    def connections(self) -> int:
        """SMTP connections open at this moment."""
        return self._call("connections")

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
