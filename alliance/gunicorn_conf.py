"""gunicorn settings for `make serve`: several sync workers, each with its own database engine.

Environment:
  PORT                    port on 127.0.0.1 (default 8000); BIND overrides the whole address
  WEB_CONCURRENCY         worker processes (default 2 x CPU cores)
  GUNICORN_TIMEOUT        seconds before a stuck worker is restarted (default 30)
  GUNICORN_ACCESS_LOG     a path, or "-" for stdout; unset: no access log
  GUNICORN_MAX_REQUESTS   requests before a worker is replaced (default 200000; 0: never)
  RATELIMIT_STORAGE_URI   memory:// (default) counts per worker: use redis://127.0.0.1:6379
                          whenever there is more than one worker
"""

import multiprocessing
import os


def default_workers() -> int:
    value = os.environ.get("WEB_CONCURRENCY")
    if value:
        return max(1, int(value))
    return 2 * multiprocessing.cpu_count()


bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = default_workers()
worker_class = "sync"
# Each worker imports the app and builds its own engine and pool: no connection crosses a fork.
preload_app = False
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then (a leak cannot grow for ever), but rarely and at scattered
# times: replacing one takes seconds (it builds the app), and at 10,000 requests every worker
# of a busy server was replaced within the same few seconds, answering nothing meanwhile
# (found by make bench: /healthz and static files at 0 req/s for seconds).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 2
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "alliance"


def rate_limit_warning(worker_count: int, storage_uri: str) -> str | None:
    """The warning to print when rate limits would be counted separately by each worker."""
    if worker_count > 1 and storage_uri.startswith("memory://"):
        return (
            f"RATELIMIT_STORAGE_URI is {storage_uri} with {worker_count} workers: every worker "
            f"counts on its own, so login limits are {worker_count} times looser. "
            "Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (see README, Serving for real)."
        )
    return None


def on_starting(server) -> None:
    message = rate_limit_warning(
        server.cfg.workers, os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    )
    if message:
        server.log.warning(message)
