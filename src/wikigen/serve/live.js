// wikigen dev server: reload on rebuild, show check errors. Served only by `wikigen serve`.
(() => {
  "use strict";
  const me = document.currentScript;
  let loaded = Number((me && me.dataset.view) || "0");
  const ID = "wikigen-dev-overlay";
  let dismissed = -1;
  let busy = false;
  let again = false;
  let reloading = false;

  function remove() {
    const old = document.getElementById(ID);
    if (old) old.remove();
  }

  function overlay(status) {
    remove();
    const box = document.createElement("section");
    box.id = ID;
    box.setAttribute("role", "alert");
    box.setAttribute("aria-label", "wikigen build problems");
    Object.assign(box.style, {
      position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647", maxHeight: "50vh",
      overflow: "auto", margin: "0", padding: "1rem 1.25rem", background: "#1f1f1f", color: "#f5f5f5",
      font: "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      borderTop: "4px solid #d93025", boxShadow: "0 -4px 16px rgba(0,0,0,.35)", textAlign: "left",
    });
    const title = document.createElement("strong");
    title.style.display = "block";
    title.style.marginBottom = ".5rem";
    if (status.failure) {
      title.textContent = "wikigen: the build failed; the page shows the previous output";
    } else {
      const n = status.errors;
      title.textContent = "wikigen: build refused, " + n + " error" + (n === 1 ? "" : "s") +
        "; the page shows the previous output";
    }
    box.appendChild(title);
    const list = document.createElement("ul");
    Object.assign(list.style, { margin: "0", padding: "0", listStyle: "none" });
    if (status.failure) {
      const item = document.createElement("li");
      item.style.whiteSpace = "pre-wrap";
      item.textContent = status.failure;
      list.appendChild(item);
    }
    for (const d of status.diagnostics || []) {
      const item = document.createElement("li");
      item.style.whiteSpace = "pre-wrap";
      item.style.color = d.severity === "error" ? "#ffb4ab" : "#ffe08a";
      item.textContent = d.text;
      list.appendChild(item);
    }
    box.appendChild(list);
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    Object.assign(close.style, { marginTop: ".75rem", font: "inherit", cursor: "pointer" });
    close.addEventListener("click", () => { dismissed = status.build; remove(); });
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  async function refresh() {
    if (reloading) return;
    if (busy) {  // an event while the status is on its way: look again once it is here
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch("/__wikigen/status", { cache: "no-store" });
      if (!response.ok) return;
      const status = await response.json();
      if (status.view === loaded + 1 && status.unchanged.includes(window.location.pathname)) {
        loaded = status.view;  // the build published this page as its preview showed it
      } else if (status.view !== loaded && status.view > 0) {
        reloading = true;  // once: a second reload would abort the first
        window.location.reload();
        return;
      }
      if ((status.failure || status.errors > 0) && status.build !== dismissed) overlay(status);
      else if (!status.failure && status.errors === 0) remove();
    } catch (error) {
      // the server is restarting; the next event or poll tries again
    } finally {
      busy = false;
      if (again && !reloading) {
        again = false;
        refresh();
      }
    }
  }

  if (typeof EventSource === "function") {
    const source = new EventSource("/__wikigen/events");
    source.addEventListener("build", refresh);
  } else {
    window.setInterval(refresh, 1000);
  }
  refresh();
})();
