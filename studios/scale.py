"""Volume data for benchmarks: `manage.py seed_scale --studios N --achievements N`."""

import datetime as dt
import random

from unionportal.core.models import Union
from unionportal.core.progress import Progress

from .models import Achievement, Member, Studio
from .services import studio_search_text

BATCH = 2000


def add_arguments(parser) -> None:
    parser.add_argument("--studios", type=int, default=0, help="Active published studios to add.")
    parser.add_argument("--achievements", type=int, default=0, help="Achievements to spread over the studios.")


def run(options: dict, stdout) -> None:
    rng = random.Random(20221216)
    n_studios = options.get("studios") or 0
    n_achievements = options.get("achievements") or 0
    unions = list(Union.objects.values_list("pk", flat=True))
    if not unions:
        stdout.write("studios: no unions; run seed_demo first")
        return
    if n_studios:
        start = Studio.objects.filter(slug__startswith="scale-").count()
        bar = Progress(n_studios, "studios")
        kinds, levels = Studio.Kind.values, Studio.Level.values
        for offset in range(0, n_studios, BATCH):
            size = min(BATCH, n_studios - offset)
            rows = []
            for i in range(start + offset, start + offset + size):
                name, leader = f"Scale studio {i}", f"Leader {i}"
                rows.append(
                    Studio(
                        name=name,
                        slug=f"scale-{i}",
                        kind=rng.choice(kinds),
                        level=rng.choice(levels),
                        union_id=rng.choice(unions),
                        status=Studio.Status.ACTIVE,
                        published=True,
                        founded_on=dt.date(2015 + i % 9, 1 + i % 12, 1),
                        search_text=studio_search_text(name=name, leader=leader),
                    )
                )
            made = Studio.objects.bulk_create(rows, batch_size=500)
            Member.objects.bulk_create(
                [Member(studio_id=s.pk, name=f"Leader {s.slug[6:]}", role=Member.Role.LEADER) for s in made],
                batch_size=500,
            )
            bar.advance(size)
    if n_achievements:
        studio_ids = list(Studio.objects.values_list("pk", flat=True))
        if not studio_ids:
            stdout.write("studios: no studios to add achievements to")
            return
        bar = Progress(n_achievements, "achievements")
        types = Achievement.Type.values
        for offset in range(0, n_achievements, BATCH * 5):
            size = min(BATCH * 5, n_achievements - offset)
            rows = [
                Achievement(
                    studio_id=rng.choice(studio_ids),
                    type=rng.choice(types),
                    title=f"Scale achievement {offset + i}",
                    date=dt.date(2015 + rng.randrange(9), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                )
                for i in range(size)
            ]
            Achievement.objects.bulk_create(rows, batch_size=1000)
            bar.advance(size)
    stdout.write(f"studios: {Studio.objects.count()} studios, {Achievement.objects.count()} achievements")
