"""gunicorn settings for UnionPortal (deploy/systemd/unionportal@.service passes PORT)."""

import multiprocessing
import os

bind = f"{os.environ.get('GUNICORN_BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8001')}"
# Sync workers: the views are short database reads; CONN_MAX_AGE keeps a connection per worker.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Access lines come from nginx; errors go to the journal through stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# nginx on the same machine is the only client: trust its X-Forwarded-* (Django reads them
# through TRUSTED_PROXY_COUNT and SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Not preloaded: `systemctl reload` (HUP) then starts workers on the new code of a release.
preload_app = False
