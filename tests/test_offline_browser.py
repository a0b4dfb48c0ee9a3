"""Offline on a phone (issue #15), zh-hans at 390x844, with the service worker on a live server:
the finder shows the stations last found nearby, a visit recorded offline lands exactly once,
and after sign-out the device holds nothing personal."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from stations import services as station_services
from stations.models import Station
from unionportal.core.testing import build_tree
from welfare.models import Visit
from welfare.tests.conftest import visit_world

pytestmark = [pytest.mark.browser]

WAIT_CONTROLLED = "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
# Everything the site keeps on the device: IndexedDB databases with their drafts, and every
# cache with the addresses it holds.
DEVICE = """async () => {
  const dbs = indexedDB.databases ? await indexedDB.databases() : [];
  const drafts = [];
  for (const d of dbs) {
    if (d.name !== "unionportal-offline") continue;
    const conn = await new Promise((ok, ko) => {
      const r = indexedDB.open(d.name); r.onsuccess = () => ok(r.result); r.onerror = ko;
    });
    if (conn.objectStoreNames.contains("visit-drafts")) {
      const all = await new Promise((ok) => {
        const r = conn.transaction("visit-drafts").objectStore("visit-drafts").getAll();
        r.onsuccess = () => ok(r.result);
      });
      drafts.push(...all.map((x) => JSON.stringify(x.fields)));
    }
    conn.close();
  }
  const caches_ = {};
  for (const k of await caches.keys()) {
    const c = await caches.open(k);
    caches_[k] = (await c.keys()).map((r) => new URL(r.url).pathname);
  }
  return { dbs: dbs.map((d) => d.name), drafts, caches: caches_ };
}"""


@pytest.fixture
def chinese(page, live_server):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])


@pytest.fixture
def stations(transactional_db, settings):
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # no request leaves the machine
    settings.LANGUAGE_CODE = "zh-hans"
    tree = build_tree()
    make = station_services.station_save
    base = {"union": tree.a1, "kind": Station.Kind.OUTDOOR, "town": "Town", "status": Station.Status.OPEN}
    return [
        make(
            station=Station(name="Saved Near Station", lat=39.7302, lng=116.1402, open_24h=True, is_public=True, **base)
        ),
        make(station=Station(name="Second Near Station", lat=39.7350, lng=116.1450, is_public=True, **base)),
    ]


def test_finder_offline_shows_the_stations_last_found_nearby(page, live_server, chinese, stations):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 39.7301, "longitude": 116.1401})
    page.goto(f"{live_server.url}/stations/")
    page.wait_for_function(WAIT_CONTROLLED)
    page.locator("#near-me").click()
    results = page.locator("#nearby-results")
    expect(results).to_contain_text("Saved Near Station")
    expect(page.locator("#finder-offline")).to_be_hidden()
    # The worker kept the answer (and the finder page itself) before we go offline.
    page.wait_for_function(
        "async () => (await (await caches.open('nearby')).keys()).length === 1"
        " && (await caches.keys()).some((k) => k.startsWith('pages-'))"
    )

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#near-me")).to_be_visible()
    page.locator("#near-me").click()
    expect(results).to_contain_text("Saved Near Station")
    expect(results).to_contain_text("Second Near Station")
    offline = page.locator("#finder-offline")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text(re.compile(r"离线.*\d{2}:\d{2}"))

    # A page never seen: the offline page, in Chinese.
    page.goto(f"{live_server.url}/studios/?never-seen=1")
    expect(page.locator("h1")).to_have_text("离线")
    page.context.set_offline(False)
    assert errors == []


@pytest.fixture
def welfare_world(transactional_db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    _tree, file = visit_world(seq=11)
    return file


def test_visit_recorded_offline_lands_once_and_sign_out_leaves_nothing_personal(
    page, live_server, sign_in, chinese, welfare_world, tmp_path
):
    from PIL import Image

    file = welfare_world
    photo = tmp_path / "visit.jpg"
    Image.new("RGB", (800, 600), (180, 40, 40)).save(photo, format="JPEG")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}/desk/visits/new/?file={file.pk}")
    page.wait_for_function(WAIT_CONTROLLED)
    queue = page.locator("#offline-queue")
    expect(queue).to_be_hidden()

    page.context.set_offline(True)
    expect(page.locator("#visit-offline")).to_be_visible()
    page.select_option("#id_occasion", "spring")
    page.fill("#id_found", "Roof leaks in the kitchen")
    page.fill("#id_money", "600")
    page.set_input_files("#id_photos", str(photo))
    page.click("#visit-form button[type=submit]")
    expect(queue).to_be_visible()
    expect(page.locator("#offline-queue-title")).to_have_text("待上传 1 条")
    expect(page.locator("#offline-queue-list .offline-draft")).to_have_count(1)
    expect(queue).to_contain_text("Zhou Haitao")
    assert Visit.objects.count() == 0
    assert page.url.endswith(f"?file={file.pk}")  # still the form: nothing was posted

    # The signal returns: the draft is sent once and leaves the device.
    page.context.set_offline(False)
    expect(queue).to_be_hidden()
    expect(queue).to_have_attribute("data-count", "0")
    visit = Visit.objects.get()
    assert (visit.file_id, visit.found, visit.photos.count()) == (file.pk, "Roof leaks in the kitchen", 1)
    assert visit.idempotency_key is not None
    # Sending the same draft again (a second tab, a retry) finds the same visit.
    again = page.evaluate(
        """async ([key, file]) => {
          const body = new FormData(document.getElementById("visit-form"));
          body.set("idempotency_key", key); body.set("file", file); body.set("kind", "worker");
          const r = await fetch(location.pathname, { method: "POST", body, headers: { "X-Offline-Draft": "1" } });
          return [r.status, await r.json()];
        }""",
        [str(visit.idempotency_key), str(file.pk)],
    )
    assert again[0] == 200 and again[1]["replayed"] is True
    assert Visit.objects.count() == 1
    device = page.evaluate(DEVICE)
    assert device["drafts"] == []

    # Another draft, without the worker (picked only with a signal): the server refuses it
    # when it is sent, so it stays on the device with the reason, until sign-out removes it.
    page.context.set_offline(True)
    page.fill("#id_found", "Second visit, never sent")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#offline-queue-title")).to_have_text("待上传 1 条")
    page.context.set_offline(False)
    expect(page.locator("#offline-queue-list .offline-draft .text-danger")).to_be_visible()
    assert Visit.objects.count() == 1
    assert len(page.evaluate(DEVICE)["drafts"]) == 1
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))  # "1 visit not sent... sign out?"
    page.click(".navbar-toggler")
    page.wait_for_selector("#nav.show")
    # Forced as in accounts' browser test: the inline form around the button fools the hit check.
    page.locator("nav form[action='/accounts/logout/'] button[type=submit]").click(force=True)
    page.wait_for_url(f"{live_server.url}/")
    assert len(dialogs) == 1 and "1" in dialogs[0]
    device = page.evaluate(DEVICE)
    assert device["drafts"] == []
    kept = [path for name, paths in device["caches"].items() for path in paths]
    assert not [p for p in kept if p.startswith(("/desk/", "/accounts/", "/welfare/", "/media/"))], kept
    assert "nearby" not in device["caches"]
    assert all(name.startswith(("shell-", "pages-")) for name in device["caches"]), device["caches"]
    # Whatever page is kept was kept as anyone sees it: not a word of the visit or the officer.
    for name, paths in device["caches"].items():
        for path in paths:
            text = page.evaluate(
                "async ([n, p]) => { const r = await (await caches.open(n)).match(p); return r ? r.text() : ''; }",
                [name, path],
            )
            assert "Zhou Haitao" not in text and "welfare_a" not in text and "Roof leaks" not in text, path
    assert errors == []
