"""The ballot chain's keyed hash (HMAC-SHA256 under settings.BALLOT_CHAIN_KEY), pure functions.

A plain hash chain proves nothing against someone who can write the database: they rewrite a
ballot and recompute every hash after it. Keyed with a secret kept outside the database, the
chain can only be extended by the application. Dropping the newest ballots and moving the
head back stays possible for such a writer, so the chain's fingerprint is recorded (keyed too)
when voting closes and when results are published, and verification compares with it.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings

BLOCK = 64  # SHA-256's block size, for the HMAC pads


def chain_key() -> bytes:
    return str(settings.BALLOT_CHAIN_KEY).encode()


def ballot_text(*, prev_hash, contest_id, shard, seq, voter_id, entry_id, period, cast_at) -> str:
    stamp = cast_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"{prev_hash}|{contest_id}|{shard}|{seq}|{voter_id}|{entry_id}|{period}|{stamp}"


def mac(text: str) -> str:
    return hmac.new(chain_key(), text.encode(), hashlib.sha256).hexdigest()


def hmac_pads() -> tuple[bytes, bytes]:
    """The inner and outer HMAC pads of the key, so the database can compute the same HMAC with
    two sha256() calls: HMAC(k, m) = H((k ^ opad) || H((k ^ ipad) || m))."""
    key = chain_key()
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def heads_digest(heads) -> str:
    """One SHA-256 over every chain head, (shard, length, head) in shard order: the public fingerprint."""
    text = ";".join(f"{shard}:{length}:{head}" for shard, length, head in heads)
    return hashlib.sha256(text.encode()).hexdigest()


def seal_mac(*, contest_id: int, kind: str, ballots: int, heads: str) -> str:
    return mac(f"seal|{contest_id}|{kind}|{ballots}|{heads}")
