"""Local receivers for the alert and digest tests, on 127.0.0.1 only: an SMTP server
(aiosmtpd, in the test process) and an HTTP receiver for webhooks (http.server) that can
be told to fail."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import polars as pl

from smmkpi import datasets as ds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """An SMTP server that keeps every message it accepts (parsed)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                sink.messages.append(email.message_from_bytes(
                    envelope.content, policy=email.policy.default))
                sink.envelopes.append(list(envelope.rcpt_tos))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class WebhookSink:
    """An HTTP server that records JSON POSTs; `fail = True` answers 500 instead."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.fail = False
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if sink.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                sink.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def frame(name: str, rows: list[dict]) -> pl.DataFrame:
    """A dataset frame from partial rows (missing columns empty)."""
    spec = ds.get(name)
    return pl.DataFrame([{c: r.get(c) for c in spec.names} for r in rows], schema=spec.schema)
