#!/usr/bin/env bash
# Debian packages the portal needs beside Python and Node: python3-venv (a fresh Debian has
# python3 without venv/ensurepip, so `python3 -m venv` fails), gettext (compilemessages),
# Chromium (browser tests drive Debian's build; no browser is ever downloaded), CJK fonts
# (certificates and screenshots), wrk (benchmarks), nginx and Redis (the deploy smoke test
# runs nginx, with an openssl-made certificate, in front of two gunicorn processes; the Redis
# tests and CI use redis-server), a Java runtime (the Nu HTML checker, npm vnu-jar, in
# tests/test_phone_pages.py).
# Installs only what is missing.
set -euo pipefail
need=()
python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
command -v msgfmt >/dev/null || need+=(gettext)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null || need+=(openssl)
command -v redis-server >/dev/null || need+=(redis-server)
command -v java >/dev/null || need+=(default-jre-headless)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
