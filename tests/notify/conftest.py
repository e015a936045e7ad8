"""A stand-in for the GOV.UK Notify HTTP API on loopback, so the real client code runs."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest


class NotifyStub:
    def __init__(self):
        self.received: list[dict] = []
        self.lookups: list[str | None] = []
        self.fail_next = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                auth = self.headers.get("Authorization", "")
                if stub.fail_next:
                    stub.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b'{"errors": [{"error": "Exception", "message": "down"}]}')
                    return
                notification_id = str(uuid.uuid4())
                stub.received.append({"path": self.path, "body": body, "auth": auth, "id": notification_id})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": notification_id}).encode())

            def do_GET(self):  # noqa: N802 - Notify's "get all notifications", by reference
                query = parse_qs(urlparse(self.path).query)
                wanted = query.get("reference", [None])[0]
                stub.lookups.append(wanted)
                found = [{"id": r["id"], "reference": r["body"].get("reference")} for r in stub.received
                         if wanted and r["body"].get("reference") == wanted]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"notifications": found, "links": {}}).encode())

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def notify_stub(settings):
    stub = NotifyStub()
    stub.thread.start()
    settings.HEARTH_NOTIFY_BASE_URL = stub.url
    # The client checks the key's shape: name-serviceid-secret (two UUIDs).
    settings.HEARTH_NOTIFY_API_KEY = f"test-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.HEARTH_NOTIFY_EMAIL_TEMPLATE = str(uuid.uuid4())
    settings.HEARTH_NOTIFY_SMS_TEMPLATE = str(uuid.uuid4())
    yield stub
    stub.server.shutdown()
