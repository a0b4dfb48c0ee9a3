"""`make bench`: load the database with scale data, serve it with gunicorn, measure.

1. Migrate the bench database (DATABASE_URL, else bench/bench.sqlite3) and fill it with
   `seed_demo` and `seed_scale` (each app's options; sizes from BENCH_ARGS) unless it was
   already filled with the same arguments.
2. Start gunicorn (2 workers, DEBUG=0, persistent connections) on 127.0.0.1.
3. Load /healthz and every page the apps registered (registry.bench_pages) with wrk, healthz
   first and last, and print req/s, p95 and the ratio to /healthz from this same run, beside
   the target of issue #13:
   - anonymous public pages, repeat views (page cache warm): >= 0.8x /healthz;
   - the same pages with a cold cache: >= 0.3x. "Cold" is measured honestly with a second
     gunicorn started with PAGE_CACHE=0 (unionportal.core.pagecache off: every request
     renders the page; the data caches below the page, e.g. the home figures or the
     statistics, stay as in production);
   - the API rows (/api/...) come from many client addresses, as riders' phones do: the
     API's per-address throttle would otherwise answer a single wrk address with 429s;
   - signed-in desk pages (a registered row's third field names the demo user): >= 0.25x. A
     session for that user is made in the bench database (bench_session() below) and wrk
     sends its cookie.
   Reference rows (FLOORS, no target) show what any page made by Django reaches on the same
   machine: /robots.txt (the whole middleware stack, no template) and a 404 page (the stack
   and the base template, no query), anonymous in both runs, and signed in in the warm run.
4. Run the apps' in-process benchmarks (registry.bench) and print their rows.

Targets are printed beside the figures with an ok column; nothing here fails a build.
"""

import contextlib
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


FLOORS = [
    ("floor: middleware, no template", "/robots.txt"),
    ("floor: base template (404 page)", "/bench-floor/no-such-page/"),
]


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
            # wrk stands for the one proxy in front: the API rows send each request from another
            # client address (X-Forwarded-For), as many riders would (bench/report.lua).
            "TRUSTED_PROXY_COUNT": "1",
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
        if stamp.read_text() == unions_held(env):
            print(f"Bench database already filled ({' '.join(kept)}); pass --reseed to fill it again.")
            return
        print("The bench database no longer holds what was seeded into it (emptied or replaced): filling it.")
    manage(env, "seed_demo")
    started = time.monotonic()
    manage(env, "seed_scale", *kept)
    print(f"seed_scale {' '.join(kept)}: {time.monotonic() - started:.0f} s")
    stamp.write_text(unions_held(env))


