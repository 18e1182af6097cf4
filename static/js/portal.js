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

  // A table wider than its box scrolls sideways in it (.table-responsive): the box then takes the
  // keyboard focus (Tab, then the arrow keys scroll it) and is a region named after its table's
  // caption or its section's heading (WCAG 2.1.1; axe's scrollable-region-focusable). A box that
  // fits is left out of the Tab order.
  function boxName(box) {
    var caption = box.querySelector("caption");
    var section = box.closest("section[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    var text = (caption || heading || {}).textContent || document.body.dataset.scrollLabel || "";
    return text.replace(/\s+/g, " ").trim();
  }

  function markScrollBoxes(root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", boxName(box));
        box.dataset.scrollBox = "1";
      } else if (!scrolls && box.dataset.scrollBox) {
        ["tabindex", "role", "aria-label", "data-scroll-box"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }

  function bindAll(root) {
    bindVariants(root);
    bindFilters(root);
    markScrollBoxes(root);
  }

  var resizing = null;
  document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bindAll(event.target); });
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { markScrollBoxes(document); }, 150);
  });
})();
