"""Static files served from memory, compressed ahead of time, under fingerprinted names.

Every file in static/ is read once at start-up, gzipped and Brotli-compressed once (on its first
request), and answered
by a WSGI layer in front of Flask: a CSS or JS request costs no session, login loader, locale,
rate limiter or template, and no compression per request. `url_for('static', filename=...)` gives
the fingerprinted name (`css/app.3f2a1b9c0d.css`), answered with a year-long immutable cache; the
plain name still answers, with a short cache and an ETag, for old links and the service worker.
With `app.debug`, a changed file is read again on its next request.
"""

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask

PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
# What the service worker keeps on install: the layout's files and the card page's (elder.css
# too: the layout links it in large text mode, and the card must open offline in that mode).
SHELL = (
    "css/bootstrap.css",
    "css/app.css",
    "css/elder.css",
    "js/nav.js",
    "js/card.js",
    "img/favicon.svg",
)
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".html", ".xml")


# Compressed bodies by content digest: made on a file's first request (a worker starts fast),
# then shared by every app of the process (the tests build many).
_PACKED: dict[tuple[str, str], bytes] = {}


@dataclass
class Asset:
    mimetype: str
    digest: str
    mtime: float
    plain: bytes
    packable: bool

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'

    def packed(self, coding: str) -> bytes:
        key = (self.digest, coding)
        body = _PACKED.get(key)
        if body is None:
            if coding == "br":
                body = brotli.compress(self.plain, quality=11)
            else:
                body = gzip.compress(self.plain, 9, mtime=0)
            _PACKED[key] = body
        return body


def _read(path: Path) -> tuple[Asset, str]:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:10]
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml"):
        mimetype += "; charset=utf-8"
    packable = path.suffix in COMPRESSIBLE and len(data) > 256
    asset = Asset(mimetype, digest, path.stat().st_mtime, data, packable)
    return asset, digest


def fingerprinted(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


class StaticFiles:
    """WSGI middleware: answers /static/ from memory, passes everything else to the app."""

    def __init__(self, app: Flask):
        self.flask_app = app
        self.wsgi_app = app.wsgi_app
        self.root = Path(app.static_folder)
        self.reload = app.debug
        self.hsts = app.config.get("FORCE_HTTPS", False)
        self.names: dict[str, str] = {}  # plain name -> fingerprinted name
        self.files: dict[str, tuple[Asset, bool]] = {}  # URL name -> (asset, immutable)
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                self._load(path.relative_to(self.root).as_posix())

    def _load(self, name: str) -> None:
        old = self.names.get(name)
        if old:
            self.files.pop(old, None)
        asset, digest = _read(self.root / name)
        self.names[name] = fingerprinted(name, digest)
        self.files[name] = (asset, False)
        self.files[self.names[name]] = (asset, True)

    def url_name(self, name: str) -> str:
        if self.reload and name in self.names:
            self._refresh(name)
        return self.names.get(name, name)

    def _refresh(self, name: str) -> None:
        path = self.root / name
        try:
            if path.stat().st_mtime != self.files[name][0].mtime:
                self._load(name)
        except OSError:
            pass

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX) or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        name = path[len(PREFIX) :]
        if self.reload and name in self.names:
            self._refresh(name)
        found = self.files.get(name)
        if found is None:
            return self.wsgi_app(environ, start_response)
        asset, immutable = found
        headers = [
            ("Cache-Control", IMMUTABLE if immutable else SHORT),
            ("ETag", asset.etag),
            ("Vary", "Accept-Encoding"),
            # The security headers a file needs; the page-level ones (CSP, frames) do not apply.
            ("X-Content-Type-Options", "nosniff"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
        ]
        if self.hsts:
            headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        if environ.get("HTTP_IF_NONE_MATCH") == asset.etag:
            start_response("304 Not Modified", headers)
            return [b""]
        body = asset.plain
        accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
        coding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
        if asset.packable and coding:
            body = asset.packed(coding)
            headers.append(("Content-Encoding", coding))
        headers += [("Content-Type", asset.mimetype), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def init_assets(app: Flask) -> None:
    if not app.static_folder or not os.path.isdir(app.static_folder):
        return
    files = StaticFiles(app)
    app.wsgi_app = files
    app.extensions["static_files"] = files

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.url_name(values["filename"])


def shell_urls(app: Flask) -> list[str]:
    files = app.extensions.get("static_files")
    return [PREFIX + (files.url_name(name) if files else name) for name in SHELL]
