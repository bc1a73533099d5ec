/* wikigen: sort the provenance dashboard's table by a column. Without JavaScript the table stays in its
   printed order, least sourced first. An external file, so the page keeps its strict Content-Security-Policy. */
(function () {
  "use strict";
  var table = document.getElementById("prov-table");
  if (!table || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var hint = document.querySelector(".sort-hint");
  if (hint) hint.hidden = false;

  function key(row, index, numeric) {
    var cell = row.cells[index];
    if (numeric) return Number(cell.getAttribute("data-value"));
    return cell.textContent.trim().toLowerCase();
  }

  Array.prototype.forEach.call(heads, function (head, index) {
    var kind = head.getAttribute("data-sort");
    if (!kind) return;
    var button = document.createElement("button");
    button.type = "button";
    while (head.firstChild) button.appendChild(head.firstChild);
    head.appendChild(button);
    button.addEventListener("click", function () {
      var descending = head.getAttribute("aria-sort") === "ascending";
      var numeric = kind === "num";
      var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
        return { row: row, key: key(row, index, numeric), position: position };
      });
      rows.sort(function (a, b) {
        var order = a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position;
        return descending ? -order : order;
      });
      rows.forEach(function (item) { body.appendChild(item.row); });
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
      head.setAttribute("aria-sort", descending ? "descending" : "ascending");
    });
  });
})();
