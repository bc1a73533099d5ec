/* wikigen: provenance display toggle, citation previews, sentence links (the revision form: revision.js). No
   dependencies; the page works without it. */
(function () {
  "use strict";
  var main = document.getElementById("main");

  /* The infobox and the contents are <details>, closed on narrow screens; where the stylesheet shows them
     anyway (64rem and wider), they are opened, so assistive technology reads them as open too. */
  var wide = window.matchMedia ? window.matchMedia("(min-width: 64rem)") : null;
  function unfold() {
    if (wide && wide.matches) {
      document.querySelectorAll("details.fold").forEach(function (fold) { fold.open = true; });
    }
  }
  unfold();
  if (wide && wide.addEventListener) { wide.addEventListener("change", unfold); }

  /* Highlight or dim LLM sentences without reloading; the choice is kept for the next page (localStorage),
     and without storage it simply lasts for this page. */
  var STORE = "wikigen-prov";
  function stored() {
    try { return window.localStorage.getItem(STORE) || ""; } catch (error) { return ""; }
  }
  function store(mode) {
    try {
      if (mode) { window.localStorage.setItem(STORE, mode); } else { window.localStorage.removeItem(STORE); }
    } catch (error) { /* storage refused: the choice lasts for this page */ }
  }
  var controls = document.querySelector(".prov-controls");
  if (controls && main) {
    var buttons = controls.querySelectorAll("button[data-mode]");
    var choose = function (mode) {
      buttons.forEach(function (button) {
        var on = button.getAttribute("data-mode") === mode;
        button.setAttribute("aria-pressed", on ? "true" : "false");
        main.classList.toggle("prov-" + button.getAttribute("data-mode"), on);
      });
    };
    controls.hidden = false;
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var mode = button.getAttribute("aria-pressed") === "true" ? "" : button.getAttribute("data-mode");
        choose(mode);
        store(mode);
      });
    });
    choose(stored());
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

  /* "Copy link to this sentence", offered in every preview: the preview's reference text is hidden from
     assistive technology (the badge is described by the source list), the button is not. */
  var status = null;
  function announce(text) {
    if (!status) {
      status = document.body.appendChild(span("copy-status visually-hidden"));
      status.setAttribute("aria-live", "polite");
      status.setAttribute("role", "status");
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  function addCopy(preview) {
    var sentence = preview.closest(".s");
    if (!sentence || !sentence.id || preview.querySelector(".pv-copy")) { return; }
    var text = span("pv-text");
    while (preview.firstChild) { text.appendChild(preview.firstChild); }
    text.setAttribute("aria-hidden", "true");
    preview.appendChild(text);
    preview.removeAttribute("aria-hidden");
    preview.removeAttribute("role");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pv-copy";
    button.textContent = "Copy link to this sentence";
    button.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      var url = window.location.origin + window.location.pathname + "#" + sentence.id;
      var done = function () { button.textContent = "Link copied"; announce("Link to the sentence copied: " + url); };
      var failed = function () { announce("The link could not be copied. It is " + url); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, failed);
      } else {
        failed();
      }
    });
    preview.appendChild(button);
  }

  /* Keep previews inside the viewport; Escape hides the open one (WCAG 1.4.13). */
  function place(ref) {
    var preview = ref.querySelector(".pv") || build(ref);
    if (!preview) { return; }
    addCopy(preview);
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

  /* A tap on a badge opens its preview, as focus does; a second tap on it follows the link. Escape, or a
     tap outside, closes it. */
  var opened = null;
  var touch = false;
  function close() {
    if (opened) { opened.classList.remove("pv-open"); opened = null; }
    document.body.classList.add("pv-off");
  }
  document.addEventListener("pointerdown", function (event) { touch = event.pointerType === "touch"; }, true);
  document.addEventListener("click", function (event) {
    var ref = event.target.closest && event.target.closest(".ref");
    if (ref && event.target.closest(".pv")) { return; }  /* a link or the button in the preview */
    if (!touch) { if (!ref) { close(); } return; }
    if (ref && ref !== opened) {
      event.preventDefault();
      close();
      document.body.classList.remove("pv-off");
      opened = ref;
      ref.classList.add("pv-open");
      place(ref);
    } else {
      close();  /* the second tap follows the link; a tap elsewhere just closes */
    }
  });
  document.addEventListener("mouseover", function (event) {
    var ref = event.target.closest && event.target.closest(".ref");
    if (ref) { document.body.classList.remove("pv-off"); place(ref); }
  });
  document.addEventListener("focusin", function (event) {
    var ref = event.target.closest && event.target.closest(".ref");
    if (ref) {
      if (opened && opened !== ref) { opened.classList.remove("pv-open"); opened = null; }
      document.body.classList.remove("pv-off");
      place(ref);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
})();
