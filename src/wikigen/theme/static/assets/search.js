/* wikigen search: a small, dependency-free UI on Pagefind's JavaScript API.
 *
 * Enhances the /search/ page: the labelled input of `form.search-page-form` (which without JavaScript
 * still submits ?q= to this page) drives `pagefind.search()`; filter selects built from
 * `pagefind.filters()` (type, discipline, evidence, population, problem, main source tier, share of T1/T2-
 * sourced sentences) and a sort select narrow and order the results. The query, filters and sort live in the
 * URL (?q=...&type=...&sort=...), so a search box anywhere on the site (a GET form to /search/?q=...) and a
 * shared link both work; each filter or sort change is a history entry, so Back undoes it.
 *
 * Each option's count is the number of results it would give: for the query and the other filters chosen
 * (Pagefind's `filters` of a search, which counts each value with the current filters applied; for a filter
 * that has a value chosen, a second search without it). The controls fold away on narrow screens.
 *
 * The index comes in shards (pagefind/bundles.json names them): the first shard's pagefind.js is imported
 * and the others merged into it, so results and filter counts span the whole site. Merged results are
 * ordered by score only, so a sort reorders them by pagefind/order.json (page ids in title and in date
 * order), fetched the first time a sort is chosen.
 *
 * Works under the site's Content-Security-Policy: an external file, no inline script or style, no eval
 * (Pagefind itself needs 'wasm-unsafe-eval' for its WebAssembly), no innerHTML: excerpts are rebuilt
 * from text nodes and <mark> elements only.
 */
