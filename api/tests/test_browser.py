import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_renders_from_self_hosted_assets_under_the_csp(page, live_server):
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    foreign = []  # fetched from elsewhere (Redoc's footer logo is blocked by the page's img-src)
    page.on("requestfinished", lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/v1/stations/nearby/", timeout=20000)
    assert not foreign
    # Redoc tries a blob: search worker, which the CSP refuses (it then searches without one)
    assert not [m for m in blocked if "script" in m and "worker" not in m]
