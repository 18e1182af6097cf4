// The portal's own small behaviours, loaded on every page (the CSP allows no inline script).
(function () {
  "use strict";

  // A variant list shows only the variants of the activity chosen above it: each option carries
  // data-activity, the select names its activity select in data-variants-of.
  function filterVariants(variant) {
    var activity = document.getElementById(variant.dataset.variantsOf);
    if (!activity) return;
    var chosen = activity.value;
    Array.prototype.forEach.call(variant.options, function (option) {
      var own = option.dataset.activity;
      var hide = own !== undefined && chosen !== "" && own !== chosen;
      option.hidden = hide;
      option.disabled = hide;
      if (hide && option.selected) variant.value = "";
    });
  }

  function bindVariants(root) {
    root.querySelectorAll("select[data-variants-of]").forEach(function (variant) {
      var activity = document.getElementById(variant.dataset.variantsOf);
      if (!activity || variant.dataset.bound) return;
      variant.dataset.bound = "1";
      activity.addEventListener("change", function () { filterVariants(variant); });
      filterVariants(variant);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bindVariants(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bindVariants(event.target); });
})();
