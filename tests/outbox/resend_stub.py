"""A stand-in for Resend's HTTP API on loopback that records every request.

Like Resend it keeps each Idempotency-Key it accepted and answers a request repeated with
that key and the same payload with the first answer, sending nothing again. Answers can be
planned per recipient (a 429 with Retry-After, a 5xx, a 422, an answer slower than the
client waits), so the backend's retries are tested against HTTP, not a mock.
"""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.utils import parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # a success answered this late: sent, but the client may give up


def slow(seconds: float) -> Answer:
    return Answer(delay=seconds)


def error(status: int, name: str = "", **headers: str) -> Answer:
    body = {"statusCode": status, "name": name or f"error_{status}", "message": "planned"}
    return Answer(status, body, {key.replace("_", "-"): value for key, value in headers.items()})


@dataclass
class Request:
    path: str
    headers: dict
    payload: dict
    status: int = 0

    @property
    def key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def address(self) -> str:
        return parseaddr(self.payload["to"][0])[1]


class ResendStub:
    def __init__(self, latency: float = 0.01):
        self.latency = latency
        self.requests: list[Request] = []
        self.sent: list[Request] = []  # messages Resend would deliver, once per key
        self.planned: dict[str, list[Answer]] = {}
        self._accepted: dict[str, tuple[dict, str]] = {}  # key -> (payload, email id)
        self._lock = threading.Lock()

    def plan(self, address: str, *answers: Answer) -> None:
        self.planned.setdefault(address, []).extend(answers)

    def requests_to(self, address: str) -> list[Request]:
        return [request for request in self.requests if request.address == address]

    def answer(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            planned = self.planned.get(request.address)
            answer = planned.pop(0) if planned else Answer()
            if answer.status == 200:
                answer = self._accept(request, answer)
            request.status = answer.status
        return answer

    def _accept(self, request: Request, answer: Answer) -> Answer:
        known = self._accepted.get(request.key) if request.key else None
        if known and known[0] != request.payload:
            return error(409, "invalid_idempotent_request")
        if known:
            return Answer(body={"id": known[1]})
        email_id = str(uuid.uuid4())
        if request.key:
            self._accepted[request.key] = (request.payload, email_id)
        self.sent.append(request)
        return Answer(body={"id": email_id}, delay=answer.delay)

    def __enter__(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = Request(self.path, dict(self.headers), json.loads(body))
                answer = stub.answer(request)
                time.sleep(stub.latency + answer.delay)
                data = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
