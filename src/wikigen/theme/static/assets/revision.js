/* wikigen: the revision form. Before a revision is sent, look for text that resembles client identifiers
   (PHI, phi.js). A warning, not a filter: the second submit goes through, because only the writer can judge
   a false alarm. A sentence the reader selects in the article is sent with the revision (its id), so the
   editors' issue links to it. */
import { findIdentifiers } from "./phi.js";

var form = document.querySelector(".revision-form");
var alertBox = document.getElementById("phi-alert");
if (form && alertBox) {
  var text = form.querySelector("textarea");
  var confirmed = "";
  form.addEventListener("submit", function (event) {
    var found = findIdentifiers(text.value);
    if (found.length && confirmed !== text.value) {
      event.preventDefault();
      confirmed = text.value;
      alertBox.textContent = "Your text seems to contain " + found.join(", ") +
        ". Remove anything that could identify a client, then send again. If it identifies no one, press Send again.";
      alertBox.hidden = false;
      text.focus();
    }
  });
}

var body = document.getElementById("article-body");
var sentenceField = form && form.querySelector('input[name="sentence"]');
var sectionField = form && form.querySelector('select[name="section"]');
var sentenceNote = document.getElementById("rev-sentence");

/* The section a sentence is in: the last heading with an id before it that the section list offers. */
function sectionOf(sentence) {
  var found = "";
  Array.prototype.forEach.call(body.querySelectorAll("h2[id], h3[id], h4[id]"), function (heading) {
    if (heading.compareDocumentPosition(sentence) & Node.DOCUMENT_POSITION_FOLLOWING) { found = heading.id; }
  });
  return found;
}

function choose(sentence) {
  sentenceField.value = sentence.id;
  var section = sectionOf(sentence);
  if (sectionField && section && sectionField.querySelector('option[value="' + CSS.escape(section) + '"]')) {
    sectionField.value = section;
  }
  var quote = sentence.textContent.replace(/\s+/g, " ").trim();
  sentenceNote.textContent = "Your revision will link to the sentence you selected: “" +
    (quote.length > 140 ? quote.slice(0, 139) + "…" : quote) + "”";
  sentenceNote.hidden = false;
}

if (body && sentenceField && sentenceNote) {
  document.addEventListener("selectionchange", function () {
    var selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.anchorNode) { return; }
    var node = selection.anchorNode.nodeType === 1 ? selection.anchorNode : selection.anchorNode.parentElement;
    var sentence = node && node.closest(".s[id]");
    if (sentence && body.contains(sentence) && sentence.id !== sentenceField.value) { choose(sentence); }
  });
  var target = /^#s-[0-9a-f]+(?:-[0-9]+)?$/.test(location.hash) && document.getElementById(location.hash.slice(1));
  if (target && body.contains(target)) { choose(target); }
}
