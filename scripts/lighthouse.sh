#!/usr/bin/env bash
# Lighthouse (mobile) over every public page of the demo site, as a visitor would get it:
# the demo data seeded into a throw-away SQLite database, DEBUG off, gunicorn, static files
# collected with their manifest and served by whitenoise. Prints the four scores of each page
# against the target (95). Slow (about half a minute a page), so not part of `make test`:
# run it with `make lighthouse` or `scripts/lighthouse.sh [PORT]`.
#
# Needs `make install` (node_modules/.bin/lighthouse) and Chromium (CHROME_PATH, default
# /usr/bin/chromium). The JSON reports stay in $LH_OUT (default test-results/lighthouse).
# LH_DATA=<dir> keeps the demo database and media there and reuses them on the next run
# (seeding takes minutes); without it they live in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${1:-${LH_PORT:-8765}}"
TARGET="${LH_TARGET:-95}"
OUT="${LH_OUT:-test-results/lighthouse}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
PY=.venv/bin/python
LH=node_modules/.bin/lighthouse
[[ -x $LH ]] || { echo "lighthouse is missing: run make install" >&2; exit 1; }
[[ -x $CHROME_PATH ]] || { echo "Chromium not found at $CHROME_PATH (set CHROME_PATH)" >&2; exit 1; }

TMP="${LH_DATA:-$(mktemp -d)}"
mkdir -p "$TMP"
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    [[ -n ${LH_DATA:-} ]] || rm -rf "$TMP"
}
trap cleanup EXIT

secret() { $PY -c 'import secrets; print(secrets.token_urlsafe(48))'; }
# A production-like environment: no .env, DEBUG off, its own database, plain HTTP on localhost.
export ENV_FILE=/dev/null DEBUG=0 STATIC_MANIFEST=1
export DATABASE_URL="sqlite:///$TMP/db.sqlite3" MEDIA_ROOT="$TMP/media" WELFARE_PRIVATE_ROOT="$TMP/private"
export CONTESTS_PRIVATE_ROOT="$TMP/contests_private"
export SECRET_KEY="$(secret)" WELFARE_DATA_KEY="$(secret)" BALLOT_CHAIN_KEY="$(secret)"
export ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export SECURE_HSTS_SECONDS=0 LOG_LEVEL=WARNING

echo "== building the demo site in $TMP"
$PY manage.py collectstatic --noinput -v0
SEEDED=0
[[ -f $TMP/db.sqlite3 ]] && SEEDED=1
$PY manage.py migrate --noinput -v0
[[ $SEEDED == 1 ]] || $PY manage.py seed_demo >/dev/null

# The public pages: fixed ones, then one of each kind of object page that answers 200.
mapfile -t PAGES < <($PY manage.py shell -v0 -c '
from django.test import Client
from contests.models import Contest, Entry
from stations.models import Station
from studios.models import Studio

c = Client(HTTP_HOST="localhost")
ok = lambda url: url if url and c.get(url).status_code == 200 else None
def first(urls):
    return next((u for u in urls if ok(u)), None)
pages = [("home", "/"), ("activities", "/activities/"), ("finder", "/stations/")]
pages.append(("station", first(s.get_absolute_url() for s in Station.objects.order_by("pk")[:20])))
pages.append(("station stats", "/stations/stats/"))
pages.append(("studio list", "/studios/"))
pages.append(("studio profile", first(s.get_absolute_url() for s in Studio.objects.order_by("pk")[:20])))
pages.append(("contest list", "/contests/"))
pages.append(("contest", first(x.get_absolute_url() for x in Contest.objects.order_by("pk"))))
pages.append(("entry", first(e.get_absolute_url() for e in Entry.objects.select_related("contest").order_by("pk")[:50])))
pages.append(("results", first(f"{x.get_absolute_url()}results/" for x in Contest.objects.order_by("pk"))))
for name, url in pages:
    print(name + "|" + (url or ""))
')

[[ ${#PAGES[@]} -gt 0 ]] || { echo "could not list the public pages" >&2; exit 1; }

echo "== starting gunicorn on 127.0.0.1:$PORT"
.venv/bin/gunicorn unionportal.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --log-level warning >"$TMP/gunicorn.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

mkdir -p "$OUT"
ROWS=()
FAILED=0
for page in "${PAGES[@]}"; do
    name="${page%%|*}"
    path="${page#*|}"
    if [[ -z $path ]]; then
        ROWS+=("$(printf '%-15s %-40s %s' "$name" "(no such page in the demo data)" "")")
        FAILED=1
        continue
    fi
    report="$OUT/$(echo "$name" | tr ' ' '-').json"
    echo "== lighthouse $name ($path)"
    # One retry: a loaded machine sometimes loses the page's first trace.
    for attempt in 1 2; do
        if $LH "http://127.0.0.1:$PORT$path" --quiet --output=json --output-path="$report" \
            --only-categories=performance,accessibility,best-practices,seo \
            --chrome-flags="--headless=new --no-sandbox --disable-gpu" --locale=en-US; then
            break
        fi
        echo "   (attempt $attempt failed)" >&2
    done
    row="$(node -e '
        const r = require(process.argv[1]), t = Number(process.argv[4]);
        const ids = ["performance", "accessibility", "best-practices", "seo"];
        const s = ids.map((id) => r.categories[id] && r.categories[id].score !== null ? Math.round(r.categories[id].score * 100) : -1);
        const cells = s.map((v) => (v < 0 ? "err" : String(v) + (v < t ? "!" : "")).padStart(5));
        console.log(process.argv[2].padEnd(15) + " " + process.argv[3].padEnd(40) + cells.join(" "));
        process.exit(s.every((v) => v >= t) ? 0 : 3);
    ' "$(realpath "$report")" "$name" "$path" "$TARGET")" || FAILED=1
    ROWS+=("$row")
done

echo
printf '%-15s %-40s %5s %5s %5s %5s\n' page path perf a11y best seo
for row in "${ROWS[@]}"; do echo "$row"; done
echo "(target: each score >= $TARGET; '!' marks a miss; reports in $OUT)"
exit $FAILED
