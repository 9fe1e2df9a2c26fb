"""A local HTTP server standing in for an SMS gateway: it records what it is sent, delivers each
Idempotency-Key once, and can be told to fail, stall or run a hook when a message arrives."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.answers: list[int] = []  # statuses to answer, one per request; then 200
        self.stall = threading.Event()  # set: hold every answer until released
        self.release = threading.Event()
        self.on_message = None  # called with the request before answering
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                entry = {
                    "body": body,
                    "key": self.headers.get("Idempotency-Key"),
                    "auth": self.headers.get("Authorization"),
                }
                gateway.requests.append(entry)
                if gateway.on_message is not None:
                    gateway.on_message(entry)
                if gateway.stall.is_set():
                    gateway.release.wait(10)
                status = gateway.answers.pop(0) if gateway.answers else 200
                if status == 200:
                    duplicate = entry["key"] in gateway.delivered
                    gateway.delivered.setdefault(entry["key"], body)
                    answer = {"ok": True, "duplicate": duplicate}
                else:
                    answer = {"ok": False}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
