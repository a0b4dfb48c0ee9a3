"""Volume data for benchmarks: `manage.py seed_scale --member-unions N --members M`.

Adds a bench federation with N grassroots unions (under N/1000 street federations) and M
roster members spread over them, plus two accounts: `bench_roster_officer` (an officer of
one street federation: 1,000 of the unions) and
`bench_roster_chair` (chair of the whole bench federation). On PostgreSQL rows go in with
COPY; elsewhere with bulk_create. Unions are written with their materialised paths directly
(adding 100,000 nodes one by one through treebeard would take most of an hour).
Run it again with a larger --members to grow the roster (×10 for the flat-page check).
"""

import random

from django.db import connection, transaction
from django.utils import timezone

from unionportal.core.bulk import insert_rows
from unionportal.core.models import Role, Union
from unionportal.core.progress import Progress

from .models import Member

BATCH = 20_000
ROOT_NAME = "Roster bench federation"
PER_STREET = 1000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红梅海波东文辉玉春"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def add_arguments(parser) -> None:
    parser.add_argument("--member-unions", type=int, default=0, help="Grassroots unions of the roster bench.")
    parser.add_argument("--members", type=int, default=0, help="Roster members in all (grows an existing roster).")


def _step(n: int) -> str:
    out = ""
    for _ in range(Union.steplen):
        n, r = divmod(n, len(ALPHABET))
        out = ALPHABET[r] + out
    return out


def _tree(n_unions: int, stdout) -> Union:
    from unionportal.core.testing import make_user

    root = Union.objects.filter(name=ROOT_NAME, depth=1).first()
    if root is not None:
        return root
    root = Union.objects.add_root({"name": ROOT_NAME, "kind": Union.Kind.CITY})
    streets = max(1, (n_unions + PER_STREET - 1) // PER_STREET)
    rows = []
    for s in range(streets):
        spath = root.path + _step(s + 1)
        kids = min(PER_STREET, n_unions - s * PER_STREET)
        rows.append(Union(path=spath, depth=2, numchild=kids, name=f"Bench street {s + 1}", kind=Union.Kind.STREET))
        for g in range(kids):
            rows.append(
                Union(
                    path=spath + _step(g + 1),
                    depth=3,
                    numchild=0,
                    name=f"Bench grassroots {s + 1}-{g + 1}",
                    kind=Union.Kind.GRASSROOTS,
                )
            )
    with transaction.atomic():
        Union.objects.bulk_create(rows, batch_size=5000)
        Union.objects.filter(pk=root.pk).update(numchild=streets)
    street = Union.objects.get(path=root.path + _step(1))
    officer = make_user("bench_roster_officer", is_staff=True)
    chair = make_user("bench_roster_chair", is_staff=True)
    Role.objects.get_or_create(user=officer, union=street, kind=Role.Kind.OFFICER)
    Role.objects.get_or_create(user=chair, union=root, kind=Role.Kind.CHAIR)
    stdout.write(f"members: {len(rows)} bench unions")
    return root


def _member_rows(start: int, count: int, unions: list[int], rng: random.Random):
    now = timezone.now()
    for i in range(start, start + count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        yield (
            now,
            now,
            rng.choice(unions),
            name,
            f"13{i:09d}",
            "",
            f"B{i:09d}",
            Member.Status.ACTIVE,
            None,
        )


def run(options: dict, stdout) -> None:
    n_unions = options.get("member_unions") or 0
    n_members = options.get("members") or 0
    if not (n_unions or n_members):
        return
    root = _tree(max(n_unions, 1), stdout)
    unions = list(
        Union.objects.filter(path__startswith=root.path, depth=3).order_by("path").values_list("pk", flat=True)
    )
    have = Member.objects.filter(card_number__startswith="B").count()
    todo = max(0, n_members - have)
    if not todo:
        return
    rng = random.Random(20230301 + have)
    columns = ["created_at", "updated_at", "union_id", "name", "phone", "email", "card_number", "status", "joined_on"]
    bar = Progress(todo, "members")
    for offset in range(0, todo, BATCH):
        size = min(BATCH, todo - offset)
        rows = _member_rows(have + offset, size, unions, rng)
        if connection.vendor == "postgresql":
            insert_rows(Member, columns, rows)
        else:
            Member.objects.bulk_create([Member(**dict(zip(columns, r, strict=True))) for r in rows], batch_size=2000)
        bar.advance(size)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum leaves a table that has been in use: statistics and the visibility map
        # (index-only scans) up to date, so the figures are not those of a table just COPYed.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member")
            cursor.execute("VACUUM ANALYZE core_union")
