"""Request helpers shared by every app: the client's address and cache-backed rate limits."""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, reading X-Forwarded-For only through the trusted proxies.

    Each trusted proxy appends the address it received the request from, so the client is
    the entry TRUSTED_PROXY_COUNT places from the right; anything further left was sent by
    the client itself and could be forged. An entry that is not an IP address (a client
    writing text into the header behind a proxy that passes it on) is ignored: the address
    logged and rate-limited is then the proxy's REMOTE_ADDR, never text the client chose.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) >= hops:
        return _valid_ip(forwarded[-hops]) or remote
    return remote


def _valid_ip(text: str) -> str | None:
    """`text` as a normalised IP address, or None when it is not one."""
    if len(text) > 45:  # the longest textual IPv6 address
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


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


# --- Sign-in throttle --------------------------------------------------------------------
# django-axes locks a (username, address) pair after AXES_FAILURE_LIMIT failures: that stops
# one machine guessing one password, but not 30 machines guessing one account's password,
# nor one machine trying a common password on 20 accounts. These two counters, in the shared
# cache so every server process sees them, close both:
# - per account: failures from anywhere count towards the account's limit;
# - per address: failures on any account count towards the address's limit.
# Each counter lives for a fixed window from its first failure, and attempts refused while it
# is full are not counted: an attacker can hold an account's window full, but not lengthen
# it. The account's owner is not locked out by it: an address from which the account signed
# in before (remembered for KNOWN_ADDRESS_SECONDS) skips the account counter, and is left
# with axes' per-(username, address) lock and its own address counter.


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _account_key(username: str) -> str:
    # Case-folded: "Officer_A" and "officer_a" share a counter, so case cannot dodge it.
    return _digest(username.strip().casefold())


def _signin_keys(request: HttpRequest, username: str) -> tuple[str, str, str]:
    account, address = _account_key(username), _digest(client_ip(request))
    return f"signin:acct:{account}", f"signin:addr:{address}", f"signin:known:{account}:{address}"


def signin_throttled(request: HttpRequest, username: str) -> bool:
    """Whether sign-ins for `username` from this client are paused for now (no password check)."""
    account_key, address_key, known_key = _signin_keys(request, username)
    counts = cache.get_many([account_key, address_key, known_key])
    if counts.get(address_key, 0) >= settings.SIGNIN_ADDRESS_FAILURES:
        return True
    if counts.get(known_key):
        return False
    return counts.get(account_key, 0) >= settings.SIGNIN_ACCOUNT_FAILURES


def _count(key: str, window: int) -> None:
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)


def signin_failed(request: HttpRequest, username: str) -> None:
    """Count a failed sign-in against the account and against the client's address."""
    account_key, address_key, _known = _signin_keys(request, username)
    _count(account_key, settings.SIGNIN_THROTTLE_SECONDS)
    _count(address_key, settings.SIGNIN_THROTTLE_SECONDS)


def signin_succeeded(request: HttpRequest, username: str) -> None:
    """Remember this address as one the account signs in from (see the throttle's note above)."""
    _account, _address, known_key = _signin_keys(request, username)
    cache.set(known_key, 1, timeout=settings.SIGNIN_KNOWN_ADDRESS_SECONDS)