def unions_held(env: dict) -> str:
    """How many unions the bench database holds: the seeded stamp records it, so that a database
    emptied or replaced since (the benchmark never adds a union) is filled again."""
    code = "from unionportal.core.models import Union; print(Union.objects.count())"
    out = subprocess.run(
        [PY, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return out.strip().splitlines()[-1]


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


def wrk(url: str, cookie: str | None = None) -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    # The API throttles per client address: its rows come from many (bench/report.lua).
    many = {"BENCH_MANY_CLIENTS": "1" if "/api/" in url else "0"}
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",
            *headers,
            "-s",
            str(ROOT / "bench" / "report.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **many},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


SESSION_CODE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user = get_user_model().objects.filter(username=sys.argv[1]).first()
if user is None:
    print("")
else:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(3600)
    store.create()
    print(store.session_key)
"""


def bench_session(env: dict, username: str) -> str | None:
    """A signed-in session of a demo user, made in the bench database: the cookie wrk sends."""
    out = subprocess.run(
        [PY, "-c", SESSION_CODE, username], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    key = out.splitlines()[-1] if out else ""
    return f"sessionid={key}" if key else None


def start_server(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
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


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def load(base: str, targets: list[tuple[str, str, str | None]]) -> list[tuple[str, str, dict]]:
    import urllib.request

    rows = []
    for label, path, cookie in targets:
        # One request alone first (a cold page renders once, not 16 times at once), then a
        # warm-up run, not reported, that fills the caches and connections.
        request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie} if cookie else {})
        with contextlib.suppress(OSError):  # wrk reports it
            urllib.request.urlopen(request, timeout=120).read()  # noqa: S310 (loopback)
        wrk(f"{base}{path}", cookie)
        rows.append((label, path, wrk(f"{base}{path}", cookie)))
    return rows


def summary(rows: list[dict]) -> str:
    """How many pages meet each target (warm public, cold public, signed-in desk)."""
    public = [r for r in rows if "cold_target" in r]
    desk = [r for r in rows if "cold_target" not in r and not r.get("reference")]
    return (
        f"Targets met: {sum(r['ok'] for r in public)} of {len(public)} public pages warm (>= 0.8x), "
        f"{sum(r['cold_ok'] for r in public)} of {len(public)} cold (>= 0.3x), "
        f"{sum(r['ok'] for r in desk)} of {len(desk)} desk pages (>= 0.25x)."
    )


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

    registered = [tuple(p) for p in report(env, "--pages")]
    public = [(p[0], p[1], None) for p in registered if len(p) < 3 or not p[2]]
    sessions: dict[str, str | None] = {}
    desk = []
    for p in registered:
        if len(p) >= 3 and p[2]:
            if p[2] not in sessions:
                sessions[p[2]] = bench_session(env, p[2])
            if sessions[p[2]]:
                desk.append((f"{p[0]} ({p[2]})", p[1], sessions[p[2]]))
            else:
                print(f"(skipping {p[0]}: no user {p[2]} in the bench database)")
    healthz = [("healthz", "/healthz", None)]
    floors = [(label, path, None) for label, path in FLOORS]
    desk_cookie = next((c for _label, _path, c in desk), None)
    if desk_cookie:
        floors.append(("floor: signed in, base template (404)", FLOORS[1][1], desk_cookie))

    # Warm: the page cache on, as served.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port)
    try:
        wait_for(f"{base}/healthz")
        warm = load(base, [*healthz, *public, *desk, *floors, ("healthz (again)", "/healthz", None)])
    finally:
        stop_server(server)
    # Cold: a second server with the page cache off (PAGE_CACHE=0), anonymous pages only.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server({**env, "PAGE_CACHE": "0"}, port)
    try:
        wait_for(f"{base}/healthz")
        cold = load(base, [*healthz, *public, *floors[:2], ("healthz (again)", "/healthz", None)])
    finally:
        stop_server(server)

    def baseline_of(rows):
        return (rows[0][2]["rps"] + rows[-1][2]["rps"]) / 2

    warm_base, cold_base = baseline_of(warm), baseline_of(cold)
    cold_by_path = {path: r for _label, path, r in cold[1:-1]}
    desk_paths = {path for _label, path, _c in desk}
    print(
        f"\nPages under gunicorn (2 workers, {CONNECTIONS} connections, {DURATION} s each; /healthz baseline "
        f"{warm_base:,.0f} req/s warm run, {cold_base:,.0f} req/s cold run = mean of first and last run)"
    )
    print(
        f"{'page':<34} {'path':<36} {'req/s':>8} {'p95 ms':>7} {'ratio':>6} {'target':>7} {'ok':>3} "
        f"{'cold r/s':>9} {'ratio':>6} {'target':>7} {'ok':>3} {'non-2xx':>8}"
    )
    rows, floor_rows = [], []
    for label, path, r in warm:
        ratio = r["rps"] / warm_base
        bad = r["non2xx"] + r["errors"]
        if label.startswith("floor"):
            floor_rows.append((label, path, r, ratio, cold_by_path.get(path) if "signed in" not in label else None))
            continue
        if label.startswith("healthz"):
            line = f"{label:<34} {path[:36]:<36} {r['rps']:>8,.0f} {r['p95_ms']:>7.1f} {ratio:>6.2f}"
            print(f"{line} {'':>7} {'':>3} {'':>9} {'':>6} {'':>7} {'':>3} {bad:>8}")
            continue
        target = 0.25 if path in desk_paths else 0.8
        ok = ratio >= target and not bad
        row = {"page": label, "path": path, "rps": r["rps"], "ratio": round(ratio, 3), "target": target, "ok": ok}
        line = f"{label[:34]:<34} {path[:36]:<36} {r['rps']:>8,.0f} {r['p95_ms']:>7.1f} {ratio:>6.2f} {target:>7.2f}"
        line += f" {'✓' if ok else '✗':>3}"
        c = cold_by_path.get(path) if path not in desk_paths else None
        if c is not None:
            c_ratio = c["rps"] / cold_base
            c_ok = c_ratio >= 0.3 and not (c["non2xx"] + c["errors"])
            row.update({"cold_rps": c["rps"], "cold_ratio": round(c_ratio, 3), "cold_target": 0.3, "cold_ok": c_ok})
            line += f" {c['rps']:>9,.0f} {c_ratio:>6.2f} {0.3:>7.2f} {'✓' if c_ok else '✗':>3}"
        else:
            line += f" {'':>9} {'':>6} {'':>7} {'':>3}"
        print(f"{line} {bad:>8}")
        rows.append(row)
    print(summary(rows))
    print("\nReference (no target): the best any page made by Django reaches here")
    for label, path, r, ratio, c in floor_rows:
        line = f"{label[:34]:<34} {path[:36]:<36} {r['rps']:>8,.0f} {r['p95_ms']:>7.1f} {ratio:>6.2f} {'':>7} {'':>3}"
        if c is not None:
            line += f" {c['rps']:>9,.0f} {c['rps'] / cold_base:>6.2f}"
        print(line)
        rows.append({"page": label, "path": path, "rps": r["rps"], "ratio": round(ratio, 3), "reference": True})

    results = []
    if os.environ.get("BENCH_PAGES_ONLY") != "1":  # "1": quick runs of the page rows alone
        import keys  # bench/keys.py: backup time and size, key rotation rate

        results = report(env) + keys.run(env)
    if results:
        print("\nIn-process benchmarks")
        print(f"{'group':<12} {'measure':<52} {'value':>12} {'unit':<8} {'target':<22} ok")
        for r in results:
            ok = {True: "yes", False: "NO", None: ""}[r.get("ok")]
            print(
                f"{r['group']:<12} {r['name'][:52]:<52} {r['value']:>12,.2f} {r.get('unit', ''):<8} "
                f"{r.get('target', '') or '':<22} {ok}"
            )
    (RESULTS / "last.json").write_text(
        json.dumps({"pages": rows, "warm": warm, "cold": cold, "in_process": results}, indent=1, default=str)
    )


if __name__ == "__main__":
    main()
