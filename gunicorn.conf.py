"""gunicorn settings for wxk-admin:  gunicorn -c gunicorn.conf.py wsgi:app

Everything comes from the environment (see README 「Production」):

| variable          | default                        |
|-------------------|--------------------------------|
| BIND              | 127.0.0.1:8000 (behind a reverse proxy that terminates HTTPS) |
| WEB_CONCURRENCY   | 2 × CPU cores + 1 (at least 2)  |
| GUNICORN_THREADS  | 1                              |
| GUNICORN_TIMEOUT  | 60 (seconds; exports stream, so requests stay short) |
| FORWARDED_ALLOW_IPS | 127.0.0.1 (the proxy allowed to set X-Forwarded-*) |

The app itself reads DATABASE_URL, SECRET_KEY (the SAME on every instance and
host, or sessions are not shared), RATELIMIT_STORAGE_URI (redis://… when there is
more than one worker — memory:// would let each worker count on its own),
SESSION_COOKIE_SECURE=1 behind HTTPS.  Nothing else is kept in process memory.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Each worker builds its own app and connection pool (no fork-shared DB connections).
preload_app = False
# Recycle workers now and then (bounded memory growth), staggered.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Forms are small; refuse absurd request lines and headers early.
limit_request_line = 8190
limit_request_fields = 100
