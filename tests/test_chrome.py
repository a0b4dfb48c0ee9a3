"""What every page asks of the browser: an icon that exists, a CSP that lets the charts work."""

import io

import pytest
from django.templatetags.static import static

from studios import demo as studios_demo
from unionportal.core import demo as core_demo


def test_favicon_is_linked_and_favicon_ico_answers(client, db):
    icon = static("img/favicon.svg")
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in client.get("/").content.decode()
    # /favicon.ico: our own ICO (drawn from the same picture) for browsers that ask for it.
    ico = static("img/favicon.ico")
    assert f'<link rel="icon" href="{ico}" sizes="any">' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == ico


def test_csp_allows_style_attributes_only_not_style_elements_or_scripts(client, db):
    csp = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["style-src-attr"] == "'unsafe-inline'"
    assert "unsafe" not in directives["style-src"]
    assert "unsafe" not in directives["script-src"]


@pytest.mark.browser
def test_chart_tooltip_raises_no_csp_error(page, live_server, transactional_db):
    nodes = core_demo.seed_unions()
    core_demo.seed_users(nodes)
    studios_demo.seed(io.StringIO())
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # The station statistics' month chart (ECharts, drawn when scrolled into view) shows a tooltip.
    page.goto(f"{live_server.url}/stations/stats/")
    page.locator("#chart-months").scroll_into_view_if_needed()
    page.wait_for_selector("#chart-months[data-ready='1'] canvas")
    box = page.locator("#chart-months").bounding_box()
    # Sweep across the chart so the tooltip shows for several bars.
    for x in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * x / 10, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(60)
    page.wait_for_selector("#chart-months div[style*='position']")  # the tooltip
    assert not [e for e in errors if "Content Security Policy" in e or "favicon" in e], errors


def test_a_flash_message_close_button_is_labelled_in_chinese(client, officer_a, tree):
    import datetime as dt

    from django.utils import timezone

    from unionportal.core import services
    from unionportal.core.models import Activity

    activity = services.activity_create(
        union=tree.a,
        by=officer_a,
        title="T",
        kind=Activity.Kind.TRAINING,
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(officer_a)
    client.cookies["django_language"] = "zh-hans"
    html = client.post(f"/desk/activities/{activity.pk}/publish/", follow=True).content.decode()
    assert 'class="btn-close" data-bs-dismiss="alert" aria-label="关闭"' in html
