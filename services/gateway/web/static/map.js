// The municipality's map: markers for the items of the list on the page (the list
// stays the way to reach them with the keyboard or without script). Without
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
    var bounds = [];
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
      bounds.push([lat, lon]);
    });
    box.dataset.markers = String(bounds.length);
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    else map.setView([56.5, 10.5], 6);
  });
})();
