/* wikigen: "N clinicians found this useful", from the votes Netlify Function (netlify/functions/votes.mjs).
   The count is fetched after load, so a page's HTML never changes with a vote; the box stays hidden without
   JavaScript and when the function does not answer (a site served without it, an outage, a rate limit). */
var box = document.querySelector(".votes[data-slug]");
if (box) {
  var endpoint = "/.netlify/functions/votes";
  var slug = box.getAttribute("data-slug");
  var count = box.querySelector(".votes-count");
  var button = box.querySelector(".votes-button");
  var note = box.querySelector(".votes-note");

  var show = function (data) {
    count.textContent = data.count === 1 ? "1 clinician found this useful" : data.count + " clinicians found this useful";
    if (data.voted) {
      button.setAttribute("aria-pressed", "true");
      button.textContent = "You found this useful";
    }
  };
  var answer = function (response) {  /* Netlify's own refusals (a rate limit) need not be JSON */
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { status: response.status, data: data || {} };
    });
  };

  fetch(endpoint + "?slug=" + encodeURIComponent(slug), { headers: { Accept: "application/json" } })
    .then(answer)
    .then(function (reply) {
      if (reply.status !== 200 || typeof reply.data.count !== "number") { throw new Error("no count"); }
      show(reply.data);
      box.hidden = false;
    })
    .catch(function () { box.hidden = true; });

  button.addEventListener("click", function () {
    if (button.getAttribute("aria-pressed") === "true") {
      note.textContent = "Your vote is already counted. Thank you.";
      return;
    }
    button.disabled = true;
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ slug: slug })
    })
      .then(answer)
      .then(function (reply) {
        if (reply.status === 201 || reply.status === 409) {
          show(reply.data);
          note.textContent = reply.status === 201 ? "Thank you: your vote is counted." : "Your vote is already counted. Thank you.";
        } else {
          note.textContent = reply.status === 429 ? "Too many votes from your network just now; please try again later."
            : "Your vote could not be counted (" + (reply.data.error || reply.status) + ").";
        }
      })
      .catch(function () { note.textContent = "Your vote could not be sent; please try again later."; })
      .then(function () { button.disabled = false; });
  });
}
