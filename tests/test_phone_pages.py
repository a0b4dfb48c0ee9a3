"""The main pages on a phone (390×844, in Chinese): tap targets, accessibility, valid HTML.

One seeded demo and one visit per page serve three checks, to keep the browser time short:
- every control a finger uses (buttons, filter chips, switches, radios with their labels,
  selects, fields, menu links) is at least 44×44 px;
- axe-core (from node_modules, never a CDN) finds no serious or critical violation;
- the Nu HTML checker (npm vnu-jar, on the machine's Java) finds no error in the HTML the
  server sent.
"""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.browser]

AXE = settings.BASE_DIR / "node_modules/axe-core/axe.min.js"
VNU = settings.BASE_DIR / "node_modules/vnu-jar/build/dist/vnu.jar"
MIN = 43.5
# The app whose templates make each page (the base layout is the core's on every page).
OWNER = {
    "finder": "stations",
    "station": "stations",
    "studio": "studios",
    "contest": "contests",
}  # 44 px, allowing for sub-pixel layout

TOO_SMALL = """() => {
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
      && !el.closest('.visually-hidden, .leaflet-control-attribution');
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.innerText || el.value || el.name || '').trim().slice(0, 20) + '"';
  const out = [];
  const sel = '.btn, .nav-link, .page-link, .navbar-toggler, .leaflet-bar a, '
    + 'select, textarea, input:not([type=hidden])';
  for (const el of document.querySelectorAll(sel)) {
    if (el.classList.contains('btn-check')) continue;  // hidden: its label is the .btn chip
    if (!shown(el)) continue;
    let r = el.getBoundingClientRect();
    let box = {l: r.left, t: r.top, r: r.right, b: r.bottom};
    if (el.matches('input[type=checkbox], input[type=radio]') && el.id) {
      // The label toggles the input too: together they are the target.
      const label = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      if (label) {
        const l = label.getBoundingClientRect();
        box = {l: Math.min(box.l, l.left), t: Math.min(box.t, l.top),
               r: Math.max(box.r, l.right), b: Math.max(box.b, l.bottom)};
      }
    }
    const w = box.r - box.l, h = box.b - box.t;
    if (w < %(min)s || h < %(min)s) out.push(`${name(el)} ${Math.round(w)}×${Math.round(h)}`);
  }
  return out;
}""".replace("%(min)s", str(MIN))


def _axe(page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def _vnu(files: list[Path]) -> list[str]:
    java = shutil.which("java")
    if not java or not VNU.exists():
        pytest.fail("the Nu HTML checker needs java and node_modules/vnu-jar (npm ci)")
    run = subprocess.run(  # noqa: S603 (fixed arguments: our jar, our files)
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    found: dict[str, dict[str, list[int]]] = {}
    for m in messages:
        if m["type"] == "error":
            found.setdefault(Path(m["url"]).stem, {}).setdefault(m["message"], []).append(m.get("lastLine", 0))
    return found


def _report(found: dict[str, list[str] | dict[str, list[int]]]) -> str:
    lines = []
    for page_name, items in found.items():
        for item in items:
            where = f" (lines {sorted(set(items[item]))[:8]})" if isinstance(items, dict) else ""
            lines.append(f"  [{page_name} · {OWNER.get(page_name, 'core')}] {item}{where}")
    return "\n".join(lines)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    from stations.models import Station

    return {"station": Station.objects.public().order_by("pk").first()}


def test_main_pages_on_a_phone(page, live_server, sign_in, demo, tmp_path):
    chinese = [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    page.context.add_cookies(chinese)
    pages = [
        ("home", "/", None),
        ("finder", "/stations/", None),
        ("station", demo["station"].get_absolute_url(), None),
        ("studio", "/studios/qi-he/", None),
        ("contest", "/contests/xingshan-small-innovations/", "voter"),
        ("desk", "/desk/", "fangshan_officer"),
    ]
    small, axe, saved, signed_in = {}, {}, [], None
    for name, path, username in pages:
        if username != signed_in:
            page.context.clear_cookies()
            page.context.add_cookies(chinese)
            sign_in(page, username, "unionportal-demo")
            signed_in = username
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (name, path, response.status)
        html = tmp_path / f"{name}.html"
        html.write_text(response.text(), encoding="utf-8")
        saved.append(html)
        page.wait_for_load_state("networkidle")
        found = page.evaluate(TOO_SMALL)
        page.click(".navbar-toggler")  # the menu's links, folded away on a phone
        page.wait_for_selector("#nav.show")
        found += [f for f in page.evaluate(TOO_SMALL) if f not in found]
        if found:
            small[name] = found
        if problems := _axe(page):
            axe[name] = problems
    errors = _vnu(saved)
    problems = {
        "tap targets under 44×44 px": small,
        "axe: serious or critical violations": axe,
        "Nu HTML checker errors": errors,
    }
    # Every app's pages are held to all three checks; the report names the app to fix.
    assert not any(problems.values()), "\n".join(
        f"{title}:\n{_report(found)}" for title, found in problems.items() if found
    )


def test_find_near_me_on_the_home_page_starts_the_search(page, live_server, demo):
    """The home page's 查找我附近的驿站 opens the finder at #near-me, which asks for the location
    and lists the nearest stations without a second tap."""
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    station = demo["station"]
    page.context.set_geolocation({"latitude": float(station.lat), "longitude": float(station.lng)})
    page.goto(f"{live_server.url}/")
    page.click("#find-near-me")
    page.wait_for_selector("#nearby-results a")
    assert station.name in page.inner_text("#nearby-results")
