// The point of a proposal or meeting place: a click on the map (or Enter on the
// focused map, which takes its centre) fills the latitude and longitude fields;
// typing in the fields moves the marker. The fields alone are enough without script.
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
    var start = [parseFloat(lat.value), parseFloat(lon.value)];
    if (!isNaN(start[0]) && !isNaN(start[1])) {
      map.setView(start, 15);
      show(start);
    } else {
      // MAP_CENTER (latitude,longitude,zoom) is where a municipality's map opens; else Scandinavia.
      var c = (box.dataset.center || "").split(",").map(parseFloat);
      map.setView(c.length === 3 && !c.some(isNaN) ? [c[0], c[1]] : [59, 10], c.length === 3 && !c.some(isNaN) ? c[2] : 5);
    }
    map.on("click", function (e) { pick(e.latlng); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target === box) { e.preventDefault(); pick(map.getCenter()); }
    });
    [lat, lon].forEach(function (field) {
      field.addEventListener("change", function () {
        var p = [parseFloat(lat.value), parseFloat(lon.value)];
        if (!isNaN(p[0]) && !isNaN(p[1])) { show(p); map.panTo(p); }
      });
    });
  });
})();
