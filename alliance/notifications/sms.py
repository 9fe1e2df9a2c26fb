"""SMS: the text a phone receives, and the providers that deliver it.

SMS_PROVIDER chooses the provider: `log` (the default; writes each message to the log, and the
outbox keeps the row) or `http`, a gateway at SMS_GATEWAY_URL called with
`Authorization: Bearer SMS_GATEWAY_TOKEN` and a JSON body `{"to", "text", "id"}`. The header
`Idempotency-Key: outbox-<id>` lets the gateway drop a message it already took, which is what keeps
a send retried after a worker died mid-send from reaching the phone twice.
"""

import json
import logging
import math
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import current_app

log = logging.getLogger("alliance.sms")

# A GSM-7-less (UCS-2) SMS holds 70 characters; a part of a long one holds 67 (the rest is the
# header that joins the parts back together on the phone).
SEGMENT = 70
LONG_SEGMENT = 67


def signature(community_name: str | None) -> str:
    return f"【{community_name or current_app.config['SMS_DEFAULT_SIGNATURE']}】"


def compose(sign: str, title: str, body: str = "", link: str = "") -> str:
    """The signature first (carriers require it), then the title, the body and the link."""
    text = sign + title
    if body:
        text += "：" + body
    if link:
        text += " " + link
    return text


def segments(text: str) -> int:
    return 1 if len(text) <= SEGMENT else math.ceil(len(text) / LONG_SEGMENT)


def split(text: str) -> list[str]:
    if len(text) <= SEGMENT:
        return [text]
    return [text[i : i + LONG_SEGMENT] for i in range(0, len(text), LONG_SEGMENT)]


@dataclass
class Answer:
    ok: bool
    detail: str
    # False: the gateway refused the message itself (bad number): retrying cannot help.
    retry: bool = True


class LogProvider:
    name = "log"

    def send(self, message_id: int, to: str, text: str) -> Answer:
        log.info("SMS %s to %s (%d segments): %s", message_id, to, segments(text), text)
        return Answer(True, f"log: {segments(text)} segment(s)")


class HttpGatewayProvider:
    name = "http"

    def __init__(self, url: str, token: str, timeout: float):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message_id: int, to: str, text: str) -> Answer:
        payload = json.dumps({"to": to, "text": text, "id": message_id}, ensure_ascii=False)
        req = urllib.request.Request(
            self.url,
            data=payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": f"outbox-{message_id}",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return Answer(True, f"{resp.status} {resp.read(300).decode(errors='replace')}")
        except urllib.error.HTTPError as exc:
            detail = f"{exc.code} {exc.read(300).decode(errors='replace')}"
            return Answer(False, detail, retry=exc.code >= 500 or exc.code == 429)
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            return Answer(False, f"no answer: {exc}")


def provider():
    config = current_app.config
    if config["SMS_PROVIDER"] == "http":
        return HttpGatewayProvider(
            config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_TOKEN"], config["SMS_GATEWAY_TIMEOUT"]
        )
    return LogProvider()
