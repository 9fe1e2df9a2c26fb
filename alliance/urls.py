"""URLs built once per worker.

A page builds 30 to 60 URLs (the menu alone about 25), each through Werkzeug's rule matching
and Flask's URL defaults: about 12 µs apiece, half a millisecond a page. The same endpoint
with the same values always gives the same URL in one worker, so `Flask.url_for` here keeps
what it built, keyed by the request's script root and host, the endpoint and the values in
their order (and their types: `page=True` and `page=1` are different URLs).

Not kept: URLs outside a request, external ones, those with a method, scheme or anchor, values
that cannot be a key (lists), and everything in debug mode, where static files are fingerprinted
anew when they change. URL defaults (alliance.assets) must depend on the endpoint and values
alone, as they do.
"""

import flask
from flask.globals import _cv_request

# Enough for every menu and pager URL of a busy worker (~2 MB); past it the memory starts over.
LIMIT = 10_000


class Flask(flask.Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.built_urls: dict[tuple, str] = {}

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values,
    ) -> str:
        req_ctx = _cv_request.get(None)
        if (
            req_ctx is None
            or self.debug
            or _external
            or _anchor is not None
            or _method is not None
            or _scheme is not None
        ):
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        if endpoint[:1] == ".":
            blueprint = req_ctx.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint is not None else endpoint[1:]
        adapter = req_ctx.url_adapter
        key = (
            adapter.script_name,
            adapter.server_name,
            adapter.subdomain,
            endpoint,
            *((name, value.__class__, value) for name, value in values.items()),
        )
        try:
            return self.built_urls[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key
            return super().url_for(endpoint, **values)
        url = super().url_for(endpoint, **values)
        if len(self.built_urls) >= LIMIT:
            self.built_urls.clear()
        self.built_urls[key] = url
        return url
