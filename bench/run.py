"""`make bench`: load the database with scale data, serve it with gunicorn, measure.

1. Migrate the bench database (DATABASE_URL, else bench/bench.sqlite3) and fill it with
   `seed_demo` and `seed_scale` (each app's options; sizes from BENCH_ARGS) unless it was
   already filled with the same arguments.
2. Start gunicorn (2 workers, DEBUG=0, persistent connections) on 127.0.0.1.
3. Load /healthz and every page the apps registered (registry.bench_pages) with wrk, healthz
   first and last, and print req/s, p95 and the ratio to /healthz from this same run.
4. Run the apps' in-process benchmarks (registry.bench) and print their rows.

Targets are printed beside the figures; nothing here fails a build.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
DEFAULT_ARGS = (
    "--stations 200000 --studios 500 --achievements 20000 --activities 10000 "
    "--welfare-files 100000 --welfare-visits 1000000 "
    # Issue #12's roster targets: 1,000,000 members across 100,000 unions (about 2 min to seed).
    "--member-unions 100000 --members 1000000"
)
DURATION = os.environ.get("BENCH_SECONDS", "8")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")
    env.update(
        {
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "600",
            "SECRET_KEY": env.get("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"),
            "WELFARE_DATA_KEY": env.get(
                "WELFARE_DATA_KEY", "bench-only-welfare-key-0123456789abcdefghijklmnopqrstuvwxyz"
            ),
            "BALLOT_CHAIN_KEY": env.get(
                "BALLOT_CHAIN_KEY", "bench-only-ballot-key-0123456789abcdefghijklmnopqrstuvwxyz"
            ),
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def known_scale_options(env: dict) -> set[str]:
    out = subprocess.run(
        [PY, "manage.py", "seed_scale", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return {word.rstrip(",") for word in out.split() if word.startswith("--")}


def prepare(env: dict) -> None:
    args = os.environ.get("BENCH_ARGS", DEFAULT_ARGS).split()
    known = known_scale_options(env)
    kept = []
    for i in range(0, len(args), 2):
        if args[i] in known:
            kept += args[i : i + 2]
        else:
            print(f"(skipping {args[i]}: no app registers it)")
    stamp = RESULTS / f"seeded-{hashlib.sha1((env['DATABASE_URL'] + ' '.join(kept)).encode()).hexdigest()[:12]}"
    manage(env, "migrate", "--noinput", "-v0")
    if stamp.exists() and "--reseed" not in sys.argv:
        print(f"Bench database already filled ({' '.join(kept)}); pass --reseed to fill it again.")
        return
    manage(env, "seed_demo")
    started = time.monotonic()
    manage(env, "seed_scale", *kept)
    print(f"seed_scale {' '.join(kept)}: {time.monotonic() - started:.0f} s")
    stamp.touch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


def wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "-s", str(ROOT / "bench" / "report.lua"), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def report(env: dict, *args: str) -> list:
    out = subprocess.run(
        [PY, "manage.py", "bench_report", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run scripts/system-deps.sh")
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    print(f"Database: {env['DATABASE_URL']}")
    prepare(env)
    manage(env, "collectstatic", "--noinput", "-v0")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "unionportal.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    rows: list[tuple[str, str, dict]] = []
    try:
        wait_for(f"{base}/healthz")
        registered = [tuple(p) for p in report(env, "--pages")]
        targets = [("healthz", "/healthz"), *registered, ("healthz (again)", "/healthz")]
        for label, path in targets:
            wrk(f"{base}{path}")  # warm-up run, not reported, fills caches and connections
            rows.append((label, path, wrk(f"{base}{path}")))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    baseline = (rows[0][2]["rps"] + rows[-1][2]["rps"]) / 2
    print(
        f"\nPages under gunicorn (2 workers, {CONNECTIONS} connections, {DURATION} s each; "
        f"/healthz baseline {baseline:,.0f} req/s = mean of first and last run)"
    )
    print(f"{'page':<28} {'path':<42} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'vs healthz':>10} {'non-2xx':>8}")
    for label, path, r in rows:
        print(
            f"{label:<28} {path[:42]:<42} {r['rps']:>9,.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['rps'] / baseline:>9.0%} {r['non2xx'] + r['errors']:>8}"
        )

    results = report(env)
    import keys  # bench/keys.py: backup time and size, key rotation rate

    results += keys.run(env)
    if results:
        print("\nIn-process benchmarks")
        print(f"{'group':<12} {'measure':<52} {'value':>12} {'unit':<8} {'target':<22} ok")
        for r in results:
            ok = {True: "yes", False: "NO", None: ""}[r.get("ok")]
            print(
                f"{r['group']:<12} {r['name'][:52]:<52} {r['value']:>12,.2f} {r.get('unit', ''):<8} "
                f"{r.get('target', '') or '':<22} {ok}"
            )
    (RESULTS / "last.json").write_text(json.dumps({"pages": rows, "in_process": results}, indent=1, default=str))


if __name__ == "__main__":
    main()
