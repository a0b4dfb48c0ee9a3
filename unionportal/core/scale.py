"""Volume data of the core for benchmarks: extra activities spread over the demo unions."""

import datetime as dt
import random

from django.utils import timezone

from .models import Activity, Union
from .progress import Progress

BATCH = 5000


def add_arguments(parser) -> None:
    parser.add_argument("--activities", type=int, default=0, help="Published activities to add.")


def run(options: dict, stdout) -> None:
    n = options.get("activities") or 0
    if not n:
        return
    unions = list(Union.objects.values_list("pk", flat=True))
    if not unions:
        stdout.write("core: no unions; run seed_demo first")
        return
    rng = random.Random(20221118)
    start = timezone.now() - dt.timedelta(days=365 * 3)
    bar = Progress(n, "activities")
    kinds = Activity.Kind.values
    for offset in range(0, n, BATCH):
        size = min(BATCH, n - offset)
        rows = []
        for i in range(size):
            when = start + dt.timedelta(minutes=rng.randrange(365 * 3 * 24 * 60))
            rows.append(
                Activity(
                    union_id=rng.choice(unions),
                    kind=rng.choice(kinds),
                    title=f"Scale activity {offset + i}",
                    starts_at=when,
                    participants=rng.randrange(5, 200),
                    status=Activity.Status.PUBLISHED,
                    published_at=when,
                    source=f"scale:{offset + i}",
                )
            )
        Activity.objects.bulk_create(rows, batch_size=1000)
        bar.advance(size)
