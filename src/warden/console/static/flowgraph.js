/* Warden fund-flow graph: a small dependency-free SVG force layout.
 *
 * Markup: a <div class="flow-graph"> with a <script type="application/json" class="flow-data"> next to it
 * (its sibling, or inside the div) holding
 *   {"nodes": [{"id", "label", "kind": "customer"|"subject"|"address"|"external", "risk": float|null}],
 *    "edges": [{"source", "target", "amount_usd": float, "count": int, "first": iso, "last": iso}]}
 * Every such pair is drawn on page load and after htmx swaps. Drag a node to move it, drag the background to
 * pan, use the wheel to zoom, click a node to list its edges with their amounts.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = { subject: "#c0362c", customer: "#2155d6", address: "#a16207", external: "#667085" };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function usd(x) {
    return "$" + Number(x || 0).toLocaleString("en-US", { maximumFractionDigits: 0 });
  }

  function dataFor(div) {
    var candidates = [div.querySelector("script.flow-data"), div.nextElementSibling, div.previousElementSibling];
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (c && c.matches && c.matches("script.flow-data")) return JSON.parse(c.textContent || "{}");
    }
    return null;
  }

  // Fruchterman-Reingold style: springs along edges, repulsion between all pairs, a pull to the centre.
  function layout(nodes, edges, width, height) {
    var n = nodes.length, k = Math.sqrt((width * height) / Math.max(n, 1)) * 0.6;
    // Subjects start on a small inner ring, everyone else on an outer one: no two nodes share a starting spot
    // (two nodes on one spot feel no force between them and would never part).
    var subjects = nodes.filter(function (d) { return d.kind === "subject"; });
    var others = nodes.filter(function (d) { return d.kind !== "subject"; });
    function ring(group, rx, ry, turn) {
      group.forEach(function (d, i) {
        var a = turn + (2 * Math.PI * i) / group.length;
        d.x = width / 2 + Math.cos(a) * rx;
        d.y = height / 2 + Math.sin(a) * ry;
      });
    }
    var inner = subjects.length > 1 ? Math.min(width, height) * 0.12 : 0;
    ring(subjects, inner, inner, 0);
    ring(others, width * 0.3, height * 0.3, 0.5);
    var temperature = width / 8;
    for (var step = 0; step < 250; step++) {
      nodes.forEach(function (d) { d.dx = 0; d.dy = 0; });
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var a = nodes[i], b = nodes[j];
          var x = a.x - b.x, y = a.y - b.y;
          if (x * x + y * y < 0.01) { x = 0.1 * (j - i); y = 0.05; }  // still together: part them, deterministically
          var dist = Math.max(Math.sqrt(x * x + y * y), 0.01);
          var force = (k * k) / dist;
          a.dx += (x / dist) * force; a.dy += (y / dist) * force;
          b.dx -= (x / dist) * force; b.dy -= (y / dist) * force;
        }
      }
      edges.forEach(function (e) {
        var x = e.s.x - e.t.x, y = e.s.y - e.t.y, dist = Math.max(Math.sqrt(x * x + y * y), 0.01);
        var force = (dist * dist) / k;
        e.s.dx -= (x / dist) * force; e.s.dy -= (y / dist) * force;
        e.t.dx += (x / dist) * force; e.t.dy += (y / dist) * force;
      });
      nodes.forEach(function (d) {
        d.dx += (width / 2 - d.x) * 0.02; d.dy += (height / 2 - d.y) * 0.02;
        var len = Math.max(Math.sqrt(d.dx * d.dx + d.dy * d.dy), 0.01);
        d.x += (d.dx / len) * Math.min(len, temperature);
        d.y += (d.dy / len) * Math.min(len, temperature);
        d.x = Math.min(width - 20, Math.max(20, d.x));
        d.y = Math.min(height - 20, Math.max(20, d.y));
      });
      temperature *= 0.97;
    }
  }

  // Labels that do not overlap: the most telling nodes first (subjects, then the riskiest, then the best
  // connected), each label right of its node, else left of it, else hidden (shown on hover and focus, and in
  // the node's title and its selection). Boxes come from the rendered text, in graph units.
  function placeLabels(nodes, edges) {
    var degree = {};
    edges.forEach(function (e) { degree[e.s.id] = (degree[e.s.id] || 0) + 1; degree[e.t.id] = (degree[e.t.id] || 0) + 1; });
    var order = nodes.slice().sort(function (a, b) {
      return (b.kind === "subject") - (a.kind === "subject") || (b.risk || 0) - (a.risk || 0) ||
        (degree[b.id] || 0) - (degree[a.id] || 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    var taken = nodes.map(function (d) {  // the circles themselves are not to be written over either
      return { x1: d.x - d.radius, y1: d.y - d.radius, x2: d.x + d.radius, y2: d.y + d.radius, node: d };
    });
    function free(box, self) {
      return taken.every(function (t) {
        return t.node === self || box.x2 <= t.x1 || box.x1 >= t.x2 || box.y2 <= t.y1 || box.y1 >= t.y2;
      });
    }
    order.forEach(function (d) {
      if (d.labelBox == null) {  // measured once, while every label still shows
        var bb = d.text.getBBox ? d.text.getBBox() : { y: -9, width: d.text.textContent.length * 6.5, height: 13 };
        d.labelBox = { top: bb.y, width: bb.width, height: bb.height };
      }
      var m = d.labelBox, top = d.y + m.top, bottom = d.y + m.top + m.height;
      var right = { x1: d.x + d.radius + 3, y1: top, x2: d.x + d.radius + 3 + m.width, y2: bottom };
      var left = { x1: d.x - d.radius - 3 - m.width, y1: top, x2: d.x - d.radius - 3, y2: bottom };
      var box = free(right, d) ? right : free(left, d) ? left : null;
      d.text.classList.toggle("flow-label-hidden", box === null);
      if (box === null) return;
      d.text.setAttribute("x", String(box === right ? d.radius + 3 : -d.radius - 3));
      d.text.setAttribute("text-anchor", box === right ? "start" : "end");
      box.node = null;
      taken.push(box);
    });
  }

  function draw(div) {
    if (div.getAttribute("data-drawn") === "1") return;
    var data = dataFor(div);
    if (!data) return;
    div.setAttribute("data-drawn", "1");
    div.textContent = "";
    var nodes = (data.nodes || []).map(function (d) { return Object.assign({}, d); });
    var byId = {};
    nodes.forEach(function (d) { byId[d.id] = d; });
    var edges = (data.edges || [])
      .filter(function (e) { return byId[e.source] && byId[e.target]; })
      .map(function (e) { return Object.assign({ s: byId[e.source], t: byId[e.target] }, e); });
    if (!nodes.length) {
      div.innerHTML = '<p class="muted">No counterparties or addresses to draw.</p>';
      return;
    }
    var width = div.clientWidth || 720, height = parseInt(div.getAttribute("data-height") || "420", 10);
    layout(nodes, edges, width, height);

    var svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, class: "flow-svg",
      role: "img", "aria-label": "fund-flow graph" }, div);
    var defs = el("defs", {}, svg);
    // Fixed-size arrowheads (not scaled by the edge's width), ending just outside the target's circle.
    var marker = el("marker", { id: "flow-arrow-" + Math.random().toString(36).slice(2), viewBox: "0 0 10 10",
      refX: "24", refY: "5", markerWidth: "9", markerHeight: "9", markerUnits: "userSpaceOnUse",
      orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#98a2b3" }, marker);
    var view = el("g", { class: "flow-view" }, svg);
    var maxAmount = Math.max.apply(null, edges.map(function (e) { return e.amount_usd || 0; }).concat([1]));

    edges.forEach(function (e) {
      e.line = el("line", { class: "flow-edge", stroke: "#98a2b3", "stroke-opacity": "0.8",
        "stroke-width": String(1 + 5 * Math.sqrt((e.amount_usd || 0) / maxAmount)),
        "marker-end": "url(#" + marker.id + ")" }, view);
      el("title", {}, e.line).textContent = e.source + " → " + e.target + ": " + usd(e.amount_usd) + " in " + e.count;
    });
    nodes.forEach(function (d) {
      d.g = el("g", { class: "flow-node flow-" + d.kind, "data-id": d.id, tabindex: "0" }, view);
      var risk = d.risk == null ? 0 : Math.min(1, Math.max(0, d.risk));  // risk is in [0, 1]; clamp anyway
      var radius = d.kind === "subject" ? 11 : 7 + 4 * risk;
      el("circle", { r: String(radius), fill: COLOURS[d.kind] || "#667085",
        stroke: risk >= 0.5 ? "#c0362c" : "#fff", "stroke-width": risk >= 0.5 ? "3" : "1.5" }, d.g);
      d.radius = radius;
      d.text = el("text", { x: String(radius + 3), y: "4", class: "flow-label" }, d.g);
      d.text.textContent = (d.label || d.id).length > 22 ? (d.label || d.id).slice(0, 20) + "…" : d.label || d.id;
      el("title", {}, d.g).textContent = (d.label || d.id) + " (" + d.kind + (d.risk != null ? ", risk " + d.risk : "") + ")";
    });

    var info = document.createElement("div");
    info.className = "flow-info muted";
    info.textContent = nodes.length + " nodes, " + edges.length + " edges. Click a node for its flows; drag to move, wheel to zoom.";
    div.appendChild(info);

    function place() {
      edges.forEach(function (e) {
        e.line.setAttribute("x1", e.s.x); e.line.setAttribute("y1", e.s.y);
        e.line.setAttribute("x2", e.t.x); e.line.setAttribute("y2", e.t.y);
      });
      nodes.forEach(function (d) { d.g.setAttribute("transform", "translate(" + d.x + "," + d.y + ")"); });
      placeLabels(nodes, edges);
    }
    place();

    var zoom = { k: 1, x: 0, y: 0 };
    function applyZoom() { view.setAttribute("transform", "translate(" + zoom.x + "," + zoom.y + ") scale(" + zoom.k + ")"); }
    function toGraph(evt) {
      var box = svg.getBoundingClientRect();
      return { x: (evt.clientX - box.left - zoom.x) / zoom.k, y: (evt.clientY - box.top - zoom.y) / zoom.k };
    }

    function select(d) {
      nodes.forEach(function (n) { n.g.classList.toggle("selected", n === d); });
      var mine = edges.filter(function (e) { return e.s === d || e.t === d; });
      edges.forEach(function (e) { e.line.setAttribute("stroke", mine.indexOf(e) >= 0 ? "#2155d6" : "#98a2b3"); });
      var rows = mine.map(function (e) {
        var out = e.s === d;
        return "<tr><td>" + (out ? "→ " : "← ") + escapeHtml((out ? e.t : e.s).label || (out ? e.target : e.source)) +
          "</td><td class=\"num\">" + usd(e.amount_usd) + "</td><td class=\"num\">" + (e.count || 0) +
          "</td><td>" + escapeHtml((e.first || "").slice(0, 10)) + " – " + escapeHtml((e.last || "").slice(0, 10)) + "</td></tr>";
      });
      info.className = "flow-info";
      info.innerHTML = "<strong>" + escapeHtml(d.label || d.id) + "</strong> <span class=\"muted\">" + escapeHtml(d.kind) +
        (d.risk != null ? ", risk " + d.risk : "") + "</span>" +
        (rows.length ? "<table class=\"flow-edges\"><tr><th>counterparty</th><th>amount</th><th>count</th><th>first – last</th></tr>" +
          rows.join("") + "</table>" : "<p class=\"muted\">no flows</p>");
    }

    var drag = null, pan = null, moved = false;
    nodes.forEach(function (d) {
      d.g.addEventListener("pointerdown", function (evt) {
        evt.stopPropagation(); drag = d; moved = false; svg.setPointerCapture(evt.pointerId);
      });
      d.g.addEventListener("keydown", function (evt) { if (evt.key === "Enter") select(d); });
    });
    svg.addEventListener("pointerdown", function (evt) { pan = { x: evt.clientX - zoom.x, y: evt.clientY - zoom.y }; });
    svg.addEventListener("pointermove", function (evt) {
      if (drag) {
        var p = toGraph(evt); drag.x = p.x; drag.y = p.y; moved = true; place();
      } else if (pan) {
        zoom.x = evt.clientX - pan.x; zoom.y = evt.clientY - pan.y; applyZoom();
      }
    });
    function release() {
      if (drag && !moved) select(drag);
      drag = null; pan = null;
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointerleave", function () { drag = null; pan = null; });
    svg.addEventListener("wheel", function (evt) {
      evt.preventDefault();
      var box = svg.getBoundingClientRect(), mx = evt.clientX - box.left, my = evt.clientY - box.top;
      var factor = evt.deltaY < 0 ? 1.15 : 1 / 1.15, k = Math.min(6, Math.max(0.3, zoom.k * factor));
      zoom.x = mx - ((mx - zoom.x) * k) / zoom.k; zoom.y = my - ((my - zoom.y) * k) / zoom.k; zoom.k = k;
      applyZoom();
    }, { passive: false });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var divs = Array.prototype.slice.call(scope.querySelectorAll("div.flow-graph"));
    if (scope.matches && scope.matches("div.flow-graph")) divs.push(scope);
    divs.forEach(draw);
  }

  window.WardenFlowGraph = { drawAll: drawAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  else drawAll(document);
  document.addEventListener("htmx:load", function (evt) { drawAll(evt.target); });
})();
