import datetime as dt
from decimal import Decimal

import pytest

from welfare import identity, services
from welfare.models import Campaign, CampaignItem, Employee, HardshipFile, MinimumLivingLine

REGION = "Test City"


def id_number(seq: int, region: str = "110105") -> str:
    return identity.make_fictional(region, dt.date(1970, 1, 1) + dt.timedelta(days=seq // 1000), seq % 1000)


def visit_world(*, seq: int) -> tuple:
    """The browser tests' world (committed rows, for a live server): the test tree, its city's
    living line, Zhou Haitao's file in grassroots union A1g (ID number `seq`) and welfare staff
    `welfare_a` of district A. Returns the tree and the file."""
    from unionportal.core.models import Role
    from unionportal.core.testing import build_tree, make_user

    tree = build_tree()
    MinimumLivingLine.objects.create(union=tree.city, region=REGION, year=2026, monthly_amount=1000)
    file = services.file_create(
        union=tree.a1g,
        by=None,
        id_number=id_number(seq),
        name="Zhou Haitao",
        phone="13912345678",
        region=REGION,
        members=[{"relation": "self", "yearly_income": 9000}],
    )
    make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    return tree, file


@pytest.fixture
def line(tree):
    return MinimumLivingLine.objects.create(
        union=tree.city, region=REGION, year=dt.date.today().year, monthly_amount=Decimal("1000")
    )


@pytest.fixture
def make_file(tree, line):
    counter = {"n": 0}

    def make(union=None, **kwargs) -> HardshipFile:
        counter["n"] += 1
        fields = {
            "name": f"Worker {counter['n']}",
            "region": REGION,
            "phone": f"1390000{counter['n']:04d}",
            "members": [{"relation": "self", "yearly_income": 24000}],
        } | kwargs
        return services.file_create(
            union=union or tree.a1g, by=None, id_number=fields.pop("id_number", id_number(counter["n"])), **fields
        )

    return make


@pytest.fixture
def bulk_files(tree):
    """n files straight into the table (for query-count tests at volume)."""

    def make(n: int, union=None, start: int = 5000) -> None:
        rows = []
        for i in range(start, start + n):
            number = id_number(i)
            rows.append(
                HardshipFile(
                    union=union or tree.a1g,
                    name=f"Bulk {i}",
                    id_number_encrypted=identity.encrypt(number),
                    id_number_hash=identity.lookup_hash(number),
                    id_number_masked=identity.mask(number),
                    status=HardshipFile.Status.HELPED,
                    review_due=dt.date(2020, 1, 1),
                )
            )
        HardshipFile.objects.bulk_create(rows, batch_size=500)

    return make


@pytest.fixture
def campaign(tree):
    c = Campaign.objects.create(union=tree.a, title="Masks")
    item = CampaignItem.objects.create(campaign=c, name="N95", unit="pcs", per_person=2, received=5, stock=5)
    employees = [Employee.objects.create(union=tree.a1g, name=f"Emp {i}", staff_number=f"E{i}") for i in range(4)]
    return c, item, employees
