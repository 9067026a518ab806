/* Step 2 of the listing editor: a Leaflet map with a draggable pin that writes the latitude/longitude fields.
   Tiles come from the URL in data-tiles; without them (offline) the map is blank but the pin still shows and moves.
   Keyboard: focus the pin and use the arrow keys (Shift for bigger steps). */
(function () {
  "use strict";

  function init() {
    var element = document.getElementById("location-map");
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    if (!element || !latitude || !longitude || !window.L || element.dataset.ready) return;
    element.dataset.ready = "1";

    function typedPoint() {
      var lat = parseFloat(latitude.value), lng = parseFloat(longitude.value);
      if (isNaN(lat) || isNaN(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
      return L.latLng(lat, lng);
    }

    var start = typedPoint();
    var fallback = L.latLng(parseFloat(element.dataset.defaultLat) || 39.5, parseFloat(element.dataset.defaultLng) || -98.35);
    var map = L.map(element, { scrollWheelZoom: false }).setView(start || fallback, start ? 17 : 4);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    }
    var marker = L.marker(start || fallback, {
      draggable: true,
      keyboard: true,
      autoPan: true,
      title: "Listing location: drag me, or use the arrow keys",
      alt: "Listing location pin",
    }).addTo(map);

    function write(point, quiet) {
      latitude.value = point.lat.toFixed(6);
      longitude.value = point.lng.toFixed(6);
      var status = document.getElementById("geocode-status");
      if (status && !quiet) {
        status.classList.remove("error");
        status.textContent = "Pin set at " + latitude.value + ", " + longitude.value + ". Save to keep it.";
      }
    }
    function moveTo(point, zoom) {
      marker.setLatLng(point);
      if (zoom) map.setView(point, zoom); else map.panTo(point);
    }

    marker.on("dragend", function () { write(marker.getLatLng()); });
    map.on("click", function (event) { moveTo(event.latlng); write(event.latlng); });
    marker.getElement().addEventListener("keydown", function (event) {
      var steps = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
      var step = steps[event.key];
      if (!step) return;
      event.preventDefault();
      event.stopPropagation();
      var size = event.shiftKey ? 40 : 8;
      var point = map.latLngToContainerPoint(marker.getLatLng()).add([step[0] * size, step[1] * size]);
      var target = map.containerPointToLatLng(point);
      moveTo(target);
      write(target);
    });
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = typedPoint();
        if (point) moveTo(point, Math.max(map.getZoom(), 15));
      });
    });

    // "Place the pin at this address" answers with a status line carrying the geocoded point.
    document.body.addEventListener("htmx:afterSettle", function () {
      var status = document.getElementById("geocode-status");
      if (!status || !status.dataset.lat || status.dataset.used) return;
      status.dataset.used = "1";
      var point = L.latLng(parseFloat(status.dataset.lat), parseFloat(status.dataset.lng));
      moveTo(point, 16);
      write(point, true);
    });
    // A new ZIP code moves the pin there at once; street changes keep the pin the host placed.
    var zip = document.getElementById("id_zip_code");
    var locate = document.getElementById("locate-button");
    if (zip && locate) {
      zip.addEventListener("change", function () { if (/^\d{5}/.test(zip.value)) locate.click(); });
    }
    // The map was laid out before the stylesheet settled on small screens.
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
