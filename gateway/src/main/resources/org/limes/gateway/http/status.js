// The crossing at a glance: polls /api/status and redraws. DOM built with textContent only,
// so device-reported strings can never become markup.
"use strict";
(function () {
  var POLL_MS = 2000, STALE_MS = 10000;
  var lastOk = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function ago(ms) {
    if (ms === null || ms === undefined) { return "never"; }
    var s = Math.round(ms / 1000);
    if (s < 60) { return s + " s ago"; }
    if (s < 3600) { return Math.floor(s / 60) + " min " + (s % 60) + " s ago"; }
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min ago";
  }
  function age(ms) {
    if (!ms) { return "—"; }
    var s = Math.round(ms / 1000);
    return s < 120 ? s + " s" : Math.round(s / 60) + " min";
  }
  function time(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "—"; }
  function fmt(v) {
    if (typeof v === "number") { return Number.isInteger(v) ? String(v) : v.toFixed(2); }
    return String(v);
  }
  function token() { return sessionStorage.getItem("limes-admin-token"); }

  function renderDevices(devices, live) {
    var box = document.getElementById("devices");
    box.replaceChildren();
    devices.forEach(function (d) {
      var card = el("article", "device state-" + d.state);
      card.dataset.device = d.id;
      card.dataset.state = d.state;
      var h = el("h3");
      h.append(el("span", "id", d.id), el("span", "state", d.state));
      card.append(h);
      var where = [d.device_class, d.lane ? "lane " + d.lane : null, d.site].filter(Boolean).join(" · ");
      card.append(el("p", null, where || "not in the inventory"));
      card.append(el("p", null, "last seen " + ago(d.last_seen_ago_ms)
        + (d.clock_skew_ms !== null && d.clock_skew_ms !== undefined ? " · clock " + (d.clock_skew_ms / 1000).toFixed(1) + " s" : "")));
      if (d.state_reason) { card.append(el("p", "reason", d.state_reason)); }
      (live[d.id] || []).forEach(function (r) {
        var parts = Object.keys(r.fields).slice(0, 4).map(function (k) { return k + " " + fmt(r.fields[k]); });
        card.append(el("p", "value", r.kind + ": " + parts.join(", ")));
      });
      box.append(card);
    });
  }

  function renderAlerts(alerts) {
    var body = document.querySelector("#alerts tbody");
    body.replaceChildren();
    alerts.open.forEach(function (a) {
      var tr = el("tr", a.severity);
      tr.dataset.alertId = a.alert_id;
      tr.dataset.rule = a.rule;
      tr.dataset.device = a.device || "";
      [a.severity, a.rule, a.subject.id, a.field, fmt(a.value), time(a.raised_at)].forEach(function (c) { tr.append(el("td", null, c)); });
      body.append(tr);
    });
    var count = document.getElementById("alert-count");
    count.textContent = alerts.open.length;
    count.className = "count" + (alerts.open.length ? " hot" : "");
    document.getElementById("no-alerts").hidden = alerts.open.length > 0;
    var recent = document.getElementById("recent");
    recent.replaceChildren();
    alerts.recent.slice(0, 20).forEach(function (a) {
      var li = el("li", a.state, time(a.at) + " " + a.rule + " " + a.state + " on " + a.subject.id
        + (a.reason ? " (" + a.reason + ")" : ""));
      li.dataset.eventId = a.event_id;
      recent.append(li);
    });
  }

  function renderDestinations(destinations, lagging) {
    var body = document.querySelector("#destinations tbody");
    body.replaceChildren();
    destinations.forEach(function (d) {
      var tr = el("tr");
      tr.dataset.destination = d.name;
      var old = el("td", lagging.indexOf(d.name) >= 0 ? "lagging" : null, age(d.oldest_unacked_age_ms));
      tr.append(el("td", null, d.name), el("td", null, d.depth), el("td", null, d.alert_depth), old,
        el("td", null, d.last_ack ? ago(d.last_ack_ago_ms) : "none since start"));
      body.append(tr);
    });
  }

  function render(s) {
    document.getElementById("gateway").textContent = s.gateway;
    document.title = s.gateway + " — crossing status";
    var ready = document.getElementById("ready");
    ready.textContent = s.ready ? "READY" : "NOT READY" + (s.ready_details.reason ? ": " + s.ready_details.reason : "");
    ready.className = "badge " + (s.ready ? "ok" : "down");
    ready.dataset.ready = String(s.ready);
    document.getElementById("rate").textContent = s.ingest_rate_per_s.toFixed(1);
    var by = {};
    s.devices.forEach(function (d) { by[d.state] = (by[d.state] || 0) + 1; });
    document.getElementById("counts").textContent = ["ok", "silent", "faulty", "pending"]
      .filter(function (k) { return by[k]; }).map(function (k) { return by[k] + " " + k; }).join(" · ") || "no devices";
    renderAlerts(s.alerts);
    renderDevices(s.devices, s.live || {});
    renderDestinations(s.destinations, s.ready_details.lagging || []);
  }

  function stale() {
    var u = document.getElementById("updated");
    var isStale = Date.now() - lastOk > STALE_MS;
    u.dataset.stale = String(isStale);
    if (lastOk) {
      u.textContent = (isStale ? "NO UPDATE since " : "updated ") + new Date(lastOk).toLocaleTimeString();
    }
  }

  function poll() {
    var headers = {};
    if (token()) { headers.Authorization = "Bearer " + token(); }
    fetch("api/status", { headers: headers, cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) {
          document.getElementById("login").hidden = false;
          throw new Error("token required");
        }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (s) {
        document.getElementById("login").hidden = true;
        render(s);
        lastOk = Date.now();
        document.body.dataset.loaded = "true";
      })
      .catch(function () { /* shown as stale below */ })
      .finally(function () { stale(); setTimeout(poll, POLL_MS); });
  }

  // A link may carry the token in its fragment (#token=...), which never reaches a server or a log.
  var m = /^#token=(.+)$/.exec(location.hash);
  if (m) {
    sessionStorage.setItem("limes-admin-token", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  document.getElementById("login").addEventListener("submit", function (e) {
    e.preventDefault();
    sessionStorage.setItem("limes-admin-token", document.getElementById("token").value);
  });
  poll();
}());
