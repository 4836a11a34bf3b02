// The crossing at a glance: polls /api/status and redraws. DOM built with textContent only,
// so device-reported strings can never become markup.
"use strict";
(function () {
  var POLL_MS = 2000, STALE_MS = 10000, SPARK_MS = 10000;
  var SVG = "http://www.w3.org/2000/svg";
  var M_PER_DEG = 111320;
  var lastOk = 0, sparks = null, sparksAt = 0, selected = null;

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
  function headers() {
    var h = {};
    if (token()) { h.Authorization = "Bearer " + token(); }
    return h;
  }
  function getJson(path) {
    return fetch(path, { headers: headers(), cache: "no-store" }).then(function (r) {
      if (r.status === 401) {
        document.getElementById("login").hidden = false;
        throw new Error("token required");
      }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function num(v) { return Math.round(v * 100) / 100; }

  // ---- the map: an equirectangular projection around the middle of the zones and devices,
  // in metres (x east, y south, as SVG draws), fitted to them with the aspect kept true.
  function drawMap(m) {
    var map = document.getElementById("map");
    var keep = map.querySelector("title");
    map.replaceChildren(keep);
    var pts = [];
    m.zones.forEach(function (z) { z.polygons.forEach(function (p) { p[0].forEach(function (q) { pts.push(q); }); }); });
    m.devices.forEach(function (d) { pts.push([d.lon, d.lat]); });
    if (!pts.length) {
      m.tracks.forEach(function (t) { t.points.forEach(function (q) { pts.push(q); }); });
    }
    document.getElementById("map-note").textContent = pts.length ? "" : "— no zones, located devices or tracks yet";
    if (!pts.length) { map.dataset.drawn = "false"; return; }
    var lon0 = 0, lat0 = 0, minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
    pts.forEach(function (q) {
      minLon = Math.min(minLon, q[0]); maxLon = Math.max(maxLon, q[0]);
      minLat = Math.min(minLat, q[1]); maxLat = Math.max(maxLat, q[1]);
    });
    lon0 = (minLon + maxLon) / 2; lat0 = (minLat + maxLat) / 2;
    var kx = Math.cos(lat0 * Math.PI / 180) * M_PER_DEG;
    function x(lon) { return num((lon - lon0) * kx); }
    function y(lat) { return num(-(lat - lat0) * M_PER_DEG); }
    var w = Math.max(200, (maxLon - minLon) * kx), h = Math.max(200, (maxLat - minLat) * M_PER_DEG);
    var pad = Math.max(w, h) * 0.08;
    var vx = -w / 2 - pad, vy = -h / 2 - pad, vw = w + 2 * pad, vh = h + 2 * pad;
    map.setAttribute("viewBox", [vx, vy, vw, vh].map(num).join(" "));
    var u = Math.max(vw, vh) / 100;
    var font = num(1.9 * u);

    var zones = svg("g", { "class": "zones" });
    m.zones.forEach(function (z) {
      var d = "";
      z.polygons.forEach(function (poly) {
        poly.forEach(function (ring) {
          d += ring.map(function (q, i) { return (i ? "L" : "M") + x(q[0]) + " " + y(q[1]); }).join(" ") + " Z ";
        });
      });
      var path = svg("path", { "class": "zone", d: d.trim(), "fill-rule": "evenodd", "vector-effect": "non-scaling-stroke",
        "data-zone": z.name, "data-rule": z.rule });
      path.append(svg("title", {}, z.name + " (rule " + z.rule + ")"));
      zones.append(path);
      var first = z.polygons[0][0];
      var top = first.reduce(function (a, q) { return q[1] > a[1] ? q : a; }, first[0]);
      zones.append(svg("text", { "class": "zone-label", x: x(top[0]), y: num(y(top[1]) - 0.6 * u), "font-size": font }, z.name));
    });
    map.append(zones);

    var tracks = svg("g", { "class": "tracks" });
    m.tracks.forEach(function (t) {
      if (!t.points.length) { return; }
      var line = svg("polyline", { "class": "track", "data-track": t.id, "vector-effect": "non-scaling-stroke",
        points: t.points.map(function (q) { return x(q[0]) + "," + y(q[1]); }).join(" ") });
      line.append(svg("title", {}, "track " + t.id + ", " + t.points.length + " positions"));
      tracks.append(line);
      var head = t.points[t.points.length - 1];
      tracks.append(svg("circle", { "class": "track-head", cx: x(head[0]), cy: y(head[1]), r: num(0.7 * u) }));
      tracks.append(svg("text", { "class": "track-label", x: num(x(head[0]) + u), y: num(y(head[1]) - u), "font-size": font }, t.track));
    });
    map.append(tracks);

    var devices = svg("g", { "class": "devices" });
    var s = 0.75 * u;
    m.devices.forEach(function (d) {
      var g = svg("g", { "class": "dev state-" + d.state, "data-device": d.id, "data-class": d.device_class || "",
        "data-state": d.state, transform: "translate(" + x(d.lon) + " " + y(d.lat) + ")" });
      var c = d.device_class;
      var shape;
      if (c === "counter") { shape = svg("rect", { x: num(-s), y: num(-s), width: num(2 * s), height: num(2 * s) }); }
      else if (c === "camera") { shape = svg("polygon", { points: [0, -1.2 * s, 1.15 * s, s, -1.15 * s, s].map(num).join(" ") }); }
      else if (c === "radar") { shape = svg("circle", { r: num(1.2 * s) }); }
      else { shape = svg("polygon", { points: [0, -1.3 * s, 1.3 * s, 0, 0, 1.3 * s, -1.3 * s, 0].map(num).join(" ") }); }
      shape.setAttribute("class", "shape");
      shape.setAttribute("vector-effect", "non-scaling-stroke");
      g.append(shape);
      g.append(svg("title", {}, d.id + " (" + (c || "device") + (d.lane ? ", lane " + d.lane : "") + "): " + d.state
        + (d.state_reason ? " — " + d.state_reason : "")));
      g.append(svg("text", { "class": "dev-label", x: num(1.5 * s), y: num(0.4 * s), "font-size": num(font * 0.6) }, d.id));
      g.addEventListener("click", function () { select(d.id); });
      devices.append(g);
    });
    map.append(devices);

    var alerts = svg("g", { "class": "alerts" });
    m.alerts.forEach(function (a) {
      var g = svg("g", { "class": "alert-marker severity-" + a.severity, "data-alert-id": a.alert_id, "data-alert-rule": a.rule,
        transform: "translate(" + x(a.lon) + " " + y(a.lat) + ")" });
      g.append(svg("circle", { "class": "alert-ring", r: num(2.4 * u), "vector-effect": "non-scaling-stroke" }));
      g.append(svg("text", { "class": "alert-bang", "font-size": num(2.6 * u) }, "!"));
      g.append(svg("title", {}, a.rule + " on " + a.subject.id + (a.zone ? " in " + a.zone : "") + ", raised " + time(a.raised_at)));
      alerts.append(g);
    });
    map.append(alerts);

    // Scale bar (1, 2 or 5 × 10^n metres, at most a quarter of the width) and north arrow.
    var target = vw / 4, p10 = Math.pow(10, Math.floor(Math.log10(target)));
    var len = [5, 2, 1].map(function (k) { return k * p10; }).filter(function (l) { return l <= target; })[0] || p10;
    var sx = vx + 3 * u, sy = vy + vh - 3 * u;
    var scale = svg("g", { "class": "scale", "data-metres": len });
    scale.append(svg("line", { x1: num(sx), y1: num(sy), x2: num(sx + len), y2: num(sy), "vector-effect": "non-scaling-stroke" }));
    scale.append(svg("line", { x1: num(sx), y1: num(sy - u), x2: num(sx), y2: num(sy + u), "vector-effect": "non-scaling-stroke" }));
    scale.append(svg("line", { x1: num(sx + len), y1: num(sy - u), x2: num(sx + len), y2: num(sy + u), "vector-effect": "non-scaling-stroke" }));
    scale.append(svg("text", { x: num(sx), y: num(sy - 1.5 * u), "font-size": font }, len >= 1000 ? len / 1000 + " km" : len + " m"));
    map.append(scale);
    var nx = vx + vw - 4 * u, ny = vy + 4 * u;
    var north = svg("g", { "class": "north", transform: "translate(" + num(nx) + " " + num(ny) + ")" });
    north.append(svg("polygon", { points: [0, -2.5 * u, 1.3 * u, 1.5 * u, 0, 0.7 * u, -1.3 * u, 1.5 * u].map(num).join(" ") }));
    north.append(svg("text", { x: 0, y: num(4 * u), "font-size": font, "text-anchor": "middle" }, "N"));
    map.append(north);

    map.dataset.drawn = "true";
    map.dataset.zones = String(m.zones.length);
    map.dataset.tracks = String(m.tracks.length);
    map.dataset.devices = String(m.devices.length);
    map.dataset.alerts = String(m.alerts.length);
    var cut = m.tracks_cut + m.alerts_cut;
    document.getElementById("map-note").textContent = (cut ? "— " + m.tracks_cut + " tracks and " + m.alerts_cut
      + " alerts not shown (limits)" : "") + (m.alerts_unplaced ? " — " + m.alerts_unplaced + " open alerts have no position" : "");
  }

  function sparkline(values) {
    var max = Math.max.apply(null, values.concat([0.1]));
    var box = svg("svg", { "class": "spark", viewBox: "0 0 " + (values.length - 1) + " 20", preserveAspectRatio: "none" });
    box.append(svg("polyline", { "vector-effect": "non-scaling-stroke",
      points: values.map(function (v, i) { return i + "," + num(19 - 18 * v / max); }).join(" ") }));
    return box;
  }

  function select(id) {
    selected = id;
    document.getElementById("detail").hidden = false;
    document.getElementById("detail-id").textContent = id;
    document.querySelectorAll(".device").forEach(function (c) { c.classList.toggle("selected", c.dataset.device === id); });
    loadFrame();
  }

  function loadFrame() {
    if (!selected) { return; }
    var id = selected;
    getJson("api/frames/" + encodeURIComponent(id)).then(function (f) {
      if (selected !== id) { return; }
      var fr = f.frame;
      document.getElementById("frame-meta").textContent = fr
        ? "received " + time(fr.received_at) + " by source " + fr.source + " from " + fr.origin + ", driver " + fr.driver
          + ", " + fr.bytes + " bytes" + (fr.truncated ? " (first 1024 shown)" : "")
        : "no frame sampled yet";
      document.getElementById("frame-text").textContent = fr ? fr.text : "";
      document.getElementById("frame-decoded").textContent = fr ? JSON.stringify(fr.decoded, null, 1) : "";
      document.getElementById("normalised").textContent = JSON.stringify(f.normalised, null, 1);
      document.getElementById("detail").dataset.loaded = "true";
    }).catch(function () { /* the next poll tries again */ });
  }

  function renderDevices(devices, live) {
    var box = document.getElementById("devices");
    box.replaceChildren();
    devices.forEach(function (d) {
      var card = el("article", "device state-" + d.state + (d.id === selected ? " selected" : ""));
      card.addEventListener("click", function () { select(d.id); });
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
      var line = sparks && sparks.devices[d.id];
      if (line) {
        card.append(sparkline(line));
        card.append(el("p", "spark-label", "now " + fmt(line[line.length - 1]) + "/s · max " + fmt(Math.max.apply(null, line)) + "/s"));
      }
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
    var wantSparks = Date.now() - sparksAt > SPARK_MS;
    var sparkLoad = wantSparks ? getJson("api/sparklines").then(function (sp) { sparks = sp; sparksAt = Date.now(); })
      .catch(function () { /* cards show no sparkline */ }) : Promise.resolve();
    sparkLoad.then(function () { return getJson("api/status"); })
      .then(function (s) {
        document.getElementById("login").hidden = true;
        render(s);
        lastOk = Date.now();
        document.body.dataset.loaded = "true";
        loadFrame();
        return getJson("api/map").then(drawMap);
      })
      .catch(function () { /* shown as stale below */ })
      .finally(function () { stale(); setTimeout(poll, POLL_MS); });
  }

  // A link may carry the token in its fragment (#token=...), which never reaches a server or a log,
  // and may name a device to show (#device=cnt-03, or #token=...&device=cnt-03).
  var hash = location.hash;
  var m = /^#token=(.+?)(?:&device=([^&]+))?$/.exec(hash);
  if (m) {
    sessionStorage.setItem("limes-admin-token", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  document.getElementById("detail-close").addEventListener("click", function () {
    selected = null;
    document.getElementById("detail").hidden = true;
    document.querySelectorAll(".device.selected").forEach(function (c) { c.classList.remove("selected"); });
  });
  var dm = /(?:^#|&)device=([^&]+)$/.exec(hash);
  if (dm) { select(decodeURIComponent(dm[1])); }
  document.getElementById("login").addEventListener("submit", function (e) {
    e.preventDefault();
    sessionStorage.setItem("limes-admin-token", document.getElementById("token").value);
  });
  poll();
}());
