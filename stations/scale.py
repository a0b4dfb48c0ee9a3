"""Volume data for benchmarks: N stations spread over China, with hours and amenities."""

import datetime as dt
import random

from django.db import connection
from django.utils import timezone

from unionportal.core.models import Union
from unionportal.core.progress import Progress

from .amenities import ensure_amenities
from .models import Amenity, OpeningHours, Station, StationAmenity, StationGram
from .services import station_fill_derived, station_index_text

BATCH = 5000
# Population centres (lat, lng, weight): stations cluster around cities, like real ones.
CITIES = [
    (39.90, 116.40, 8),
    (31.23, 121.47, 8),
    (23.13, 113.26, 6),
    (22.54, 114.06, 6),
    (30.57, 104.07, 5),
    (29.56, 106.55, 5),
    (30.27, 120.15, 4),
    (34.26, 108.94, 3),
    (30.59, 114.31, 4),
    (32.06, 118.80, 4),
    (36.07, 120.38, 3),
    (38.04, 114.51, 3),
    (41.80, 123.43, 3),
    (45.80, 126.53, 2),
    (43.82, 125.32, 2),
    (36.65, 117.12, 3),
    (34.75, 113.62, 4),
    (28.23, 112.94, 3),
    (26.07, 119.30, 3),
    (25.04, 102.71, 2),
    (26.65, 106.63, 2),
    (22.82, 108.37, 2),
    (20.04, 110.34, 1),
    (36.06, 103.83, 2),
    (38.49, 106.23, 1),
    (43.83, 87.62, 2),
    (29.65, 91.14, 1),
    (40.84, 111.75, 1),
    (37.87, 112.55, 2),
    (28.68, 115.86, 2),
]
SYLLABLES = "东西南北中新华安和平兴盛福康宁泰丰城乡湖山河江海桥园路街"


def add_arguments(parser) -> None:
    parser.add_argument("--stations", type=int, default=0, help="Stations to add, spread over China.")


def run(options: dict, stdout) -> None:
    n = options.get("stations") or 0
    if not n:
        return
    ensure_amenities()
    unions = list(Union.objects.values_list("pk", flat=True))
    if not unions:
        stdout.write("stations: no unions; run seed_demo first")
        return
    rng = random.Random(200_000)
    amenities = list(Amenity.objects.all())
    weights = [w for _a, _b, w in CITIES]
    kinds = [Station.Kind.WARM, Station.Kind.OUTDOOR, Station.Kind.WORKER_HOME, Station.Kind.MODEL_HOME]
    start = Station.objects.count()
    bar = Progress(n, "stations")
    now = timezone.now()
    for offset in range(0, n, BATCH):
        size = min(BATCH, n - offset)
        rows = []
        for i in range(size):
            if rng.random() < 0.15:  # countryside anywhere in the mainland box
                lat, lng = rng.uniform(22, 45), rng.uniform(100, 122)
            else:
                clat, clng, _w = rng.choices(CITIES, weights)[0]
                lat, lng = clat + rng.gauss(0, 0.25), clng + rng.gauss(0, 0.3)
            name = "".join(rng.choice(SYLLABLES) for _ in range(3)) + f"职工暖心驿站{start + offset + i}"
            town = "".join(rng.choice(SYLLABLES) for _ in range(2)) + "街道"
            rows.append(
                Station(
                    union_id=rng.choice(unions),
                    name=name,
                    kind=rng.choices(kinds, [70, 20, 8, 2])[0],
                    host_type=rng.choice(Station.HostType.values),
                    town=town,
                    address=f"{town}{rng.randrange(1, 300)}号",
                    lat=round(lat, 6),
                    lng=round(lng, 6),
                    status=Station.Status.OPEN,
                    is_public=True,
                    open_24h=rng.random() < 0.2,
                    public_since=now,
                )
            )
        for s in rows:
            station_fill_derived(station=s)
        created = Station.objects.bulk_create(rows, batch_size=1000)
        if created and created[0].pk is None:  # backends that do not return ids
            created = list(Station.objects.order_by("-pk")[:size])
        station_index_text(stations=created, fresh=True)
        hours, sas = [], []
        for s in created:
            if not s.open_24h:
                hours += [
                    OpeningHours(station_id=s.pk, weekday=d, opens=dt.time(8), closes=dt.time(20)) for d in range(7)
                ]
            sas += [StationAmenity(station_id=s.pk, amenity=a) for a in rng.sample(amenities, 4)]
        OpeningHours.objects.bulk_create(hours, batch_size=2000)
        StationAmenity.objects.bulk_create(sas, batch_size=2000)
        bar.advance(size)
    if connection.vendor == "postgresql":
        # Fresh statistics: without them the planner guessed one row for a cell-range read of
        # 26,000 stations and scanned all 200,000 (coverage of 10,000 points: 1.6 s instead of 0.15 s).
        with connection.cursor() as cursor:
            for model in (Station, OpeningHours, StationAmenity, StationGram):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    stdout.write(f"stations: {Station.objects.count()} stations in all")
