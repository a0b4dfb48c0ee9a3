"""Request helpers shared by every app: the client's address and cache-backed rate limits."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, reading X-Forwarded-For only through the trusted proxies.

    Each trusted proxy appends the address it received the request from, so the client is
    the entry TRUSTED_PROXY_COUNT places from the right; anything further left was sent by
    the client itself and could be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return remote


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """Count one hit for this client in `scope`; True once it made more than `limit` in `window` s.

    Counts live in the shared cache (Redis in production), so the limit holds across every
    server process.
    """
    ip_hash = hashlib.sha256(client_ip(request).encode()).hexdigest()[:16]
    key = f"rl:{scope}:{ip_hash}"
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit
