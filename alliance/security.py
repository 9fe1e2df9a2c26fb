"""Security headers on every response, with a Content-Security-Policy that allows no inline script."""

from urllib.parse import urlsplit

from flask import Flask

from alliance.extensions import talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
}


def _with_tiles(app: Flask) -> dict:
    """The emergency map's tile server (MAP_TILE_URL), when set, may serve images."""
    tiles = urlsplit(app.config.get("MAP_TILE_URL") or "")
    if not (tiles.scheme in ("http", "https") and tiles.netloc):
        return CSP
    origin = f"{tiles.scheme}://{tiles.netloc.replace('{s}', '*')}"
    return {**CSP, "img-src": [*CSP["img-src"], origin]}


def init_security(app: Flask) -> None:
    talisman.init_app(
        app,
        content_security_policy=_with_tiles(app),
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"camera": "(self)", "geolocation": "()", "microphone": "()"},
    )
