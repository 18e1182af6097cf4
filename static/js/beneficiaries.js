// The beneficiary picker of the project form (projects/widgets/applicant_search.html): a search
// result clicked becomes a hidden input with its chip; a chip's close button removes it. No inline
// script: the Content-Security-Policy allows scripts from the portal's own files only.
(function () {
  "use strict";
  if (window.kcBeneficiaryPicker) return;
  window.kcBeneficiaryPicker = true;

  function chip(name, pk, label) {
    var item = document.createElement("li");
    item.className = "badge text-bg-light border d-flex align-items-center gap-1";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = pk;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-sm";
    close.setAttribute("data-remove", "");
    close.setAttribute("aria-label", "Bỏ");
    item.appendChild(input);
    item.appendChild(document.createTextNode(label + " "));
    item.appendChild(close);
    return item;
  }

  document.addEventListener("click", function (event) {
    var picker = event.target.closest("[data-beneficiary-picker]");
    if (!picker) return;
    var add = event.target.closest("[data-add]");
    if (add) {
      var name = picker.getAttribute("data-name");
      var chosen = picker.querySelector("[data-chosen]");
      var pk = add.getAttribute("data-pk");
      if (!chosen.querySelector('input[value="' + CSS.escape(pk) + '"]')) {
        chosen.appendChild(chip(name, pk, add.getAttribute("data-label")));
      }
      add.remove();
      return;
    }
    var remove = event.target.closest("[data-remove]");
    if (remove) remove.closest("li").remove();
  });
})();
