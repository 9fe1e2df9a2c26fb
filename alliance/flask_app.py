"""The application's Flask class: URLs built once (alliance.urls), and each hook's check for
`async def` done once.

Flask asks `inspect.iscoroutinefunction` of every before- and after-request function, teardown
and view on every request, sixteen times a signed-in page; the answer for a function never
changes, so it is kept per function.
"""

from alliance import urls

# Views, hooks and handlers live as long as the app; a per-request callable (an
# after_this_request closure) must not make the memory grow, so it starts over past this.
LIMIT = 4_096


class Flask(urls.Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced: dict = {}

    def ensure_sync(self, func):
        try:
            return self._synced[func]
        except KeyError:
            if len(self._synced) >= LIMIT:
                self._synced.clear()
            made = self._synced[func] = super().ensure_sync(func)
            return made
        except TypeError:  # a callable that cannot be a key
            return super().ensure_sync(func)
