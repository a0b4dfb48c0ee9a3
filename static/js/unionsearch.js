// A union dropdown of a large scope lists only its top unions (unionportal/core/unionchoice.py).
// Once it is full, a search box above it finds any other union of the scope by name
// (GET data-union-search&q=..., the same scope as the form's) and lists what it finds; the
// union already chosen stays. The form checks the union it gets, as always.
(function () {
  "use strict";
  function option(value, label, selected) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    o.selected = !!selected;
    return o;
  }

  function enhance(select) {
    if (select.options.length < Number(select.dataset.unionSearchFrom || 0)) { return; }
    var listed = Array.prototype.map.call(select.options, function (o) { return o.cloneNode(true); });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control mb-1";
    box.placeholder = select.dataset.unionSearchLabel;
    box.setAttribute("aria-label", select.dataset.unionSearchLabel);
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("enterkeyhint", "search");
    box.dataset.unionSearchBox = "1";
    select.parentNode.insertBefore(box, select);
    var status = document.createElement("div");  // "none found", read out by screen readers
    status.className = "form-text mb-1";
    status.setAttribute("aria-live", "polite");
    status.dataset.unionSearchStatus = "1";
    select.parentNode.insertBefore(status, select);
    var timer = null, controller = null;

    function show(options) {
      var chosen = select.selectedOptions[0];
      var keep = [];
      if (listed.length && listed[0].value === "") { keep.push(listed[0].cloneNode(true)); }
      if (chosen && chosen.value !== "" && !options.some(function (o) { return o.value === chosen.value; })) {
        keep.push(option(chosen.value, chosen.textContent, true));
      }
      select.replaceChildren.apply(select, keep.concat(options));
      if (chosen) { select.value = chosen.value; }
    }

    function search() {
      var q = box.value.trim();
      if (controller) { controller.abort(); }
      if (!q) {
        show(listed.filter(function (o) { return o.value !== ""; }).map(function (o) { return o.cloneNode(true); }));
        status.textContent = "";
        delete select.dataset.searched;
        return;
      }
      var url = new URL(select.dataset.unionSearch, window.location.href);
      url.searchParams.set("q", q);
      controller = window.AbortController ? new AbortController() : null;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller && controller.signal })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (d) {
          show(d.results.map(function (u) { return option(String(u.id), u.parent ? u.name + " · " + u.parent : u.name); }));
          status.textContent = d.results.length ? "" : select.dataset.unionSearchNone;
          select.dataset.searched = q;  // for the browser tests: the list now holds this search's answer
        })
        .catch(function () { /* aborted by a newer search, or offline: the list stays as it was */ });
    }

    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
    box.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); } });
  }

  document.querySelectorAll("select[data-union-search]").forEach(enhance);
})();
