/* UnionPortal's service worker (issue #15), served at /sw.js by unionportal.core.pwa.
 *
 * - The app shell (base.html's CSS, JS, fonts, icons) and the offline page are kept at install;
 *   other static files are kept as they are used (served from the cache, refreshed behind).
 * - Pages: network first; a copy is kept only when the server marked it `X-Offline-Cache:
 *   public` (an anonymous GET of a public address), and shown when the network fails. Desk,
 *   account and welfare pages are never kept: offline they get the offline page.
 * - GET /stations/nearby: network first; the last good answer is kept and, offline, given to
 *   any nearby request with the header X-Saved-At (when it was saved, ISO 8601).
 * - Never a POST, never a signed-in page. The cache names carry the version, which follows
 *   the static files: a deploy installs a new worker that drops the old caches.
 */
"use strict";

const CONFIG = {{ config|safe }};
const SHELL = "shell-" + CONFIG.version;
const PAGES = "pages-" + CONFIG.version;
const NEARBY = "nearby";
const NEARBY_KEY = "/__offline__/nearby-last";

function isPrivate(path) {
  return CONFIG.private.some((prefix) => path.startsWith(prefix));
}

async function keepPage(request) {
  const response = await fetch(request);
  if (response.ok && !response.redirected && response.headers.get("X-Offline-Cache") === "public") {
    const cache = await caches.open(PAGES);
    await cache.put(request.url, response.clone());
  }
  return response;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      // One by one: a file missing from a deployment must not stop the install.
      await Promise.all(
        CONFIG.shell.map((url) => cache.add(new Request(url, { credentials: "omit" })).catch(() => null))
      );
      // The finder, as anyone sees it: a rider without signal still has it.
      await keepPage(new Request(CONFIG.finder, { credentials: "omit" })).catch(() => null);
    })()
  );
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => ![SHELL, PAGES, NEARBY].includes(k)).map((k) => caches.delete(k)));
      await self.clients.claim();
    })()
  );
});

// The first page a visitor opens loads before the worker runs: pwa.js then names it and its
// files so that they are kept as if the worker had seen them (the page itself as anyone sees it).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep") return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      for (const asset of data.assets || []) {
        const url = new URL(asset, self.location.origin);
        if (url.origin === self.location.origin && url.pathname.startsWith(CONFIG.static) && !(await cache.match(url.href))) {
          await cache.add(new Request(url.href, { credentials: "omit" })).catch(() => null);
        }
      }
      if (data.page) {
        const url = new URL(data.page, self.location.origin);
        if (url.origin === self.location.origin && !isPrivate(url.pathname)) {
          await keepPage(new Request(url.href, { credentials: "omit" })).catch(() => null);
        }
      }
    })()
  );
});

async function offlinePage() {
  const kept = await caches.match(CONFIG.offline, { ignoreVary: true });
  return kept || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

async function page(request) {
  try {
    return await keepPage(request);
  } catch (err) {
    const cache = await caches.open(PAGES);
    return (await cache.match(request.url, { ignoreVary: true })) || offlinePage();
  }
}

async function staticFile(event) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(event.request, { ignoreVary: true });
  const fresh = fetch(event.request).then(async (response) => {
    if (response.ok && response.type === "basic") await cache.put(event.request, response.clone());
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => null));
    return kept;
  }
  return fresh;
}

async function nearby(request) {
  const cache = await caches.open(NEARBY);
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    const kept = await cache.match(NEARBY_KEY);
    if (kept) return kept;
    return new Response(JSON.stringify({ error: "offline" }), {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
  if (response.ok && (response.headers.get("Content-Type") || "").includes("json")) {
    const headers = new Headers(response.headers);
    headers.set("X-Saved-At", new Date().toISOString());
    const body = await response.clone().arrayBuffer();
    await cache.put(NEARBY_KEY, new Response(body, { status: 200, headers }));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // POSTs go to the network and are never kept
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === CONFIG.nearby) {
    event.respondWith(nearby(request));
  } else if (request.mode === "navigate") {
    if (isPrivate(url.pathname)) {
      event.respondWith(fetch(request).catch(() => offlinePage()));
    } else {
      event.respondWith(page(request));
    }
  } else if (url.pathname.startsWith(CONFIG.static)) {
    event.respondWith(staticFile(event));
  }
});
