"""Issue #11: a profile's figures agree with each other, its chart starts at the founding year,
and the public search finds studios by company and field of work."""

import datetime as dt
import re

from django.urls import reverse

from studios import selectors
from studios.models import Achievement, FieldOfWork, Studio
from unionportal.core.models import Union


def add(studio, type_, n, year):
    Achievement.objects.bulk_create(
        Achievement(studio=studio, type=type_, title=f"{type_} {year} {i}", date=dt.date(year, 3, 1)) for i in range(n)
    )


def cards_and_rows(body: str) -> tuple[dict[str, int], dict[str, int]]:
    """The headline cards (label → figure) and the by-type table rows (label → figure)."""
    cards = {
        label.strip(): int(n)
        for n, label in re.findall(r'data-count="\w+">(\d+)</div><div class="small text-muted">([^<]+)</div>', body)
    }
    table = body[body.index('id="by-type"') : body.index("</table>", body.index('id="by-type"'))]
    rows = {label.strip(): int(n) for label, n in re.findall(r"<td[^>]*>([^<]+)</td><td[^>]*>(\d+)</td>", table)}
    return cards, rows


def test_headline_and_table_agree_in_chinese(client, make_studio):
    studio = make_studio(founded_on=dt.date(2015, 1, 1))
    add(studio, Achievement.Type.PATENT_ACCEPTED, 4, 2020)
    add(studio, Achievement.Type.PATENT_GRANTED, 3, 2021)
    add(studio, Achievement.Type.SOFTWARE_COPYRIGHT, 2, 2021)
    add(studio, Achievement.Type.IP_RESULT, 1, 2022)  # the "other" IP results
    add(studio, Achievement.Type.STANDARD_LED, 2, 2022)
    add(studio, Achievement.Type.PAPER, 5, 2022)
    client.cookies["django_language"] = "zh-hans"
    cards, rows = cards_and_rows(client.get(studio.get_absolute_url()).content.decode())
    assert cards == {"知识产权成果": 10, "受理专利": 7, "主参编标准": 2}
    # Every table row under a headline's label shows the headline's figure (it said 1 for 10).
    shared = set(cards) & set(rows)
    assert shared >= {"知识产权成果", "主参编标准"}
    for label in shared:
        assert rows[label] == cards[label], label
    assert rows["其他知识产权成果"] == 1


def test_figures_come_from_one_selector(make_studio):
    studio = make_studio(founded_on=dt.date(2015, 1, 1))
    add(studio, Achievement.Type.PATENT_GRANTED, 3, 2016)
    add(studio, Achievement.Type.IP_RESULT, 2, 2016)
    add(studio, Achievement.Type.AWARD, 1, 2017)
    figures = selectors.studio_figures(studio=studio)
    rows = {str(label): (n, part) for label, n, part in figures["by_type"]}
    assert rows["IP results"] == (figures["counts"]["ip"], False) == (5, False)
    assert rows["Other IP results"] == (2, True) and rows["Patent granted"] == (3, True)
    assert rows["Award"] == (1, False)
    assert "IP result" not in rows
    # The charted results and those before the founding add up to the total.
    charted = sum(n for _year, n, _height in figures["year_bars"])
    assert charted + figures["before_founding"] == figures["counts"]["total"] == 6


def test_chart_starts_at_the_founding_year(client, make_studio):
    studio = make_studio(founded_on=dt.date(2020, 6, 18))
    add(studio, Achievement.Type.PATENT_GRANTED, 3, 2015)  # the members' work before the studio
    add(studio, Achievement.Type.PATENT_GRANTED, 2, 2021)
    add(studio, Achievement.Type.PAPER, 1, 2023)
    body = client.get(studio.get_absolute_url()).content.decode()
    # The bars the page draws: each year from the founding, its count, its height (the best year 100%).
    bars = re.findall(
        r'<span class="studio-bar-n">(\d+)</span><div class="studio-bar-area"><div class="studio-bar" '
        r'style="height: (\d+)%"></div></div><span class="studio-bar-year">(\d+)</span>',
        body,
    )
    assert bars == [("0", "0", "2020"), ("2", "100", "2021"), ("0", "0", "2022"), ("1", "50", "2023")]
    # The earlier results still count in the headline, and the page says why the chart has fewer.
    assert 'data-count="ip">5<' in body
    assert "The chart starts at the founding year 2020; 3 earlier results are counted" in body


def test_chart_without_a_founding_date_starts_at_the_first_result(make_studio):
    studio = make_studio()
    add(studio, Achievement.Type.PAPER, 1, 2019)
    add(studio, Achievement.Type.PAPER, 1, 2021)
    figures = selectors.studio_figures(studio=studio)
    years = [year for year, _n, _height in figures["year_bars"]]
    assert years == ["2019", "2020", "2021"] and figures["before_founding"] == 0


def test_public_search_finds_company_and_field_of_work(client, tree, make_studio, superuser):
    Union.objects.filter(pk=tree.a1.pk).update(name="中建一局工会")
    Union.objects.filter(pk=tree.bg.pk).update(name="北京城建集团工会")
    low_carbon = FieldOfWork.objects.create(name="低碳建筑", slug="low-carbon")
    medical = FieldOfWork.objects.create(name="医疗器械", slug="medical")
    cscec = make_studio(name="齐贺创新工作室", union=tree.a1)
    cscec.fields_of_work.add(low_carbon)
    other = make_studio(name="宋佳创新工作室", union=tree.bg)
    other.fields_of_work.add(medical)
    for q, found, missing in (
        ("中建", cscec, other),
        ("低碳", cscec, other),
        ("城建", other, cscec),
        ("医疗", other, cscec),
        ("中建 低碳", cscec, other),
    ):
        body = client.get(reverse("studios:list"), {"q": q}).content.decode()
        assert found.name in body and missing.name not in body, q
    body = client.get(reverse("studios:list"), {"q": "中建 医疗"}).content.decode()
    assert cscec.name not in body and other.name not in body
    # The desk's search reads the same filter.
    assert list(selectors.desk_studios(user=superuser, q="低碳")) == [cscec]


def test_a_studio_with_several_fields_is_listed_once(client, make_studio):
    studio = make_studio(name="Alpha")
    studio.fields_of_work.add(
        FieldOfWork.objects.create(name="低碳建筑", slug="a"), FieldOfWork.objects.create(name="低碳交通", slug="b")
    )
    body = client.get(reverse("studios:list"), {"q": "低碳"}).content.decode()
    assert body.count('studio-card" href=') == 1
    assert Studio.objects.filter(selectors.search_filter("低碳")).count() == 1
