"""Volume data for benchmarks: `manage.py seed_scale --welfare-files N --welfare-visits N`.

On PostgreSQL rows go in with COPY (1M visits in well under a minute); elsewhere with
bulk_create in large batches. Every person is fictional, ID numbers well-formed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from unionportal.core.bulk import insert_rows
from unionportal.core.models import Union
from unionportal.core.progress import Progress

from . import identity
from .models import HardshipFile, Visit

BATCH = 10_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅海波东文辉玉兰春"


def add_arguments(parser) -> None:
    parser.add_argument("--welfare-files", type=int, default=0, help="Hardship files to add.")
    parser.add_argument("--welfare-visits", type=int, default=0, help="Visits to add (spread over the files).")


def _unions() -> list[int]:
    ids = list(Union.objects.filter(name__startswith="北方车辆集团").values_list("pk", flat=True))
    return ids or list(Union.objects.values_list("pk", flat=True)[:20])


def run(options: dict, stdout) -> None:
    n_files = options.get("welfare_files") or 0
    n_visits = options.get("welfare_visits") or 0
    if not (n_files or n_visits):
        return
    unions = _unions()
    if not unions:
        stdout.write("welfare: no unions; run seed_demo first")
        return
    rng = random.Random(20230110)
    if n_files:
        _files(n_files, unions, rng)
    if n_visits:
        _visits(n_visits, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE welfare_hardshipfile")
            cursor.execute("ANALYZE welfare_visit")


def _files(n: int, unions: list[int], rng: random.Random) -> None:
    now = timezone.now()
    today = timezone.localdate()
    start_seq = HardshipFile.objects.count()
    bar = Progress(n, "welfare files")
    columns = [
        "created_at",
        "updated_at",
        "union_id",
        "name",
        "gender",
        "id_number_encrypted",
        "id_number_hash",
        "id_number_masked",
        "phone",
        "address",
        "region",
        "category",
        "suggested_category",
        "line_amount",
        "override_reason",
        "causes",
        "status",
        "stage",
        "rigid_expenses",
        "accident_loss",
        "household_size",
        "household_income",
        "per_capita_monthly",
        "notice_days",
        "objections",
        "review_due",
        "filed_on",
    ]
    categories = HardshipFile.Category.values
    statuses = HardshipFile.Status.values
    for offset in range(0, n, BATCH):
        size = min(BATCH, n - offset)
        rows = []
        for i in range(size):
            k = start_seq + offset + i
            # Region + birth date + sequence make every number distinct.
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=k // 1000 % 15000)
            number = identity.make_fictional(f"{110101 + k // 15_000_000 % 50:06d}", birth, k % 1000)
            size_h = rng.randint(1, 5)
            income = Decimal(rng.randrange(10_000, 120_000))
            rows.append(
                (
                    now,
                    now,
                    rng.choice(unions),
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    rng.choice("fm"),
                    identity.encrypt(number),
                    identity.lookup_hash(number),
                    identity.mask(number),
                    f"13{rng.randrange(10**9):09d}",
                    "",
                    "北京市",
                    rng.choice(categories),
                    "",
                    Decimal(1500),
                    "",
                    "[]",
                    rng.choice(statuses),
                    HardshipFile.Stage.FILED,
                    Decimal(0),
                    Decimal(0),
                    size_h,
                    income,
                    (income / 12 / size_h).quantize(Decimal("0.01")),
                    5,
                    "",
                    today + dt.timedelta(days=rng.randrange(-200, 365)),
                    today - dt.timedelta(days=rng.randrange(1, 900)),
                )
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                insert_rows(HardshipFile, columns, rows)
            else:
                HardshipFile.objects.bulk_create(
                    [HardshipFile(**dict(zip(columns, r, strict=True)) | {"causes": []}) for r in rows],
                    batch_size=2000,
                )
        bar.advance(size)


def _visits(n: int, rng: random.Random) -> None:
    files = list(HardshipFile.objects.values_list("pk", "union_id"))
    if not files:
        return
    now = timezone.now()
    today = timezone.localdate()
    occasions = Visit.Occasion.values
    columns = [
        "created_at",
        "updated_at",
        "union_id",
        "file_id",
        "kind",
        "site",
        "group_size",
        "occasion",
        "date",
        "visitors",
        "found",
        "money",
        "goods",
        "goods_value",
        "needs",
        "measure",
    ]
    bar = Progress(n, "welfare visits")
    for offset in range(0, n, BATCH):
        size = min(BATCH, n - offset)
        rows = []
        for _i in range(size):
            pk, union_id = files[rng.randrange(len(files))]
            rows.append(
                (
                    now,
                    now,
                    union_id,
                    pk,
                    Visit.Kind.HOUSEHOLD,
                    "",
                    0,
                    rng.choice(occasions),
                    today - dt.timedelta(days=rng.randrange(0, 1800)),
                    "工会慰问组",
                    "",
                    Decimal(rng.randrange(0, 2000)),
                    "米、面、油",
                    Decimal(rng.randrange(0, 500)),
                    "",
                    "",
                )
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                insert_rows(Visit, columns, rows)
            else:
                Visit.objects.bulk_create([Visit(**dict(zip(columns, r, strict=True))) for r in rows], batch_size=2000)
        bar.advance(size)
