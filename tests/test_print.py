"""Desk records on paper: the global print stylesheet keeps the record and drops the chrome."""

import datetime as dt

import pytest
from django.templatetags.static import static
from django.utils import timezone

from unionportal.core import services
from unionportal.core.models import Activity


def test_every_page_links_the_print_stylesheet(client, db):
    html = client.get("/").content.decode()
    assert f'<link rel="stylesheet" href="{static("css/print.css")}" media="print">' in html


@pytest.mark.browser
def test_a_desk_record_prints_without_menu_footer_or_buttons(page, live_server, sign_in, officer_a, tree):
    activity = services.activity_create(
        union=tree.a,
        by=officer_a,
        title="Safety training",
        kind=Activity.Kind.TRAINING,
        starts_at=timezone.now() - dt.timedelta(days=1),
        summary="Forty workers trained.",
    )
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}{activity.get_absolute_url()}")
    assert page.locator("main .btn").first.is_visible()  # on screen: Edit, Publish
    page.emulate_media(media="print")
    for chrome in ("nav.navbar", "footer", "main .btn", "main form"):
        assert all(not el.is_visible() for el in page.locator(chrome).all()), chrome
    assert page.locator("h1:has-text('Safety training')").is_visible()
    assert page.locator("text=Forty workers trained.").is_visible()
