"""Backup and key-rotation figures on the bench database (`make bench` runs it after the pages;
`python bench/keys.py` alone on an already filled bench database).

- `manage.py backup` of the whole bench data: its time and size (the archive is deleted after).
- `manage.py rotate_keys`: every hardship file re-encrypted to a throwaway key, then back to
  the bench key, so the database ends as it started; the rate of the first run is reported
  (target: 10,000 files/s).
"""

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGET_RATE = 10_000
THROWAWAY = "bench-rotation-key-0123456789abcdefghijklmnopqrstuvwxyz"


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def _row(name: str, value: float, unit: str, target: str = "", ok=None) -> dict:
    return {"group": "keys", "name": name, "value": round(value, 2), "unit": unit, "target": target, "ok": ok}


def backup_rows(env: dict) -> list[dict]:
    archive = ROOT / "bench" / "results" / "bench-backup.tar"
    archive.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    out = _manage(env, "backup", "--output", str(archive))
    seconds = time.monotonic() - started
    size = archive.stat().st_size
    archive.unlink()
    rows = re.search(r"(\d+) rows, (\d+) files", out)
    print(f"backup: {out.strip()}")
    return [
        _row("backup of the bench data: time", seconds, "s", "completes", True),
        _row("backup of the bench data: size", size / 1e6, "MB"),
        _row("backup of the bench data: rows", int(rows.group(1)) if rows else 0, "rows"),
    ]


def _rotate(env: dict, keys: list[str]) -> tuple[int, float]:
    out = _manage({**env, "WELFARE_DATA_KEY": keys[0], "WELFARE_DATA_KEYS": ",".join(keys)}, "rotate_keys", "--restart")
    match = re.search(r"(\d+) files scanned, (\d+) re-encrypted \(([\d,]+)/s\)", out)
    if not match:
        raise RuntimeError(f"unexpected rotate_keys output: {out!r}")
    return int(match.group(2)), float(match.group(3).replace(",", ""))


def rotation_rows(env: dict) -> list[dict]:
    current = env["WELFARE_DATA_KEY"]
    moved, rate = _rotate(env, [THROWAWAY, current])
    back, rate_back = _rotate(env, [current, THROWAWAY])  # the bench data ends under its own key again
    print(f"rotate_keys: {moved} files at {rate:,.0f}/s; back: {back} at {rate_back:,.0f}/s")
    return [
        _row("rotate_keys: files re-encrypted", moved, "files"),
        _row("rotate_keys: rate", rate, "files/s", f">= {TARGET_RATE:,}/s", rate >= TARGET_RATE),
    ]


def run(env: dict) -> list[dict]:
    rows = []
    for part in (backup_rows, rotation_rows):
        try:
            rows += part(env)
        except Exception as exc:  # one broken measurement must not hide the others
            rows.append(_row(f"{part.__name__}: error", 0, "", repr(exc)[:60], False))
    return rows


def main() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from run import bench_env

    env = bench_env()
    env.pop("WELFARE_DATA_KEYS", None)
    print(f"Database: {env['DATABASE_URL']}")
    for r in run(env):
        ok = {True: "yes", False: "NO", None: ""}[r["ok"]]
        print(f"{r['name']:<44} {r['value']:>14,.2f} {r['unit']:<8} {r['target']:<16} {ok}")


if __name__ == "__main__":
    main()
