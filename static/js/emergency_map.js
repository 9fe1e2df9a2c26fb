// The emergency map: hazard points over MAP_TILE_URL, or on a plain background without one.
(function () {
  var box = document.getElementById("emergency-map");
  var source = document.getElementById("emergency-map-data");
  if (!box || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = L.map(box, { attributionControl: Boolean(data.tiles) });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
  } else {
    box.classList.add("emergency-map-plain");
  }
  var bounds = [];
  data.markers.forEach(function (m) {
    L.marker([m.lat, m.lng], { title: m.label, alt: m.label }).addTo(map).bindPopup(m.label);
    bounds.push([m.lat, m.lng]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24] });
  } else {
    map.setView([30, 120], 10);
  }
})();
