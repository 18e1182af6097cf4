// The admin export page's "Chọn tất cả" toggle (templates/admin/import_export/export.html): the
// library bound it with an inline onchange handler, which the Content-Security-Policy blocks.
(function () {
  "use strict";

  function bindToggle(toggle) {
    toggle.addEventListener("change", function () {
      document
        .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
        .forEach(function (checkbox) { checkbox.checked = toggle.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.select-toggle").forEach(bindToggle);
  });
})();
