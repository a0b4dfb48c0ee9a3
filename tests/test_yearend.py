"""The year-end report (unionportal.core.yearend and each app's yearend.py): figures on
hand-made rows, the rollup over a subtree, scoping, the workbook, bad input, query counts."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contests.models import Ballot, Category, Contest, Entry
from stations.models import CheckIn, Feedback, Inspection, Station
from studios.models import Achievement, Studio
from unionportal.core.models import Activity, Role
from unionportal.core.testing import make_user
from unionportal.core.yearend import table, year_parse, yearend_report
from welfare.models import Assistance, HardshipFile, Visit

YEAR = 2025


def at(month: int, day: int = 10, year: int = YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=timezone.get_current_timezone())


def station(union, kind="warm", **kw) -> Station:
    return Station.objects.create(union=union, name=f"S{Station.objects.count()}", kind=kind, lat=39.7, lng=116.1, **kw)


@pytest.fixture
def world(tree):
    """Rows in A's subtree (A1g below A), in its sibling B, and in other years."""
    a_warm = station(tree.a1g, "warm", founded_on=dt.date(YEAR, 3, 1))
    a_home = station(tree.a, "model_home")
    b_warm = station(tree.bg, "outdoor")
    ok = Inspection.objects.create(station=a_warm, inspected_on=dt.date(YEAR, 4, 1), passed_all=True)
    Station.objects.filter(pk=a_warm.pk).update(latest_inspection=ok)
    Inspection.objects.create(station=a_home, inspected_on=dt.date(YEAR - 1, 4, 1), passed_all=False)
    for month in (1, 1, 5):
        CheckIn.objects.create(station=a_warm, at=at(month), client="c")
    CheckIn.objects.create(station=a_home, at=at(5, year=YEAR - 1))
    CheckIn.objects.create(station=b_warm, at=at(5))
    Feedback.objects.filter(pk=Feedback.objects.create(station=a_warm, problem="water").pk).update(
        created_at=at(2), answered_at=at(3), status="answered"
    )
    Feedback.objects.filter(pk=Feedback.objects.create(station=a_home, rating=5).pk).update(created_at=at(6))
    Feedback.objects.create(station=b_warm, problem="water")

    studio = Studio.objects.create(name="A studio", kind="party_phd", union=tree.a1, slug="a-studio")
    b_studio = Studio.objects.create(name="B studio", kind="worker", union=tree.bg, slug="b-studio")
    for kind in ("patent_accepted", "patent_accepted", "standard_led"):
        Achievement.objects.create(studio=studio, type=kind, title="x", date=dt.date(YEAR, 6, 1))
    Achievement.objects.create(studio=studio, type="paper", title="old", date=dt.date(YEAR - 1, 6, 1))
    Achievement.objects.create(studio=b_studio, type="paper", title="b", date=dt.date(YEAR, 6, 1))

    contest = Contest.objects.create(
        union=tree.a,
        title="A contest",
        slug="a-contest",
        entry_opens=at(2),
        entry_closes=at(3),
        screening_closes=at(4),
        vote_opens=at(5),
        vote_closes=at(6),
        jury_closes=at(7),
        results_on=at(8),
        results_published=True,
        results_published_at=at(8),
    )
    cat = Category.objects.create(contest=contest, name="c")
    entries = [
        Entry.objects.create(contest=contest, category=cat, title=f"E{i}", description="-", status=s, prize=p)
        for i, (s, p) in enumerate([("accepted", "first"), ("accepted", "excellence"), ("rejected", "")])
    ]
    Entry.objects.filter(contest=contest).update(created_at=at(2))
    voter = make_user("voter_y")
    for i, e in enumerate(entries[:2]):
        Ballot.objects.create(
            contest=contest, seq=i + 1, voter=voter, entry=e, period="c", cast_at=at(5), prev_hash="0", hash=str(i)
        )

    def fil(union, category, filed_on):
        return HardshipFile.objects.create(union=union, name="N", category=category, filed_on=filed_on)

    f1 = fil(tree.a1g, "deep", dt.date(YEAR, 2, 1))
    fil(tree.a, "relative", dt.date(YEAR - 1, 2, 1))
    fb = fil(tree.bg, "deep", dt.date(YEAR, 2, 1))
    Visit.objects.create(union=tree.a1g, file=f1, date=dt.date(YEAR, 2, 2), money=Decimal("500"), goods_value=100)
    Visit.objects.create(union=tree.a, kind="group", date=dt.date(YEAR, 7, 2), group_size=20, money=Decimal("0"))
    Visit.objects.create(union=tree.bg, file=fb, date=dt.date(YEAR, 2, 2), money=Decimal("900"))
    Assistance.objects.create(
        union=tree.a1g, file=f1, kind="medical", amount=Decimal("1200.50"), date=dt.date(YEAR, 3, 1)
    )
    Assistance.objects.create(union=tree.bg, file=fb, kind="medical", amount=Decimal("99"), date=dt.date(YEAR, 3, 1))

    for kind, when, people in (("study", at(3), 30), ("study", at(4), 20), ("lecture", at(4, year=YEAR - 1), 5)):
        Activity.objects.create(
            union=tree.a1,
            kind=kind,
            title="t",
            starts_at=when,
            participants=people,
            status="published",
            published_at=when,
        )
    Activity.objects.create(union=tree.a1, kind="seminar", title="draft", starts_at=at(3), participants=9)
    Activity.objects.create(
        union=tree.bg, kind="study", title="b", starts_at=at(3), participants=7, status="published", published_at=at(3)
    )
    return tree


