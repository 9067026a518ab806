/* The search page: a Leaflet map driven by the data in the results fragment (#search-data), a search of the visible
   area when the person moves or zooms the map, cards and markers highlighting each other, the phone's list/map
   toggle, and "Near me". htmx swaps the results; this module only reacts. Also used by the home page (Near me). */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  if (!form) return;

  if (window.htmx) {
    // Going back reloads the page rather than restoring a snapshot: a snapshot would hold a dead copy of the map.
    window.htmx.config.historyCacheSize = 0;
    window.htmx.config.refreshOnHistoryMiss = true;
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function field(name) {
    return form.elements.namedItem(name);
  }

  function submit() {
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  // --- Near me: the browser's position instead of an address --------------------------------------------------------
  var nearMe = form.querySelector("[data-near-me]");
  var nearMeStatus = form.querySelector("[data-near-me-status]");
  if (nearMe && "geolocation" in navigator) {
    nearMe.hidden = false;
    nearMe.addEventListener("click", function () {
      nearMeStatus.textContent = "Finding where you are…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          nearMeStatus.textContent = "";
          field("where").value = "";
          field("lat").value = position.coords.latitude.toFixed(5);
          field("lng").value = position.coords.longitude.toFixed(5);
          if (field("bbox")) field("bbox").value = "";
          submit();
        },
        function () {
          nearMeStatus.textContent = "We couldn't get your location. Type an address or ZIP code instead.";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });
  }

  // Typing a new place starts a new search there: forget the old position and map area.
  field("where").addEventListener("input", function () {
    field("lat").value = "";
    field("lng").value = "";
    if (field("bbox")) field("bbox").value = "";
  });

  var mapElement = document.getElementById("search-map");
  if (!mapElement || !window.L) return;

  // --- The map --------------------------------------------------------------------------------------------------------
  var config = readJson("map-config");
  var map = L.map(mapElement, { zoomControl: true, keyboard: true });
  L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  var markerLayer = L.layerGroup().addTo(map);
  var markers = new Map();
  var activeId = null;
  var quiet = false; // true while the code itself moves the map: only people's moves search
  var moveTimer = null;
  var origin = null; // "map" when the next request comes from moving the map
  var lastFrame = null;

  function quietly(action) {
    quiet = true;
    try {
      action();
    } finally {
      quiet = false;
    }
  }

  function frame(box) {
    lastFrame = box;
    quietly(function () {
      map.fitBounds(
        [
          [box[1], box[0]],
          [box[3], box[2]],
        ],
        { animate: false }
      );
    });
  }

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function card(id) {
    return document.querySelector('.result-card[data-listing-id="' + id + '"]');
  }

  function highlight(id, options) {
    id = id === null ? null : String(id);
    if (id === activeId && !(options && options.scroll)) return;
    activeId = id;
    markers.forEach(function (marker, key) {
      var isActive = key === id;
      var element = marker.getElement();
      if (element) element.classList.toggle("is-active", isActive);
      marker.setZIndexOffset(isActive ? 1000 : 0);
    });
    document.querySelectorAll(".result-card.is-active").forEach(function (element) {
      element.classList.remove("is-active");
    });
    var target = id === null ? null : card(id);
    if (target) {
      target.classList.add("is-active");
      if (options && options.scroll) target.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function draw(data) {
    markerLayer.clearLayers();
    markers.clear();
    activeId = null;
    if (data.centre) {
      // The place searched for, under the price markers.
      L.marker([data.centre[1], data.centre[0]], {
        icon: L.divIcon({ className: "centre-marker", iconSize: [14, 14] }),
        interactive: false,
        keyboard: false,
        zIndexOffset: -1000,
      }).addTo(markerLayer);
    }
    data.markers.forEach(function (item) {
      var icon = L.divIcon({
        className: "price-marker",
        html: "<span>" + escapeHtml(item.label) + "</span>",
        iconSize: null,
      });
      var marker = L.marker([item.lat, item.lng], {
        icon: icon,
        title: item.title + " · " + item.label,
        alt: item.title,
        keyboard: true,
        riseOnHover: true,
      });
      marker.bindPopup(
        '<a href="' + escapeHtml(item.url) + '">' + escapeHtml(item.title) + "</a><br>" + escapeHtml(item.label),
        { autoPan: false, offset: [0, -28] }
      );
      marker.on("click", function () {
        highlight(item.id, { scroll: true });
      });
      var key = String(item.id);
      marker.on("add", function () {
        var element = marker.getElement();
        if (!element) return;
        element.dataset.listingId = key;
        element.addEventListener("focus", function () {
          highlight(key, { scroll: true });
        });
      });
      markerLayer.addLayer(marker);
      markers.set(key, marker);
    });
    if (!data.from_map && data.frame) frame(data.frame);
  }

  function announce() {
    var summary = document.getElementById("results-summary");
    var announcer = document.getElementById("results-announcer");
    if (announcer) announcer.textContent = summary ? summary.textContent.trim() : "";
  }

  function markInvalidFields() {
    form.querySelectorAll(".error-slot").forEach(function (slot) {
      var holder = slot.closest(".field, .chips");
      if (!holder) return;
      var hasError = slot.textContent.trim() !== "";
      holder.classList.toggle("has-error", hasError);
      holder.querySelectorAll("input, select").forEach(function (input) {
        if (hasError) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }

  function render() {
    var data = readJson("search-data");
    if (data) draw(data);
  }

  // People moving or zooming the map search the area they see (after they stop for a moment).
  map.on("moveend", function () {
    if (quiet) return;
    clearTimeout(moveTimer);
    moveTimer = setTimeout(function () {
      var bounds = map.getBounds();
      var box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(function (value) {
        return value.toFixed(5);
      });
      field("bbox").value = box.join(",");
      origin = "map";
      submit();
    }, 350);
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt !== form) return;
    if (origin === "map") event.detail.headers["X-Search-Origin"] = "map";
    origin = null;
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "results") {
      render();
      announce();
      markInvalidFields();
    }
  });

  // Filters apply as soon as they change (the where and time fields wait for Search).
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "where" || name === "start" || name === "end") return;
    if (name === "radius") field("bbox").value = "";
    submit();
  });

  // --- Cards and markers highlight each other -----------------------------------------------------------------------
  var results = document.getElementById("results");
  function cardId(event) {
    var target = event.target.closest && event.target.closest(".result-card");
    return target ? target.dataset.listingId : null;
  }
  results.addEventListener("pointerover", function (event) {
    var id = cardId(event);
    if (id) highlight(id);
  });
  results.addEventListener("pointerleave", function () {
    highlight(null);
  });
  results.addEventListener("focusin", function (event) {
    var id = cardId(event);
    if (id) highlight(id);
  });
  results.addEventListener("focusout", function (event) {
    if (!results.contains(event.relatedTarget)) highlight(null);
  });

  // --- Phone: the list or the map ---------------------------------------------------------------------------------
  var toggle = document.getElementById("map-toggle");
  var split = document.getElementById("search-split");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var showingMap = split.classList.toggle("showing-map");
    toggle.querySelector("[data-label-map]").hidden = showingMap;
    toggle.querySelector("[data-label-list]").hidden = !showingMap;
    if (showingMap) {
      quietly(function () {
        map.invalidateSize({ animate: false, pan: false });
      });
      if (lastFrame && !field("bbox").value) frame(lastFrame);
    }
    split.scrollIntoView({ block: "start" });
  });

  // A map that was hidden (phone) or resized has to measure itself again.
  window.addEventListener("resize", function () {
    quietly(function () {
      map.invalidateSize({ animate: false, pan: false });
    });
  });

  var initial = readJson("search-data");
  if (initial) {
    frame(initial.frame || [-125, 24, -66, 50]); // the continental US until a place is chosen
    draw(Object.assign({}, initial, { from_map: true }));
    if (initial.canonical && window.history.replaceState) {
      window.history.replaceState(window.history.state, "", initial.canonical);
    }
  }
})();
