"""Hot pages (unionportal.core.pagecache.HotPages): the WSGI application answers a ready public
page this process served in the last second without running Django, and never to a request
the page cache itself would not give that page to.

The tests call the real WSGI application (unionportal.wsgi.application), as gunicorn does;
Django's test client would call Django's handler and never reach the hot pages.
"""

import gzip

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory

from unionportal.core import pagecache


@pytest.fixture
def wsgi(db):
    """Call the WSGI application as a server would: (status, headers, body) of one request.
    The database connection is the test's own, as Django's test client keeps it."""
    from unionportal.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def call(path: str, *, method: str = "get", **meta):
        environ = getattr(RequestFactory(), method)(path, **meta).environ
        answer = {}

        def start_response(status, response_headers):
            answer["status"] = status
            answer["headers"] = dict(response_headers)

        chunks = application(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return answer["status"], answer["headers"], body

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def source(headers: dict) -> str | None:
    return headers.get("X-Page-Cache")


def three(wsgi, path: str, **meta) -> list:
    return [wsgi(path, **meta) for _ in range(3)]


def test_a_repeat_page_is_answered_hot_and_is_the_same_page(wsgi, tree, clock):
    made, kept, hot = three(wsgi, "/activities/")
    # Made once (and kept, in the shared cache and as this process's hot page), then hot.
    assert [source(made[1]), source(kept[1]), source(hot[1])] == [None, "hot", "hot"]
    assert made[0] == kept[0] == hot[0] == "200 OK"
    assert hot[2] == kept[2] == made[2]
    assert hot[1]["Content-Type"] == kept[1]["Content-Type"]
    assert hot[1]["Content-Security-Policy"] == kept[1]["Content-Security-Policy"]
    assert int(hot[1]["Content-Length"]) == len(hot[2])


def test_a_hot_page_is_compressed_for_a_browser_that_accepts_it(wsgi, tree, clock):
    plain = three(wsgi, "/activities/")[-1]
    packed = wsgi("/activities/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert source(packed[1]) == "hot" and packed[1]["Content-Encoding"] == "gzip"
    assert int(packed[1]["Content-Length"]) == len(packed[2]) < len(plain[2])
    assert gzip.decompress(packed[2]) == plain[2]
    again = wsgi("/activities/")  # and not for one that does not
    assert "Content-Encoding" not in again[1] and again[2] == plain[2]


def test_a_signed_in_visitor_never_gets_a_hot_page_nor_the_reverse(wsgi, tree, clock, officer_a):
    signed_in = Client()
    signed_in.force_login(officer_a)
    cookie = f"sessionid={signed_in.cookies['sessionid'].value}"
    # Signed in first: their page is made for them each time, and never hot for anyone.
    for answer in three(wsgi, "/", HTTP_COOKIE=cookie):
        assert source(answer[1]) is None and b"officer_a" in answer[2]
    anonymous = three(wsgi, "/")
    assert source(anonymous[-1][1]) == "hot" and b"officer_a" not in anonymous[-1][2]
    # The anonymous page, now hot, is not given to the signed-in visitor.
    answer = wsgi("/", HTTP_COOKIE=cookie)
    assert source(answer[1]) is None and b"officer_a" in answer[2]


def test_only_the_same_request_gets_the_hot_page(wsgi, tree, clock):
    three(wsgi, "/activities/")
    assert source(wsgi("/activities/")[1]) == "hot"
    assert source(wsgi("/activities/", HTTP_AUTHORIZATION="Token abc")[1]) is None
    assert source(wsgi("/activities/", HTTP_COOKIE="messages=pending")[1]) is None
    assert source(wsgi("/activities/?page=2")[1]) is None
    assert source(wsgi("/activities/", HTTP_HOST="localhost")[1]) is None  # another host: its own page
    assert source(wsgi("/activities/", method="head")[1]) is None
    status, headers, _body = wsgi("/activities/", method="post")
    assert source(headers) is None and status.startswith("403")  # Django's CSRF check, as always
    # A browser revalidating its copy is answered by Django (hot pages send no 304).
    assert source(wsgi("/activities/", HTTP_IF_NONE_MATCH='"x"')[1]) == "hit"


def test_a_page_that_is_not_ready_is_never_hot(wsgi, tree, clock):
    """Not found: never hot (a page holding a CSRF token is not kept at all, test_form_tokens)."""
    for answer in three(wsgi, "/studios/no-such-studio/"):
        assert answer[0].startswith("404") and source(answer[1]) is None


def test_the_station_page_with_its_forms_is_hot(wsgi, tree, clock):
    """Its forms take their CSRF token when sent (unionportal.core.formtokens): one copy for all."""
    from stations import services
    from stations.models import Station

    station = services.station_save(
        station=Station(union=tree.a, name="S", kind=Station.Kind.OUTDOOR, lat=39.7, lng=116.1, is_public=True)
    )
    answers = three(wsgi, station.get_absolute_url())
    assert [source(headers) for _status, headers, _body in answers] == [None, "hot", "hot"]
    assert answers[0][2] == answers[1][2] == answers[2][2]
    assert answers[2][2].count(b'name="csrfmiddlewaretoken" value=""') == 2
    assert "Set-Cookie" not in answers[2][1]


def test_a_write_shows_at_once_in_this_process(wsgi, tree, clock):
    from stations import services
    from stations.models import Station

    station = services.station_save(
        station=Station(union=tree.a, name="Old name", kind=Station.Kind.OUTDOOR, lat=39.7, lng=116.1, is_public=True)
    )
    url = f"/api/v1/stations/{station.pk}/"
    hot = three(wsgi, url)[-1]
    assert source(hot[1]) == "hot" and "Old name" in hot[2].decode()
    station.name = "New name"
    services.station_save(station=station)  # forgets the station's stamp, and this process's hot pages
    answer = wsgi(url)
    assert source(answer[1]) is None and "New name" in answer[2].decode()


def test_a_hot_page_lapses_after_a_second(wsgi, tree, clock):
    three(wsgi, "/activities/")
    clock["now"] += pagecache.HOT_SECONDS - 0.01
    assert source(wsgi("/activities/")[1]) == "hot"
    clock["now"] += 0.02
    assert source(wsgi("/activities/")[1]) == "hit"  # asked the shared cache again
    assert source(wsgi("/activities/")[1]) == "hot"


def test_a_clock_set_back_does_not_keep_a_page_hot(wsgi, tree, clock):
    three(wsgi, "/activities/")
    clock["now"] -= 3600  # e.g. the system clock stepped back: the page would look hot for an hour
    assert source(wsgi("/activities/")[1]) != "hot"


def test_hot_pages_are_bounded(wsgi, tree, clock, monkeypatch):
    monkeypatch.setattr(pagecache, "HOT_MAX", 2)
    for page in range(1, 5):
        three(wsgi, f"/activities/?page={page}")
        assert len(pagecache._hot) <= 2
    monkeypatch.setattr(pagecache, "HOT_MAX_BYTES", 10)
    pagecache.clear_local()
    assert all(source(answer[1]) != "hot" for answer in three(wsgi, "/activities/"))
