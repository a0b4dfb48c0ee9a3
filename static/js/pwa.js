// Offline use (issue #15): registers the service worker (/sw.js) and, on sign-out, removes
// from the device what could be personal: the welfare drafts (IndexedDB) and the worker's
// kept pages and nearby answer. The sign-out response also sends Clear-Site-Data.
(function () {
  "use strict";
  var script = document.currentScript;
  var conf = (script && script.dataset) || {};
  var DB = "unionportal-offline";

  function purge() {
    var jobs = [];
    if (window.indexedDB) {
      jobs.push(new Promise(function (resolve) {
        var req = indexedDB.deleteDatabase(DB);
        req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
      }));
    }
    if (window.caches) {
      // The shell (CSS, JS, icons, the offline page) holds nothing personal; the rest goes.
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("shell-") !== 0; })
          .map(function (k) { return caches.delete(k); }));
      }));
    }
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 2000); });
    return Promise.race([Promise.all(jobs), timeout]);
  }

  function draftCount() {
    // Does not create the database when there is none.
    if (!window.indexedDB || !indexedDB.databases) { return Promise.resolve(0); }
    return indexedDB.databases().then(function (list) {
      if (!list.some(function (d) { return d.name === DB; })) { return 0; }
      return new Promise(function (resolve) {
        var open = indexedDB.open(DB);
        open.onerror = function () { resolve(0); };
        open.onsuccess = function () {
          var db = open.result;
          if (!db.objectStoreNames.contains("visit-drafts")) { db.close(); resolve(0); return; }
          var count = db.transaction("visit-drafts").objectStore("visit-drafts").count();
          count.onsuccess = function () { db.close(); resolve(count.result); };
          count.onerror = function () { db.close(); resolve(0); };
        };
      });
    }).catch(function () { return 0; });
  }

  window.UnionPortalOffline = { purge: purge, draftCount: draftCount };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!conf.logout || form.getAttribute("action") !== conf.logout || form.dataset.cleared) { return; }
    event.preventDefault();
    draftCount().then(function (n) {
      if (n && conf.draftsConfirm && !window.confirm(conf.draftsConfirm.replace("{n}", n))) { return; }
      return purge().then(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  });

  if (!("serviceWorker" in navigator) || !conf.sw) { return; }
  var firstVisit = !navigator.serviceWorker.controller;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(conf.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!firstVisit || !reg.active) { return; }
      // This page loaded before the worker ran: name it and its files to be kept.
      var assets = [];
      document.querySelectorAll("link[rel=stylesheet][href], link[rel=icon][href], script[src]").forEach(function (el) {
        assets.push(el.href || el.src);
      });
      reg.active.postMessage({ type: "keep", page: location.pathname + location.search, assets: assets });
    }).catch(function () { /* no worker (private mode, old browser): the site works as before */ });
  });
})();
