/* A listing's page: the small map with the space's marker, and the price fragment that also shows why a window
   can't be booked (the quote endpoint answers 400 or 409 then, which htmx would otherwise not swap in). */
(function () {
  "use strict";

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr.status;
    if (target && target.closest("[data-swap-refusals]") && (status === 400 || status === 409)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // "Back to search" returns to the very search (filters, map area, page) when that is where the person came from.
  var back = document.querySelector("[data-back]");
  if (back && document.referrer) {
    var from = new URL(document.referrer);
    if (from.origin === window.location.origin && from.pathname === back.dataset.back) {
      back.href = from.pathname + from.search;
    }
  }

  var mapElement = document.getElementById("listing-map");
  var configElement = document.getElementById("map-config");
  var dataElement = document.getElementById("listing-data");
  if (!mapElement || !configElement || !dataElement || !window.L) return;
  var config = JSON.parse(configElement.textContent);
  var data = JSON.parse(dataElement.textContent);
  var map = L.map(mapElement, { scrollWheelZoom: false }).setView([data.lat, data.lng], 15);
  L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  var icon = L.divIcon({ className: "price-marker is-active", html: "<span>P</span>", iconSize: null });
  L.marker([data.lat, data.lng], { icon: icon, title: data.title, alt: data.title, keyboard: false }).addTo(map);
})();
