/* wikigen: provenance display toggle and citation previews. No dependencies; the page works without it. */
(function () {
  "use strict";
  var main = document.getElementById("main");

  /* Highlight or dim LLM sentences without reloading. */
  var controls = document.querySelector(".prov-controls");
  if (controls && main) {
    var buttons = controls.querySelectorAll("button[data-mode]");
    controls.hidden = false;
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var mode = button.getAttribute("data-mode");
        var on = button.getAttribute("aria-pressed") !== "true";
        buttons.forEach(function (other) {
          other.setAttribute("aria-pressed", "false");
          main.classList.remove("prov-" + other.getAttribute("data-mode"));
        });
        if (on) {
          button.setAttribute("aria-pressed", "true");
          main.classList.add("prov-" + mode);
        }
      });
    });
  }

  /* Keep previews inside the viewport; Escape hides the open one (WCAG 1.4.13). */
  function place(ref) {
    var preview = ref.querySelector(".pv");
    if (!preview) { return; }
    preview.classList.remove("pv-left", "pv-up");
    preview.style.removeProperty("--pv-shift");
    var box = preview.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    if (box.right > width - 8) {
      preview.style.setProperty("--pv-shift", Math.ceil(box.right - width + 8) + "px");
      preview.classList.add("pv-left");
    }
    if (box.bottom > window.innerHeight - 8 && box.height < box.top - 40) {
      preview.classList.add("pv-up");
    }
  }
  document.addEventListener("mouseover", function (event) {
    var ref = event.target.closest && event.target.closest(".ref");
    if (ref) { document.body.classList.remove("pv-off"); place(ref); }
  });
  document.addEventListener("focusin", function (event) {
    var ref = event.target.closest && event.target.closest(".ref");
    if (ref) { document.body.classList.remove("pv-off"); place(ref); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { document.body.classList.add("pv-off"); }
  });
})();