(function () {
  "use strict";

  var container = document.getElementById("search");
  var form = document.querySelector("form.search-page-form");
  var input = form && form.querySelector("input[name=q]");
  if (!container || !form || !input) { return; }

  var FILTERS = [
    ["type", "Type"],
    ["discipline", "Discipline"],
    ["evidence", "Evidence"],
    ["population", "Population"],
    ["problem", "Problem"],
    ["tier", "Main source tier"],
    ["t1t2", "T1/T2-sourced sentences"]
  ];
  var SORTS = [
    ["", "Relevance"],
    ["title:asc", "Title (A–Z)"],
    ["date:desc", "Last generated (newest first)"],
    ["date:asc", "Last generated (oldest first)"]
  ];
  var PAGE_SIZE = 20;
  var DEBOUNCE_MS = 200;

  var pagefind = null;
  var ranks = null;   // promise of {sort name: {page id: position}}
  var selects = {};   // filter name -> <select>
  var sortSelect = null;
  var statusLine = null;
  var resultsList = null;
  var moreButton = null;
  var current = null; // {results, shown}
  var generation = 0; // the newest search; older ones drop their results
  var timer = 0;
  var fold = null;    // the <details> around the controls
  var NARROW = "(max-width: 40rem)";

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function labelOf(name) {
    for (var i = 0; i < FILTERS.length; i++) {
      if (FILTERS[i][0] === name) { return FILTERS[i][1]; }
    }
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  function setStatus(text) { statusLine.textContent = text; }

  /* ---------------------------------------------------------------- controls */

  function buildControls(available) {
    var params = new URLSearchParams(window.location.search);
    var panel = el("div", { "class": "search-controls" });

    var fieldset = el("fieldset", { "class": "search-filters" });
    fieldset.appendChild(el("legend", null, "Filter"));
    var names = FILTERS.map(function (f) { return f[0]; }).filter(function (n) { return available[n]; });
    Object.keys(available).sort().forEach(function (n) { if (names.indexOf(n) < 0) { names.push(n); } });
    names.forEach(function (name) {
      var values = Object.keys(available[name]).sort(function (a, b) {
        return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
      });
      if (!values.length) { return; }
      var id = "search-filter-" + name;
      var field = el("div", { "class": "search-field" });
      field.appendChild(el("label", { "for": id }, labelOf(name)));
      var select = el("select", { id: id, name: name });
      select.appendChild(el("option", { value: "" }, "Any"));
      values.forEach(function (value) {
        var option = el("option", { value: value }, value + " (" + available[name][value] + ")");
        if (params.get(name) === value) { option.selected = true; }
        select.appendChild(option);
      });
      select.addEventListener("change", function () { run(true, true); });
      selects[name] = select;
      field.appendChild(select);
      fieldset.appendChild(field);
    });
    panel.appendChild(fieldset);

    var sortField = el("div", { "class": "search-field search-sort" });
    sortField.appendChild(el("label", { "for": "search-sort" }, "Sort by"));
    sortSelect = el("select", { id: "search-sort", name: "sort" });
    SORTS.forEach(function (sort) {
      var option = el("option", { value: sort[0] }, sort[1]);
      if ((params.get("sort") || "") === sort[0]) { option.selected = true; }
      sortSelect.appendChild(option);
    });
    sortSelect.addEventListener("change", function () { run(true, true); });
    sortField.appendChild(sortSelect);
    panel.appendChild(sortField);

    var reset = el("button", { type: "button", "class": "search-reset" }, "Clear filters");
    reset.addEventListener("click", function () {
      Object.keys(selects).forEach(function (name) { selects[name].value = ""; });
      sortSelect.value = "";
      run(true, true);
    });
    panel.appendChild(reset);

    fold = el("details", { "class": "search-fold" });
    fold.appendChild(el("summary", null, "Filters and sorting"));
    fold.appendChild(panel);
    fold.open = !(window.matchMedia && window.matchMedia(NARROW).matches);

    statusLine = el("p", { "class": "search-status", role: "status", "aria-live": "polite" });
    resultsList = el("ol", { "class": "search-results", "aria-label": "Search results" });
    moreButton = el("button", { type: "button", "class": "search-more", hidden: "" }, "Show more results");
    moreButton.addEventListener("click", function () { showMore(generation, false); });

    container.textContent = "";
    container.appendChild(fold);
    container.appendChild(statusLine);
    container.appendChild(resultsList);
    container.appendChild(moreButton);
  }

  function chosenFilters() {
    var filters = {};
    Object.keys(selects).forEach(function (name) {
      if (selects[name].value) { filters[name] = selects[name].value; }
    });
    return filters;
  }

  function chosenSort() {
    var value = sortSelect.value;
    if (!value) { return null; }
    var parts = value.split(":");
    var sort = {};
    sort[parts[0]] = parts[1];
    return sort;
  }

  function json(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
  }

  function ordered(results, sort) {
    /* Pages without the sort's value (no generation date) come last in either direction. */
    if (!ranks) {
      ranks = json("/pagefind/order.json").then(function (order) {
        var maps = {};
        Object.keys(order).forEach(function (name) {
          maps[name] = {};
          order[name].forEach(function (id, position) { maps[name][id] = position; });
        });
        return maps;
      });
      ranks.catch(function () { ranks = null; });  /* a failed fetch is tried again by the next sort */
    }
    return ranks.then(function (maps) {
      var name = Object.keys(sort)[0];
      var rank = maps[name] || {};
      var sign = sort[name] === "desc" ? -1 : 1;
      return results.slice().sort(function (a, b) {
        var x = rank[a.id], y = rank[b.id];
        if (x === undefined || y === undefined) { return (x === undefined) - (y === undefined); }
        return sign * (x - y);
      });
    });
  }

  function remember(term, filters, push) {
    var params = new URLSearchParams();
    if (term) { params.set("q", term); }
    Object.keys(filters).forEach(function (name) { params.set(name, filters[name]); });
    if (sortSelect.value) { params.set("sort", sortSelect.value); }
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "");
    if (url === window.location.pathname + window.location.search) { return; }
    if (push) { window.history.pushState(null, "", url); } else { window.history.replaceState(null, "", url); }
  }

  /* Back and Forward: the URL's state back into the controls, searched without a new history entry. */
  function restore() {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    Object.keys(selects).forEach(function (name) { selects[name].value = params.get(name) || ""; });
    sortSelect.value = params.get("sort") || "";
    run(true, false);
  }

  function showCounts(counts) {
    /* counts: {filter: {value: number}}; a value missing from them has no result. */
    var active = 0;
    Object.keys(selects).forEach(function (name) {
      var select = selects[name];
      if (select.value) { active += 1; }
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var count = (counts[name] || {})[option.value] || 0;
        option.textContent = option.value + " (" + count + ")";
        option.disabled = count === 0 && option.value !== select.value;
      });
    });
    fold.querySelector("summary").textContent = active ? "Filters and sorting (" + active + " active)" :
      "Filters and sorting";
  }

  function countsFor(term, filters, response) {
    /* Pagefind's counts apply every chosen filter; a filter with a value chosen is counted without it. */
    var counts = {};
    Object.keys(response.filters || {}).forEach(function (name) { counts[name] = response.filters[name]; });
    return Promise.all(Object.keys(filters).map(function (name) {
      var others = {};
      Object.keys(filters).forEach(function (other) { if (other !== name) { others[other] = filters[other]; } });
      var ask = term || Object.keys(others).length ? pagefind.search(term || null, { filters: others }) :
        pagefind.filters().then(function (all) { return { filters: all }; });
      return ask.then(function (wider) { counts[name] = (wider.filters || {})[name] || {}; });
    })).then(function () { return counts; });
  }

  /* ---------------------------------------------------------------- results */

  function excerptNodes(html) {
    /* Pagefind's excerpt is escaped text with <mark> around matches; keep only text and <mark>. */
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var fragment = document.createDocumentFragment();
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        fragment.appendChild(el("mark", null, node.textContent));
      } else {
        fragment.appendChild(document.createTextNode(node.textContent));
      }
    });
    return fragment;
  }

  function resultItem(data, term) {
    var meta = data.meta || {};
    var item = el("li", { "class": "search-result" });
    var heading = el("h2", { "class": "search-result-title" });
    heading.appendChild(el("a", { href: data.url }, meta.title || data.url));
    item.appendChild(heading);
    if (meta.summary) { item.appendChild(el("p", { "class": "search-summary" }, meta.summary)); }
    if (term && data.excerpt) {
      var excerpt = el("p", { "class": "search-excerpt" });
      excerpt.appendChild(excerptNodes(data.excerpt));
      item.appendChild(excerpt);
    } else if (!meta.summary && data.excerpt) {
      item.appendChild(el("p", { "class": "search-summary" }, excerptNodes(data.excerpt).textContent));
    }
    var facts = [];
    if (meta.sourced) { facts.push(meta.sourced + " of sentences sourced"); }
    if (data.filters && data.filters.type) { facts.push(data.filters.type.join(", ")); }
    if (meta.generated) { facts.push("last generated " + meta.generated); }
    if (facts.length) { item.appendChild(el("p", { "class": "search-share" }, facts.join(" · "))); }
    return item;
  }

  function showMore(mine, replace) {
    if (!current || mine !== generation) { return Promise.resolve(); }
    var batch = current.results.slice(current.shown, current.shown + PAGE_SIZE);
    current.shown += batch.length;
    var term = current.term;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (items) {
      if (mine !== generation) { return; }
      var fragment = document.createDocumentFragment();
      items.forEach(function (data) { fragment.appendChild(resultItem(data, term)); });
      if (replace) { resultsList.textContent = ""; }
      resultsList.appendChild(fragment);
      moreButton.hidden = current.shown >= current.results.length;
    });
  }

  function run(immediately, push) {
    window.clearTimeout(timer);
    if (immediately) { search(push); } else { timer = window.setTimeout(search, DEBOUNCE_MS); }
  }

  function search(push) {
    var mine = ++generation;
    var term = input.value.trim();
    var filters = chosenFilters();
    remember(term, filters, push);
    current = null;
    if (!term && !Object.keys(filters).length) {
      resultsList.textContent = "";
      moreButton.hidden = true;
      setStatus("Type a search term or choose a filter.");
      return pagefind.filters().then(function (all) { if (mine === generation) { showCounts(all || {}); } });
    }
    var sort = chosenSort();
    container.setAttribute("aria-busy", "true");
    setStatus("Searching…");
    return pagefind.search(term || null, { filters: filters }).then(function (response) {
      if (mine !== generation || !response) { return; }
      return countsFor(term, filters, response).then(function (counts) {
        if (mine === generation) { showCounts(counts); }
        return sort ? ordered(response.results, sort) : response.results;
      });
    }).then(function (results) {
      if (mine !== generation || !results) { return; }
      current = { results: results, shown: 0, term: term };
      return showMore(mine, true).then(function () {
        if (mine !== generation) { return; }
        /* Announced once the list is in place (role=status). */
        var count = results.length;
        var what = term ? " for “" + term + "”" : "";
        setStatus(count === 1 ? "1 article" + what : count + " articles" + what);
      });
    }).catch(function (error) {
      if (mine === generation) { setStatus("Search failed: " + error.message); }
    }).then(function () {
      if (mine === generation) { container.removeAttribute("aria-busy"); }
    });
  }

  /* ---------------------------------------------------------------- start */

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(true, false);
    input.focus();
  });
  input.addEventListener("input", function () { run(false); });
  window.addEventListener("popstate", function () { if (pagefind && sortSelect) { restore(); } });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; }

  container.setAttribute("aria-busy", "true");
  json("/pagefind/bundles.json").then(function (manifest) {
    var shards = manifest.bundles.map(function (name) { return "/pagefind/" + name + "/"; });
    return import(shards[0] + "pagefind.js").then(function (module) {
      pagefind = module;
      return pagefind.options({ excerptLength: 24 });
    }).then(function () {
      return Promise.all(shards.slice(1).map(function (shard) { return pagefind.mergeIndex(shard); }));
    });
  }).then(function () { return pagefind.filters(); }).then(function (available) {
    buildControls(available || {});
    container.removeAttribute("aria-busy");
    container.classList.add("search-ready");
    return search();
  }).catch(function () {
    container.removeAttribute("aria-busy");
    container.textContent = "";
    container.appendChild(el("p", { "class": "search-status", role: "status" },
      "Search could not be loaded. Browse the wiki by type, discipline, population or problem instead."));
  });
})();
