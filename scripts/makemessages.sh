#!/usr/bin/env bash
# Extract translatable strings into the zh_Hans catalogue of one part of the project.
#   scripts/makemessages.sh            core + templates/  -> locale/ (every app with its own locale/ ignored)
#   scripts/makemessages.sh stations   an app             -> stations/locale/
# Then translate the new msgstr entries and run `make messages`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export DJANGO_SETTINGS_MODULE=unionportal.settings PYTHONPATH="$root"
admin="$root/.venv/bin/django-admin"
common=(-l zh_Hans --no-obsolete --ignore=node_modules --ignore=.venv --ignore=staticfiles --ignore=tests)
if [ $# -eq 0 ]; then
  cd "$root"
  "$admin" makemessages "${common[@]}" --ignore=stations --ignore=studios --ignore=contests --ignore=welfare --ignore=bench --ignore=media \
    --ignore=accounts --ignore=members --ignore=deploy --ignore=api --ignore=notifications
else
  cd "$root/$1"
  mkdir -p locale
  "$admin" makemessages "${common[@]}"
fi
