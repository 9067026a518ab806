/* After htmx swaps an editor panel, put keyboard focus where the action left it (data-focus: an element id):
   the button just used, the list, or the day just changed. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    // An outerHTML swap replaced the target: look the new panel up by its id.
    var swapped = event.detail.target;
    var panel = swapped && swapped.id ? document.getElementById(swapped.id) : null;
    if (!panel || !panel.dataset || panel.dataset.focus === undefined) return;
    var id = panel.dataset.focus;
    var target = id && document.getElementById(id);
    if (target && target.disabled) {
      // A photo moved to the end: its other arrow is the one still usable.
      var other = id.indexOf("move-up-") === 0 ? id.replace("move-up-", "move-down-") : id.replace("move-down-", "move-up-");
      target = document.getElementById(other);
    }
    if (!target) target = panel.querySelector("[role=status]");
    if (target && target.focus) {
      if (target.tagName === "DETAILS") target.open = true;
      target.focus({ preventScroll: false });
    }
  });
})();
