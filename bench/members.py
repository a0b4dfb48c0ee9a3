"""The roster benchmark (#12) at N and 10×N members, standalone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_members_bench \\
        .venv/bin/python bench/members.py --members 100000 --unions 10000 [--factor 10]

Migrates the database, fills the roster bench federation (members/scale.py) with N members
over U grassroots unions, measures (members/bench.py), grows the roster to factor×N and
measures again, then times a 1,000-row import (rolled back). Prints one table. The target
size is 1,000,000 members over 100,000 unions: `--members 100000 --unions 100000` measures
100k then 1M. `make bench` measures whatever seed_scale built (--member-unions, --members).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'members.sqlite3'}")
# As `make bench` serves the portal: DEBUG off (no query log), bench-only secrets.
for name, value in {
    "DEBUG": "0",
    "STATIC_MANIFEST": "0",
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "WELFARE_DATA_KEY": "bench-only-welfare-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "BALLOT_CHAIN_KEY": "bench-only-ballot-key-0123456789abcdefghijklmnopqrstuvwxyz",
}.items():
    os.environ.setdefault(name, value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--unions", type=int, default=10_000)
    parser.add_argument("--factor", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from members import bench, scale

    call_command("migrate", verbosity=0)
    results = []
    for size in (args.members, args.members * args.factor):
        t0 = time.monotonic()
        scale.run({"member_unions": args.unions, "members": size}, sys.stdout)
        print(f"filled to {size:,} members in {time.monotonic() - t0:.0f} s", flush=True)
        results.append(bench.measure())
    seconds = bench.import_time(1000)

    keys = [
        ("officer_search_p95_ms", "search p95, street officer (ms)"),
        ("chair_search_p95_ms", "search p95, federation chair (ms)"),
        ("officer_page_ms", "desk list page 1, street officer (ms, median)"),
        ("officer_page_p95_ms", "desk list page 1, street officer (ms, p95)"),
        ("officer_page_queries", "desk list page 1 queries, street officer"),
        ("chair_page_ms", "desk list page 1, federation chair (ms, median)"),
        ("chair_page_p95_ms", "desk list page 1, federation chair (ms, p95)"),
        ("chair_page_queries", "desk list page 1 queries, federation chair"),
    ]
    from django.db import connection

    print(f"\nRoster benchmark on {connection.vendor}, {args.unions:,} grassroots unions")
    print(f"{'':52} {results[0]['members']:>12,} {results[1]['members']:>12,}")
    for key, label in keys:
        print(f"{label:52} {results[0].get(key, 0):>12.1f} {results[1].get(key, 0):>12.1f}")
    print(f"{'1,000-row import (s)':52} {seconds:>12.2f}")


if __name__ == "__main__":
    main()
