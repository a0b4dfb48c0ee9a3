#!/usr/bin/env bash
# Debian packages the portal needs beside Python and Node: gettext (compilemessages),
# Chromium (browser tests drive Debian's build; no browser is ever downloaded),
# CJK fonts (certificates and screenshots), wrk (benchmarks). Installs only what is missing.
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v wrk >/dev/null || need+=(wrk)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
