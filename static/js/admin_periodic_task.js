// The admin periodic task form (templates/admin/djcelery/change_periodictask_form.html): under
// the crontab's help, the chosen schedule in words. django-celery-beat did this with an inline
// script, which the Content-Security-Policy blocks. Text only: nothing is inserted as HTML.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("readable-crontabs");
    var select = document.getElementById("id_crontab");
    var help = document.querySelector(".field-crontab .help");
    var translation = document.querySelector(".field-crontab_translation");
    if (translation) translation.style.display = "none";
    if (!data || !select || !help) return;
    var readable = JSON.parse(data.textContent);
    var line = document.createElement("div");
    help.appendChild(line);
    function show() { line.textContent = readable[select.value] || ""; }
    select.addEventListener("change", show);
    show();
  });
})();
