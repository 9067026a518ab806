/* Step 5: show the weekday choice only for weekly rules (it is ignored by the others). */
(function () {
  "use strict";
  function sync() {
    var kind = document.getElementById("rule_rule_type");
    var days = document.querySelector(".weekly-only");
    if (kind && days) days.hidden = kind.value !== "weekly";
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "rule_rule_type") sync();
  });
  document.addEventListener("htmx:afterSettle", sync);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sync);
  else sync();
})();
