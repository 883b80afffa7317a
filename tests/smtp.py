"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

Replies can be planned per recipient (e.g. a 451 once, then acceptance), so retries and
permanent failures are tested against the protocol, not a mock.
"""

import asyncio
import socket
import time
from collections import defaultdict
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.received = []  # (recipients, raw bytes)
        self.planned = defaultdict(list)  # recipient -> replies to give first
        self.sessions = 0
        self.arrivals = []  # time.monotonic() of each message's DATA
        self.latency = 0.0  # seconds before the reply to DATA: a slow relay

    def plan(self, address: str, *replies: str) -> None:
        self.planned[address].extend(replies)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.planned.get(address):
            return self.planned[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.arrivals.append(time.monotonic())
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        await asyncio.sleep(self.latency)
        return "250 Message accepted for delivery"

    def messages(self):
        return [message_from_bytes(raw, policy=policy.default) for _to, raw in self.received]

    def wait_for(self, matches, *, count=1, timeout=60):
        """The first `count` messages that `matches`, once a worker has sent them (mail
        leaves from tasks, not from the request)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message in self.messages() if matches(message)]
            if len(found) >= count:
                return found[:count] if count > 1 else found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} expected messages in {timeout} s")
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
