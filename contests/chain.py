"""The ballot chain's keyed hash (HMAC-SHA256 under settings.BALLOT_CHAIN_KEY), pure functions.

A plain hash chain proves nothing against someone who can write the database: they rewrite a
ballot and recompute every hash after it. Keyed with a secret kept outside the database, the
chain can only be extended by the application. Dropping the newest ballots and moving the
head back stays possible for such a writer, so the chain's fingerprint is recorded (keyed too)
when voting closes and when results are published, and verification compares with it.

The key is versioned, never rotated in place: settings.BALLOT_CHAIN_KEYS lists the keys newest
first, each contest records the id of the key its chains are hashed under (`Contest.chain_key_id`,
the newest when it is created), and every hash of that contest (ballots, seals) uses that key.
A new key therefore applies to new contests only; nothing rewrites a chain, and an old key stays
listed for as long as its contests must still verify.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings

BLOCK = 64  # SHA-256's block size, for the HMAC pads


class UnknownChainKey(LookupError):
    """A contest's chain was hashed under a key that is no longer in BALLOT_CHAIN_KEYS."""


def _keys() -> list[str]:
    primary = str(settings.BALLOT_CHAIN_KEY)
    listed = [str(k) for k in getattr(settings, "BALLOT_CHAIN_KEYS", None) or [] if k]
    # A BALLOT_CHAIN_KEY set on its own (tests, old deployments) wins over a stale list.
    return list(dict.fromkeys(listed)) if listed and listed[0] == primary else [primary]


def key_id(secret: str) -> str:
    """The public name of a chain key: 12 hex characters of a hash that reveals nothing usable."""
    return hashlib.sha256(b"ballot-chain-key-id|" + secret.encode()).hexdigest()[:12]


def newest_key_id() -> str:
    """The key new contests are hashed under (the default of Contest.chain_key_id)."""
    return key_id(_keys()[0])


def chain_key(kid: str | None = None) -> bytes:
    """The key of id `kid` (empty or None: the newest). UnknownChainKey if it is not configured."""
    keys = _keys()
    if not kid:
        return keys[0].encode()
    for secret in keys:
        if key_id(secret) == kid:
            return secret.encode()
    raise UnknownChainKey(f"the ballot chain key {kid} is not in BALLOT_CHAIN_KEYS")


def ballot_text(*, prev_hash, contest_id, shard, seq, voter_id, entry_id, period, cast_at) -> str:
    stamp = cast_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"{prev_hash}|{contest_id}|{shard}|{seq}|{voter_id}|{entry_id}|{period}|{stamp}"


def mac(text: str, kid: str | None = None) -> str:
    return hmac.new(chain_key(kid), text.encode(), hashlib.sha256).hexdigest()


def hmac_pads(kid: str | None = None) -> tuple[bytes, bytes]:
    """The inner and outer HMAC pads of the key, so the database can compute the same HMAC with
    two sha256() calls: HMAC(k, m) = H((k ^ opad) || H((k ^ ipad) || m))."""
    key = chain_key(kid)
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def heads_digest(heads) -> str:
    """One SHA-256 over every chain head, (shard, length, head) in shard order: the public fingerprint."""
    text = ";".join(f"{shard}:{length}:{head}" for shard, length, head in heads)
    return hashlib.sha256(text.encode()).hexdigest()


def seal_mac(*, contest_id: int, kind: str, ballots: int, heads: str, kid: str | None = None) -> str:
    return mac(f"seal|{contest_id}|{kind}|{ballots}|{heads}", kid)