def figures(report, key) -> dict:
    section = next((s for s in report["sections"] if s["key"] == key), None)
    return None if section is None else {str(label): value for label, value in section["figures"]}


def rows(report, key, title) -> dict:
    section = next(s for s in report["sections"] if s["key"] == key)
    t = next(t for t in section["tables"] if t["title"] == title)
    return {str(r[0]): r[1:] for r in t["rows"]} | {"__total__": t["total"]}


def test_each_section_figures_over_the_subtree(world, superuser):
    report = yearend_report(user=superuser, union=world.a, year=YEAR)
    st = figures(report, "stations")
    assert st["All stations"] == 2 and st["Warm stations"] == 1 and st["Worker homes"] == 1
    assert st["Seven-haves compliant stations"] == 1 and st["Stations never inspected"] == 1
    assert st["Inspections in the year"] == 1 and st["Inspections passed in full"] == 1
    assert st["Check-ins"] == 3  # the sibling's and last year's left out
    assert st["Feedback received"] == 2 and st["Feedback answered"] == 1
    by_kind = rows(report, "stations", "Stations by kind")
    assert by_kind["Warm station"] == [1, 1, 0, 1] and by_kind["Model worker home"] == [1, 0, 1, 0]
    assert by_kind["__total__"][1:] == [2, 1, 1, 1]
    assert rows(report, "stations", "Check-ins by month")["1 month"] == [2]

    sd = figures(report, "studios")
    assert sd["Achievements in the year"] == 3 and sd["of which patents"] == 2 and sd["of which standards"] == 1
    assert rows(report, "studios", "Achievements by kind")["Patent application accepted"] == [2]

    ct = figures(report, "contests")
    assert (ct["Contests opened in the year"], ct["Entries"], ct["Entries accepted"]) == (1, 3, 2)
    assert (ct["Ballots cast"], ct["Awards"]) == (2, 2)
    assert rows(report, "contests", "Awards by prize")["First prize"] == [1]

    wf = figures(report, "welfare")
    assert wf["Hardship files filed in the year"] == 1 and wf["Hardship files open"] == 2
    assert wf["Hardship visits"] == 2 and wf["Money and goods given on visits (yuan)"] == Decimal("600")
    assert wf["Assistance measures"] == 1 and wf["Assistance total (yuan)"] == Decimal("1200.50")
    visits = rows(report, "welfare", "Hardship visits by kind")
    assert visits["A worker"] == [1, Decimal("500"), Decimal("100")] and visits["A group at a site"][0] == 1

    ac = figures(report, "activities")
    assert ac == {"Activities held": 2, "Participants": 50}  # published, this year, this subtree
    assert rows(report, "activities", "Activities by kind")["Study session"] == [2, 50]


def test_rollup_city_adds_the_siblings_and_a_leaf_sees_only_itself(world, superuser):
    city = yearend_report(user=superuser, union=world.city, year=YEAR)
    assert figures(city, "stations")["All stations"] == 3
    assert figures(city, "stations")["Check-ins"] == 4
    assert figures(city, "welfare")["Assistance total (yuan)"] == Decimal("1299.50")
    assert figures(city, "activities")["Activities held"] == 3
    leaf = yearend_report(user=superuser, union=world.a1g, year=YEAR)
    assert figures(leaf, "stations")["All stations"] == 1
    assert figures(leaf, "activities")["Activities held"] == 0
    last = yearend_report(user=superuser, union=world.a, year=YEAR - 1)
    assert figures(last, "stations")["Check-ins"] == 1 and figures(last, "activities")["Activities held"] == 1


def test_welfare_section_only_for_welfare_roles(world, chair_a, welfare_a, officer_a):
    for user in (chair_a, officer_a):
        report = yearend_report(user=user, union=world.a, year=YEAR)
        assert figures(report, "welfare") is None
        assert figures(report, "stations") is not None
    assert figures(yearend_report(user=welfare_a, union=world.a1g, year=YEAR), "welfare") is not None


