import json
import traceback

from django.core.management.base import BaseCommand

from unionportal.core import registry


class Command(BaseCommand):
    """Used by `make bench` (bench/run.py): lists the pages the apps want measured under
    gunicorn, or runs the apps' in-process benchmarks, as one JSON line on stdout."""

    help = "Print the registered bench pages (--pages) or run the in-process benchmarks, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--pages", action="store_true", help="List the pages to load instead.")

    def handle(self, *args, **options):
        if options["pages"]:
            self.stdout.write(json.dumps([list(p) for fn in registry.BENCH_PAGES for p in fn()]))
            return
        rows = []
        for name, fn in registry.BENCH:
            try:
                rows += [{"group": name, **row} for row in fn()]
            except Exception as exc:  # one broken benchmark must not hide the others
                self.stderr.write(traceback.format_exc())
                rows.append(
                    {"group": name, "name": "error", "value": 0, "unit": "", "target": repr(exc)[:60], "ok": False}
                )
        self.stdout.write(json.dumps(rows))
