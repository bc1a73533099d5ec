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

  /* Before a revision is sent, look for text that resembles client identifiers (PHI). A warning, not a
     filter: the second submit goes through, because only the writer can judge a false alarm. */
  var IDENTIFIERS = [
    ["an email address", /[^\s@]+@[^\s@]+\.[a-z]{2,}/i],
    ["a phone number", /(?:\+?\d[\s().-]*){9,}/],
    ["a date of birth", /\b(?:dob|d\.o\.b\.|date of birth|born(?: on)?)\b|\b\d{1,2}[\/.-]\d{1,2}[\/.-](?:19|20)\d{2}\b/i],
    ["a record number", /\b(?:mrn|medical record|record (?:no|number)|patient id|nhs (?:no|number)|ssn)\b|\b\d{3}-\d{2}-\d{4}\b/i]
  ];
  var form = document.querySelector(".revision-form");
  var alertBox = document.getElementById("phi-alert");
  if (form && alertBox) {
    var confirmed = "";
    form.addEventListener("submit", function (event) {
      var text = form.querySelector("textarea").value;
      var found = IDENTIFIERS.filter(function (item) { return item[1].test(text); })
        .map(function (item) { return item[0]; });
      if (found.length && confirmed !== text) {
        event.preventDefault();
        confirmed = text;
        alertBox.textContent = "Your text seems to contain " + found.join(", ") +
          ". Remove anything that could identify a client, then send again. If it identifies no one, press Send again.";
        alertBox.hidden = false;
        form.querySelector("textarea").focus();
      }
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
