// Visits recorded without a signal (issue #15). Offline, "Save visit" keeps the form as a
// draft on this device (IndexedDB, photos as Blobs) and lists it ("waiting to upload: N");
// when the signal returns (the online event, the next load of this page, or "Send now") each
// draft is posted once with its idempotency key, made here when the draft was started: if a
// send is repeated, the server finds the visit it already logged. A sent draft is deleted.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  var box = document.getElementById("offline-queue");
  if (!form || !box || !window.indexedDB) { return; }
  var DB = "unionportal-offline", STORE = "visit-drafts";
  var keyField = form.querySelector("input[name=idempotency_key]");
  var banner = document.getElementById("visit-offline");
  var title = document.getElementById("offline-queue-title");
  var list = document.getElementById("offline-queue-list");
  var sendNow = document.getElementById("offline-sync");
  var owner = box.dataset.owner;
  var syncing = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // A key for this form even online: a double tap then logs one visit.
  if (keyField && !keyField.value) { keyField.value = uuid(); }

  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "key" }); };
      open.onsuccess = function () {
        var conn = open.result;
        conn.onversionchange = function () { conn.close(); }; // sign-out deletes the database
        resolve(conn);
      };
      open.onerror = function () { reject(open.error); };
    });
  }
  function run(mode, fn) {
    return db().then(function (conn) {
      return new Promise(function (resolve, reject) {
        var tx = conn.transaction(STORE, mode), result;
        var req = fn(tx.objectStore(STORE));
        if (req) { req.onsuccess = function () { result = req.result; }; }
        tx.oncomplete = function () { conn.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { conn.close(); reject(tx.error); };
      });
    });
  }
  function drafts() {
    return run("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (d) { return d.owner === owner; });
    });
  }
  function put(draft) { return run("readwrite", function (s) { return s.put(draft); }); }
  function remove(key) { return run("readwrite", function (s) { return s.delete(key); }); }

  function render() {
    if (banner) { banner.hidden = navigator.onLine; }
    return drafts().then(function (items) {
      box.hidden = items.length === 0;
      box.dataset.count = String(items.length);
      title.textContent = box.dataset.title.replace("{n}", items.length);
      list.innerHTML = "";
      items.forEach(function (d) {
        var li = document.createElement("li");
        li.className = "d-flex justify-content-between align-items-start gap-2 py-1 border-top offline-draft";
        li.dataset.key = d.key;
        var text = document.createElement("div");
        var when = new Date(d.saved);
        text.textContent = when.toLocaleString(document.documentElement.lang || undefined,
          { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false }) +
          " · " + (d.label || "") + (d.photos.length ? " · " + box.dataset.photos.replace("{n}", d.photos.length) : "");
        if (d.error) {
          var err = document.createElement("div");
          err.className = "text-danger";
          err.textContent = d.error;
          text.appendChild(err);
        }
        var del = document.createElement("button");
        del.type = "button";
        del.className = "btn btn-sm btn-outline-secondary offline-draft-delete";
        del.textContent = box.dataset.delete;
        del.addEventListener("click", function () {
          if (window.confirm(box.dataset.deleteConfirm)) { remove(d.key).then(render); }
        });
        li.appendChild(text);
        li.appendChild(del);
        list.appendChild(li);
      });
    });
  }

  function label() {
    var picked = document.getElementById("worker-picked");
    if (picked && !picked.classList.contains("d-none") && picked.textContent.trim()) { return picked.textContent.trim(); }
    var site = form.querySelector("[name=site]");
    return (site && site.value) || "";
  }

  function saveDraft() {
    var fields = [], photos = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "q" || name === "idempotency_key") { return; }
      if (value instanceof Blob) {
        if (value.size) { photos.push({ name: value.name || "photo.jpg", blob: value }); }
      } else {
        fields.push([name, value]);
      }
    });
    var draft = { key: keyField.value || uuid(), owner: owner, saved: new Date().toISOString(),
      label: label(), fields: fields, photos: photos, error: "" };
    return put(draft).then(function () {
      // A fresh form, with a new key, for the next visit.
      form.reset();
      form.querySelector("input[name=file]").value = "";
      var picked = document.getElementById("worker-picked");
      if (picked) { picked.classList.add("d-none"); picked.textContent = ""; }
      keyField.value = uuid();
      window.scrollTo(0, 0);
      return render();
    });
  }

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(draft) {
    var body = new FormData();
    draft.fields.forEach(function (f) { body.append(f[0], f[1]); });
    body.set("idempotency_key", draft.key);
    body.set("csrfmiddlewaretoken", csrf());
    draft.photos.forEach(function (p) { body.append("photos", p.blob, p.name); });
    return fetch(window.location.pathname, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Offline-Draft": "1", "X-CSRFToken": csrf() }
    }).then(function (r) {
      if ((r.headers.get("Content-Type") || "").indexOf("json") === -1) {
        draft.error = box.dataset.signIn; // the session ended: the sign-in page answered
        return put(draft);
      }
      return r.json().then(function (answer) {
        if (answer.ok) { return remove(draft.key); } // landed (or had already): off the device
        draft.error = (answer.errors || []).join(" ");
        return put(draft);
      });
    }, function () { /* no signal after all: the draft waits */ });
  }

  function sync() {
    if (syncing || !navigator.onLine) { return render(); }
    syncing = true;
    return drafts().then(function (items) {
      return items.reduce(function (p, d) { return p.then(function () { return send(d); }); }, Promise.resolve());
    }).catch(function () { /* kept for the next try */ }).then(function () {
      syncing = false;
      return render();
    });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) { return; } // with a signal the form posts as usual (its key guards a repeat)
    event.preventDefault();
    if (!form.checkValidity()) { form.reportValidity(); return; }
    saveDraft();
  });
  sendNow.addEventListener("click", sync);
  window.addEventListener("online", sync);
  window.addEventListener("offline", render);
  sync();
})();
