// The point of a proposal or meeting place: a click on the map (or Enter on the
// focused map, which takes its centre) fills the latitude and longitude fields;
// typing in the fields moves the marker. The fields alone are enough without script.
// With a proposal's area (maps/_area.html): while "Draw the area" is pressed, a click
// (or Enter) adds a corner instead; "Close" finishes the outline, "Clear" removes it.
// The corners go to the area field, a "latitude, longitude" line each, which is what
// is sent: typing there redraws the outline.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("picker");
    if (!box || typeof window.L === "undefined") return;
    var lat = document.getElementById("f-latitude"), lon = document.getElementById("f-longitude");
    box.hidden = false;
    var map = window.L.map(box, { keyboard: true });
    if (box.dataset.tiles) {
      window.L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
    }
    var marker = null;
    function show(point) {
      if (marker) marker.setLatLng(point);
      else marker = window.L.marker(point, { keyboard: false }).addTo(map);
    }
    function pick(point) {
      lat.value = point.lat.toFixed(6);
      lon.value = point.lng.toFixed(6);
      show(point);
      box.dataset.picked = lat.value + "," + lon.value;
    }
    var area = drawing(map, box);
    var start = [parseFloat(lat.value), parseFloat(lon.value)];
    if (!isNaN(start[0]) && !isNaN(start[1])) {
      map.setView(start, 15);
      show(start);
    } else if (!(area && area.fit())) {
      // MAP_CENTER (latitude,longitude,zoom) is where a municipality's map opens; else Scandinavia.
      var c = (box.dataset.center || "").split(",").map(parseFloat);
      map.setView(c.length === 3 && !c.some(isNaN) ? [c[0], c[1]] : [59, 10], c.length === 3 && !c.some(isNaN) ? c[2] : 5);
    }
    function place(point) {
      if (area && area.drawing()) area.add(point);
      else pick(point);
    }
    map.on("click", function (e) { place(e.latlng); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target === box) { e.preventDefault(); place(map.getCenter()); }
    });
    [lat, lon].forEach(function (field) {
      field.addEventListener("change", function () {
        var p = [parseFloat(lat.value), parseFloat(lon.value)];
        if (!isNaN(p[0]) && !isNaN(p[1])) { show(p); map.panTo(p); }
      });
    });
  });

  // The area's outline on ``map``, kept in step with the area field; null without the area's controls.
  function drawing(map, box) {
    var field = document.getElementById("f-boundary"), tools = document.getElementById("area-tools");
    if (!field || !tools) return null;
    var draw = document.getElementById("area-draw"), status = document.getElementById("area-status");
    tools.hidden = false;
    var corners = [], closed = false, shape = null;
    function parse(text) {
      return text.split("\n").map(function (line) {
        var n = line.match(/-?\d+(?:[.,]\d+)?/g) || [];
        return n.length === 2 ? [parseFloat(n[0].replace(",", ".")), parseFloat(n[1].replace(",", "."))] : null;
      }).filter(function (p) { return p && !isNaN(p[0]) && !isNaN(p[1]); });
    }
    function say(key) {
      status.textContent = (status.dataset[key] || "").replace("{n}", String(corners.length));
    }
    function redraw() {
      if (shape) { map.removeLayer(shape); shape = null; }
      if (corners.length) {
        var style = { color: "#1a5fb4", weight: 3 };
        shape = (closed && corners.length >= 3 ? window.L.polygon(corners, style) : window.L.polyline(corners, style));
        shape.addTo(map);
      }
      box.dataset.corners = String(corners.length);
      box.dataset.closed = closed ? "yes" : "no";
    }
    function write() {
      field.value = corners.map(function (p) { return p[0].toFixed(6) + ", " + p[1].toFixed(6); }).join("\n");
    }
    function drawingOn(on) {
      draw.setAttribute("aria-pressed", on ? "true" : "false");
      box.classList.toggle("drawing", on);
    }
    draw.addEventListener("click", function () {
      var on = draw.getAttribute("aria-pressed") !== "true";
      if (on && closed) { corners = []; closed = false; write(); redraw(); }
      drawingOn(on);
      say(on ? "open" : (corners.length ? "closed" : "none"));
    });
    document.getElementById("area-close").addEventListener("click", function () {
      if (corners.length < 3) { say("few"); return; }
      closed = true;
      drawingOn(false);
      redraw();
      say("closed");
    });
    document.getElementById("area-clear").addEventListener("click", function () {
      corners = [];
      closed = false;
      drawingOn(false);
      write();
      redraw();
      say("none");
    });
    field.addEventListener("change", function () {
      corners = parse(field.value);
      closed = corners.length >= 3;
      redraw();
      if (shape && corners.length) map.fitBounds(shape.getBounds(), { padding: [20, 20], maxZoom: 17 });
    });
    corners = parse(field.value);
    closed = corners.length >= 3;
    redraw();
    return {
      drawing: function () { return draw.getAttribute("aria-pressed") === "true"; },
      add: function (point) {
        corners.push([point.lat, point.lng]);
        write();
        redraw();
        say("open");
      },
      fit: function () {
        if (!shape) return false;
        map.fitBounds(shape.getBounds(), { padding: [20, 20], maxZoom: 17 });
        return true;
      }
    };
  }
})();
