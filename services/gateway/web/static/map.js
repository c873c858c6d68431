// The municipality's map: markers for the items of the list on the page (the list
// stays the way to reach them with the keyboard or without script), and the outline
// of a proposal's area (data-area: its ring, [longitude, latitude] as GeoJSON). Without
// Leaflet or without tiles, the list is all there is, and that is enough.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("map");
    if (!box || typeof window.L === "undefined") return;
    var items = Array.prototype.slice.call(document.querySelectorAll(".map-item"));
    box.hidden = false;
    var hint = document.getElementById("map-hint");
    if (hint) hint.hidden = false;
    var map = window.L.map(box, { keyboard: true });
    if (box.dataset.tiles) {
      window.L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
    }
    var bounds = [], markers = 0, areas = 0;
    items.forEach(function (item) {
      var lat = parseFloat(item.dataset.lat), lon = parseFloat(item.dataset.lon);
      if (isNaN(lat) || isNaN(lon)) return;
      var link = item.querySelector("a");
      var name = (link || item.querySelector(".map-name") || item).textContent;
      var marker = window.L.marker([lat, lon], { title: name, alt: name, keyboard: true }).addTo(map);
      var label = document.createElement("span");
      if (link) {
        var a = document.createElement("a");
        a.href = link.href;
        a.textContent = name;
        label.appendChild(a);
      } else {
        label.textContent = name;
      }
      marker.bindPopup(label);
      markers += 1;
      bounds.push([lat, lon]);
      var ring = item.dataset.area ? JSON.parse(item.dataset.area) : null;
      if (ring && ring.length > 3) {
        var outline = window.L.polygon(ring.slice(0, -1).map(function (p) { return [p[1], p[0]]; }),
                                       { color: "#1a5fb4", weight: 3, interactive: false }).addTo(map);
        areas += 1;
        bounds.push(outline.getBounds().getSouthWest(), outline.getBounds().getNorthEast());
      }
    });
    box.dataset.markers = String(markers);
    box.dataset.areas = String(areas);
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    else map.setView([56.5, 10.5], 6);
  });
})();
