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

  // A long multiple select (the 104 communes of a project, the reporting units of an account) gets
  // a filter box above it: typing "duc hop" keeps the options whose text folds to it (case and
  // marks ignored, đ as d, like the server's search). Options are taken out, not hidden (a phone's
  // picker shows hidden options), and chosen ones always stay, so the form posts them.
  var LONG = 30;

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/\s+/g, " ").trim();
  }

  function bindFilter(select) {
    if (select.dataset.filterBound || select.options.length <= LONG) return;
    select.dataset.filterBound = "1";
    var options = Array.prototype.slice.call(select.options);
    var texts = options.map(function (option) { return fold(option.text); });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.placeholder = document.body.dataset.filterPlaceholder || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("autocomplete", "off");
    input.dataset.filterFor = select.name;
    input.addEventListener("input", function () {
      var wanted = fold(input.value);
      var keep = document.createDocumentFragment();
      options.forEach(function (option, i) {
        if (!wanted || option.selected || texts[i].indexOf(wanted) !== -1) keep.appendChild(option);
      });
      while (select.firstChild) select.removeChild(select.firstChild);
      select.appendChild(keep);
    });
    select.parentNode.insertBefore(input, select);
  }

  function bindFilters(root) {
    root.querySelectorAll("select[multiple]").forEach(bindFilter);
  }

  function bindAll(root) {
    bindVariants(root);
    bindFilters(root);
  }

  document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bindAll(event.target); });
})();
