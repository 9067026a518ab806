/* Step 4: reorder photos by drag and drop (the up/down buttons do the same for keyboards and touch screens).
   The new order is posted as the whole list of photo ids, through htmx, to the reorder service. */
(function () {
  "use strict";
  var dragged = null;

  function list() { return document.querySelector("#photo-panel .photo-sort"); }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".photo-item");
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.photoId);
  });

  document.addEventListener("dragover", function (event) {
    var over = event.target.closest && event.target.closest(".photo-item");
    if (!dragged || !over || over === dragged || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = (event.clientX - box.left) / box.width > 0.5 || (event.clientY - box.top) / box.height > 0.85;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    var form = document.getElementById("reorder-form");
    var items = list() ? list().querySelectorAll(".photo-item") : [];
    if (!form || !items.length) return;
    form.querySelectorAll("input[name=photo_ids]").forEach(function (input) { input.remove(); });
    items.forEach(function (item) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "photo_ids";
      input.value = item.dataset.photoId;
      form.appendChild(input);
    });
    form.requestSubmit();
  });
})();
