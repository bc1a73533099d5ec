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

  /* A source badge's preview is its entry in the source list, copied on first hover or focus (the page
     carries each reference once). The badge is already described by that entry, so the copy is hidden
     from assistive technology and its links are left out of the tab order. */
  function span(className, text) {
    var node = document.createElement("span");
    node.className = className;
    if (text) { node.textContent = text; }
    return node;
  }
  function build(ref) {
    var link = ref.querySelector('a[href^="#src-"]');
    var entry = link && document.getElementById(link.getAttribute("href").slice(1) + "-ref");
    if (!entry) { return null; }
    var preview = span("pv");
    preview.setAttribute("role", "tooltip");
    preview.setAttribute("aria-hidden", "true");
    var text = preview.appendChild(span("pv-ref"));
    Array.prototype.forEach.call(entry.childNodes, function (node) { text.appendChild(node.cloneNode(true)); });
    Array.prototype.forEach.call(text.querySelectorAll("a"), function (a) { a.tabIndex = -1; });
    if (link.dataset.loc) { preview.appendChild(span("pv-loc", link.dataset.loc)); }
    /* The source's own words: the editor's quote, or the sentence of its stored abstract or excerpt that the
       check found closest to this sentence, labelled as chosen by the software, not by a person. */
    if (link.dataset.quote) {
      preview.appendChild(span("pv-quote", "From the source: \u201c" + link.dataset.quote + "\u201d"));
    } else if (link.dataset.match) {
      preview.appendChild(span("pv-quote pv-auto", "Closest sentence of the source's stored text (chosen automatically, not checked by an editor): \u201c" +
        link.dataset.match + "\u201d"));
    }
    var meta = document.getElementById(link.getAttribute("href").slice(1) + "-meta");
    if (meta) {
      var line = preview.appendChild(span("pv-meta"));
      var tier = meta.querySelector(".tier");
      var kind = meta.querySelector(".kind");
      if (tier) { line.appendChild(tier.cloneNode(true)); line.appendChild(document.createTextNode(" ")); }
      if (kind) { line.appendChild(document.createTextNode(kind.textContent)); }
    }
    return ref.appendChild(preview);
  }

  /* Keep previews inside the viewport; Escape hides the open one (WCAG 1.4.13). */
  function place(ref) {
    var preview = ref.querySelector(".pv") || build(ref);
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