def test_page_scoped_sibling_union_is_not_found(client, world, officer_a):
    client.force_login(officer_a)
    ok = client.get(reverse("core:yearend"), {"union": world.a1.pk, "year": YEAR})
    assert ok.status_code == 200 and ok.context["union"] == world.a1
    for forged in (world.b.pk, world.bg.pk, world.city.pk):
        response = client.get(reverse("core:yearend"), {"union": forged, "year": YEAR})
        assert response.status_code == 404
        assert response.context["report"] is None
        assert "No such union among yours." in response.content.decode()
        assert client.get(reverse("core:yearend_export"), {"union": forged, "year": YEAR}).status_code == 404
    names = [u.name for u in client.get(reverse("core:yearend")).context["choices"]]
    assert "District A" in names and "District B" not in names and "Grassroots Bg" not in names


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"year": "abc"}, 400, "The year must be a number"),
        ({"year": "0"}, 400, "The year must be between"),
        ({"year": "99999999999999999999"}, 400, "The year must be between"),
        ({"year": "-5"}, 400, "The year must be a number"),
        ({"union": "999999"}, 404, "No such union among yours."),
        ({"union": "abc"}, 404, "No such union among yours."),
    ],
)
def test_bad_input_gives_a_message(client, world, officer_a, query, status, message):
    client.force_login(officer_a)
    for name in ("core:yearend", "core:yearend_export"):
        response = client.get(reverse(name), query)
        assert response.status_code == status
        assert message in response.content.decode()


def test_bad_input_in_chinese(client, world, officer_a):
    client.force_login(officer_a)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("core:yearend"), {"year": "abc"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "年份" in page


def test_year_parse_bounds():
    assert year_parse(" 2024 ") == 2024
    with pytest.raises(Exception, match="between"):
        year_parse(1999)


def test_table_totals_skip_text_columns():
    t = table("t", ["a", "b", "c"], [["x", 1, "n"], ["y", 2, "m"]])
    assert t["total"] == ["Total", 3, ""]


def test_workbook_sheets_and_no_welfare_for_a_chair(client, world, chair_a, welfare_a):
    client.force_login(chair_a)
    response = client.get(reverse("core:yearend_export"), {"union": world.a.pk, "year": YEAR})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Cover", "Stations", "Innovation studios", "Contests", "Activities"]
    cover = {r[0]: r[1] for r in book["Cover"].iter_rows(values_only=True) if r and r[0]}
    assert cover["Union"] == "District A" and cover["Year"] == YEAR and cover["Generated at"]
    values = list(book["Stations"].iter_rows(values_only=True))
    assert values[[r[0] for r in values].index("Total")][:5] == ("Total", 2, 1, 1, 1)
    client.force_login(welfare_a)
    book = load_workbook(
        io.BytesIO(client.get(reverse("core:yearend_export"), {"union": world.a.pk, "year": YEAR}).content)
    )
    assert "Welfare" in book.sheetnames


def test_page_queries_flat(client, world, welfare_a, django_assert_max_num_queries):
    client.force_login(welfare_a)
    url = reverse("core:yearend")
    client.get(url, {"union": world.a.pk, "year": YEAR})
    # session, user, role kinds, chooser (min depth + unions), the union, welfare role check,
    # stations 4, studios 2, contests 4, welfare 3, activities 1: about 21, whatever the rows.
    with django_assert_max_num_queries(24) as before:
        assert client.get(url, {"union": world.a.pk, "year": YEAR}).status_code == 200
    n = len(before.captured_queries)
    for _ in range(3):
        station(world.a1g)
        Visit.objects.create(union=world.a1g, date=dt.date(YEAR, 3, 3))
        Activity.objects.create(
            union=world.a1g, kind="study", title="t", starts_at=at(3), status="published", published_at=at(3)
        )
    with django_assert_max_num_queries(n):
        assert client.get(url, {"union": world.a.pk, "year": YEAR}).status_code == 200


def test_desk_menu_links_the_report(client, world, officer_a):
    client.force_login(officer_a)
    assert reverse("core:yearend") in client.get(reverse("core:desk")).content.decode()


# --- The demo data ---------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_demo_workbook_and_fangshan_matches_station_stats(client, demo):
    from stations.selectors import station_stats
    from unionportal.core.models import Union

    stats = station_stats()
    year = timezone.localdate().year
    fangshan = Union.objects.get(name="房山区总工会")
    officer = Role.objects.filter(kind="officer", union=fangshan).first().user
    client.force_login(officer)
    response = client.get(reverse("core:yearend_export"), {"union": fangshan.pk, "year": year})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Cover", "Stations", "Innovation studios", "Contests", "Activities"]
    report = client.get(reverse("core:yearend"), {"union": fangshan.pk, "year": year}).context["report"]
    st = figures(report, "stations")
    assert st["All stations"] == stats["total"] == 804 + 54
    assert st["Warm stations"] == stats["warm"] and st["Worker homes"] == stats["homes"]
    by_kind = rows(report, "stations", "Stations by kind")
    assert [(k, v[0]) for k, v in by_kind.items() if k != "__total__"] == [(str(k), n) for k, n in stats["by_kind"]]
    # The sheet's totals row equals the page's.
    sheet = list(book["Stations"].iter_rows(values_only=True))
    total = sheet[[r[0] for r in sheet].index("Total")]
    assert total[1] == 804 + 54
    # The whole city: the chair sees every section but welfare (no welfare role).
    chair = Role.objects.filter(kind="chair", union__depth=1).first().user
    client.force_login(chair)
    city = Union.objects.filter(depth=1).order_by("path").first()
    book = load_workbook(
        io.BytesIO(client.get(reverse("core:yearend_export"), {"union": city.pk, "year": year}).content)
    )
    assert "Welfare" not in book.sheetnames and "Activities" in book.sheetnames
