// The emergency map: estate outlines and the items' markers, over MAP_TILE_URL or, without one,
// on a plain background. Markers are coloured by layer; the list below the map has the same items.
(function () {
  var box = document.getElementById("emergency-map");
  var source = document.getElementById("emergency-map-data");
  if (!box || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = { hazard: "#c62828", household: "#6a1b9a", shelter: "#2e7d32", store: "#1565c0" };
  // No keyboard handler: it makes the map box a focus stop around focusable markers (axe:
  // nested-interactive); the list beside the map is the keyboard's way to the same items.
  var map = L.map(box, { attributionControl: Boolean(data.tiles), keyboard: false });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
  } else {
    box.classList.add("emergency-map-plain");
  }
  var bounds = [];
  (data.outlines || []).forEach(function (o) {
    L.polygon(o.points, { color: "#455a64", weight: 2, fillOpacity: 0.08 })
      .addTo(map)
      .bindTooltip(o.name, { permanent: !data.tiles, direction: "center", className: "estate-label" });
    o.points.forEach(function (p) { bounds.push(p); });
  });
  data.markers.forEach(function (m) {
    var colour = colours[m.layer] || "#333";
    L.circleMarker([m.lat, m.lng], { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95 })
      .addTo(map)
      .bindPopup(m.label);
    bounds.push([m.lat, m.lng]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24] });
  } else {
    map.setView([30, 120], 10);
  }
})();
