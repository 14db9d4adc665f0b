// harness view: filter and sort the server-rendered items; the state lives in the URL fragment
// (#verdict=loss&flag=flag&category=x&minlen=10&maxlen=500&sort=length-desc) so a view can be linked.
(function () {
  "use strict";
  var keys = ["verdict", "flag", "category", "minlen", "maxlen", "sort"];
  var field = function (k) { return document.getElementById("f-" + k); };
  var rank = { none: 0, warn: 1, flag: 2 };
  var sorters = {
    index: function (a) { return +a.dataset.index; },
    length: function (a) { return +a.dataset.length; },
    value: function (a) { return a.dataset.value === "" ? -Infinity : +a.dataset.value; },
    category: function (a) { return a.dataset.category; },
    verdict: function (a) { return a.dataset.verdict; },
    flag: function (a) { return -rank[a.dataset.flag]; },
  };

  function state() {
    var s = {};
    keys.forEach(function (k) { s[k] = field(k).value; });
    return s;
  }

  function apply() {
    var s = state();
    var min = s.minlen === "" ? -Infinity : +s.minlen;
    var max = s.maxlen === "" ? Infinity : +s.maxlen;
    var shown = 0, total = 0;
    document.querySelectorAll("section.run .items").forEach(function (box) {
      var items = Array.prototype.slice.call(box.querySelectorAll("article.item"));
      items.forEach(function (a) {
        var d = a.dataset, len = +d.length;
        var ok = (!s.verdict || d.verdict === s.verdict) && (!s.flag || d.flag === s.flag) &&
          (!s.category || d.category === s.category) && len >= min && len <= max;
        a.hidden = !ok;
        total += 1;
        shown += ok ? 1 : 0;
      });
      var parts = (s.sort || "index").split("-");
      var key = sorters[parts[0]] || sorters.index, sign = parts[1] === "desc" ? -1 : 1;
      items.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return c * sign || (+a.dataset.index - +b.dataset.index);
      });
      items.forEach(function (a) { box.appendChild(a); });
    });
    document.getElementById("shown").textContent = shown + " of " + total + " items";
    var hash = keys.filter(function (k) { return s[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(s[k]); }).join("&");
    if (("#" + hash) !== location.hash && (hash || location.hash)) {
      try {
        history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      } catch (e) { /* some browsers refuse history on file:// pages; the filter still applies */ }
    }
  }

  function load() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    keys.forEach(function (k) { if (params.has(k)) { field(k).value = params.get(k); } });
    apply();
  }

  keys.forEach(function (k) { field(k).addEventListener("input", apply); });
  window.addEventListener("hashchange", load);
  load();
  document.body.dataset.ready = "true";
})();
