"""The forms of a cached public page (the station page's check-in and feedback) take their CSRF
token when sent (unionportal.core.formtokens): the page itself holds none and is shared whole.
Without a valid token nothing is saved, and the visitor is asked to send the form once more."""

import re

import pytest
from django.conf import settings
from django.test import Client

from stations.models import CheckIn, Feedback, Station
from unionportal.core import pagecache

FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture
def station(db, tree):
    from stations import services

    return services.station_save(
        station=Station(
            union=tree.a, name="S", kind=Station.Kind.OUTDOOR, lat=39.7, lng=116.1, status="open", is_public=True
        )
    )


def visitor() -> Client:
    """A browser that sends the CSRF checks' token, reading the portal in Chinese."""
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_the_cached_page_holds_no_token_and_sets_no_cookie(station, clock):  # still: one minute's page
    url = station.get_absolute_url()
    visitor().get(url)
    page = visitor().get(url)
    assert page["X-Page-Cache"] == "hit"
    body = page.content.decode()
    assert FIELD.findall(body) == ["", ""]  # check-in and feedback, both empty
    assert body.count('data-csrf-from="/csrf/"') == 2 and "js/formtokens" in body
    assert not page.cookies


def test_the_token_comes_from_csrf_and_the_form_is_saved(station):
    someone = visitor()
    answer = someone.get("/csrf/")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    token = answer.json()["token"]
    assert "csrftoken" in answer.cookies  # what the token is checked against
    url = station.get_absolute_url()
    sent = someone.post(f"{url}feedback/", {"csrfmiddlewaretoken": token, "problem": "other", "message": "灯坏了"})
    assert sent.status_code == 302 and Feedback.objects.get().message == "灯坏了"
    assert someone.post(f"{url}checkin/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert CheckIn.objects.filter(station=station).count() == 1


def test_feedback_without_a_token_saves_nothing_and_asks_again(station):
    someone = visitor()
    url = station.get_absolute_url()
    first = someone.post(f"{url}feedback/", {"problem": "other", "message": "饮水机坏了", "contact": "138"})
    assert first.status_code == 200 and Feedback.objects.count() == 0
    body = first.content.decode()
    assert 'id="feedback-confirm"' in body and "您的留言还没有发出" in body
    assert "饮水机坏了</textarea>" in body and 'value="138"' in body  # the input is kept
    assert 'id="checkin-confirm"' not in body and "feedback-errors" not in body
    tokens = [t for t in FIELD.findall(body) if t]
    assert tokens, "the page asking again carries a real token"
    resent = {"csrfmiddlewaretoken": tokens[-1], "problem": "other", "message": "饮水机坏了"}
    again = someone.post(f"{url}feedback/", resent)
    assert again.status_code == 302 and Feedback.objects.get().message == "饮水机坏了"


def test_a_refused_feedback_comes_back_with_its_errors_and_a_token(station):
    """Without JavaScript: sent empty (no token), then with the token but still empty, the
    page shows what is missing each time and carries a token, so the next tap is the last."""
    someone = visitor()
    url = f"{station.get_absolute_url()}feedback/"
    first = someone.post(url, {"message": ""}).content.decode()
    assert 'id="feedback-errors"' in first and 'id="feedback-confirm"' in first
    token = next(t for t in FIELD.findall(first) if t)
    second = someone.post(url, {"message": "", "csrfmiddlewaretoken": token})
    assert second.status_code == 400 and b'id="feedback-errors"' in second.content
    assert any(FIELD.findall(second.content.decode()))  # fixed and sent, it will go
    assert not Feedback.objects.exists()


def test_checkin_without_a_token_saves_nothing_and_asks_again(station):
    someone = visitor()
    url = station.get_absolute_url()
    first = someone.post(f"{url}checkin/")
    assert first.status_code == 200 and not CheckIn.objects.exists()
    body = first.content.decode()
    assert 'id="checkin-confirm"' in body and "还没有打卡成功" in body
    token = next(t for t in FIELD.findall(body) if t)
    assert someone.post(f"{url}checkin/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert CheckIn.objects.count() == 1


def test_a_forged_request_gets_no_further_than_the_question(station, tree):
    """Another visitor's token (another site cannot read this visitor's) or a foreign Origin:
    nothing saved, for an anonymous visitor and a signed-in one (whose name feedback carries)."""
    from unionportal.core.testing import make_user

    url = station.get_absolute_url()
    theirs = visitor().get("/csrf/").json()["token"]
    signed_in = visitor()
    signed_in.force_login(make_user("rider_x"))
    for someone in (visitor(), signed_in):
        someone.get("/csrf/")
        answer = someone.post(f"{url}feedback/", {"csrfmiddlewaretoken": theirs, "problem": "other", "message": "x"})
        assert answer.status_code == 200 and b'id="feedback-confirm"' in answer.content
        own = someone.get("/csrf/").json()["token"]
        foreign = someone.post(
            f"{url}checkin/", {"csrfmiddlewaretoken": own}, HTTP_ORIGIN="https://evil.example", secure=True
        )
        assert foreign.status_code == 200 and b'id="checkin-confirm"' in foreign.content
    assert not Feedback.objects.exists() and not CheckIn.objects.exists()


def test_a_signed_in_visitor_gets_the_token_in_the_page(station, tree):
    from unionportal.core.testing import make_user

    someone = visitor()
    someone.force_login(make_user("rider_y"))
    page = someone.get(station.get_absolute_url())
    assert "X-Page-Cache" not in page
    tokens = FIELD.findall(page.content.decode())
    assert tokens and all(tokens)  # the sign-out form's and both station forms'


def test_a_page_holding_a_token_is_never_kept(rf, station):
    """Whatever page comes to hold a visitor's token, the page cache does not share it."""
    from django.http import HttpResponse

    request = rf.get(station.get_absolute_url())
    found = pagecache.page_key(request)
    assert found is not None
    with_token = HttpResponse('<form><input type="hidden" name="csrfmiddlewaretoken" value="abc"></form>')
    assert pagecache.PageCacheMiddleware.keep(request, found, with_token) is None
    without = HttpResponse('<form><input type="hidden" name="csrfmiddlewaretoken" value=""></form>')
    assert pagecache.PageCacheMiddleware.keep(request, found, without) is not None
