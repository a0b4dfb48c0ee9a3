"""Issue #11, language: what Chinese-speaking staff saw wrong (each fails on the old catalogue/code)."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from welfare import services
from welfare.models import AccessLog

LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def visit(tree, make_file, welfare_a):
    file = make_file(name="周海涛")
    return services.visit_create(union=tree.a, file=file, by=welfare_a, occasion="spring", money=600)


def test_a_visit_is_logged_as_a_visit_not_a_file(chinese, client, welfare_a, visit):
    client.force_login(welfare_a)
    client.get(visit.get_absolute_url())
    entry = AccessLog.objects.get(user=welfare_a)
    assert entry.what == f"走访记录 #{visit.pk}"
    page = client.get(reverse("welfare:visit_print", args=[visit.pk])).content.decode()
    assert "困难职工走访记录" in page and "档案 #" not in page


def test_given_in_visits_is_not_the_save_button(chinese, client, welfare_a, visit):
    client.force_login(welfare_a)
    page = client.get(reverse("welfare:report")).content.decode()
    assert "走访慰问金额" in page and "帮扶金额" in page
    assert "保存走访记录" not in page


def _bold_cells(content: bytes) -> list[str]:
    book = zipfile.ZipFile(io.BytesIO(content))
    cells = []
    for name in sorted(n for n in book.namelist() if n.startswith("xl/worksheets/")):
        cells += re.findall(r'<c t="inlineStr" s="1"><is><t[^>]*>([^<]*)</t>', book.read(name).decode())
    return cells


@pytest.mark.parametrize("url", ["/desk/welfare/files/export.xlsx", "/desk/welfare/report/?format=xlsx"])
def test_excel_headers_all_in_chinese(chinese, client, welfare_a, visit, url):
    client.force_login(welfare_a)
    headers = _bold_cells(client.get(url).content)
    assert len(headers) > 8
    assert [h for h in headers if LATIN.search(h)] == []
    assert "保存走访记录" not in headers


def test_csv_headers_in_the_requests_language_while_streamed(client, welfare_a, visit):
    """The CSV is streamed after the view returns: it keeps the language of the request
    (the portal's default is English in tests; the user picked Chinese)."""
    client.force_login(welfare_a)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("welfare:visit_export"))
    with translation.override("en"):  # the thread's language when the server writes the rows
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("序号,日期,工会,职工,身份证号码")
    assert not LATIN.search(header), header
    assert "春节送温暖" in row and "职工个人" in row


# The test tree's union names are data, not UI words.
UNION_WORDS = {"District", "Street", "Grassroots", "Test", "City", "Federation"}


def _visible_words(html: str) -> list[str]:
    body = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return re.findall(r"[A-Za-z]{2,}", text)


def test_print_and_roster_pages_have_no_english_words_in_chinese(chinese, client, tree, welfare_a, make_file):
    from welfare.models import Campaign, CampaignItem, Employee, HardshipFile

    file = make_file(name="周海涛")
    HardshipFile.objects.filter(pk=file.pk).update(stage=HardshipFile.Stage.NOTICE, notice_starts="2026-11-20")
    visit = services.visit_create(union=tree.a, file=file, by=welfare_a, occasion="spring", visitors="李主席")
    campaign = Campaign.objects.create(union=tree.a, title="防疫物资")
    CampaignItem.objects.create(campaign=campaign, name="口罩", unit="只", per_person=2, received=9, stock=9)
    employee = Employee.objects.create(union=tree.a1g, name="马文斌", staff_number="001")
    client.force_login(welfare_a)
    for url in [
        reverse("welfare:visit_print", args=[visit.pk]),
        reverse("welfare:notice_print"),
        reverse("welfare:campaign_signoff", args=[campaign.pk]),
        reverse("welfare:campaign_employee_edit", args=[campaign.pk, employee.pk]),
    ]:
        html = client.get(url).content.decode()
        words = [w for w in _visible_words(html) if w not in UNION_WORDS]
        assert words == [], (url, words)
    # The sign-off sheet says what the recipient received, not the stock received (入库).
    html = client.get(reverse("welfare:campaign_signoff", args=[campaign.pk])).content.decode()
    assert "领取物资" in html and "入库" not in html


def test_welfare_words_keep_their_own_translation_beside_the_stations():
    """Django merges every catalogue: without a context, the stations' 项目/类别/地址 won."""
    from django.utils.translation import pgettext

    from unionportal.core import registry
    from welfare.models import HardshipFile
    from welfare.portal import WELFARE

    with translation.override("zh-hans"):
        assert str(HardshipFile._meta.get_field("category").verbose_name) == "困难类别"
        assert str(HardshipFile._meta.get_field("address").verbose_name) == "住址"
        assert pgettext("welfare", "Item") == "物资"
        assert pgettext("household", "member") == "成员"
    log_a_visit = next(link for link in registry.NAV if link.url_name == "welfare:visit_create")
    assert set(log_a_visit.primary) == set(WELFARE)
