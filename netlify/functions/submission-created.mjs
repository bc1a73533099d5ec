// Netlify calls this for every verified submission of a form on the site (the file name subscribes it to the
// submission-created event; the body is {"payload": {...}}). A revision becomes an issue on the wiki's GitHub
// repository: article, section, the suggested text, the credit preference and a link to the sentence.
//
// Environment: GITHUB_TOKEN (may create issues on the repository), WIKIGEN_GITHUB_REPO ("owner/name");
// optional WIKIGEN_FORM_NAME (default "revision"), WIKIGEN_GITHUB_LABELS (comma-separated, default "revision"),
// WIKIGEN_GITHUB_API_URL (default https://api.github.com; the tests point it at a local stand-in).
// Without a token or a repository nothing is filed and the log says why; the submission stays in Netlify Forms.
// The reader's email never leaves Netlify, and a text that looks like it identifies a client is not copied
// into the issue (the issue points to the submission instead).
import { findIdentifiers } from "../../src/wikigen/theme/static/assets/phi.js";

const REPO = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const SENTENCE_ID = /^s-[0-9a-f]{8}(?:-[0-9]+)?$/;
const SECTION_ID = /^[^\s#"<>`]{1,200}$/;
const MAX_TEXT = 20000;

function done(status, outcome) {
  return new Response(JSON.stringify(outcome), { status, headers: { "content-type": "application/json" } });
}

function field(data, name, limit = 500) {
  const value = data?.[name];
  return typeof value === "string" ? value.trim().slice(0, limit) : "";
}

// Reader-sent text shown in the issue's Markdown outside the fence: no links, emphasis, HTML or @mentions.
function inline(text) {
  return text.replace(/[\\`*_[\]<>@~|!#]/g, "\\$&");
}

// A page of the site, from the form's article field (a path such as /articles/x/), or null.
function pageUrl(site, path, fragment) {
  if (!site || !path.startsWith("/") || path.startsWith("//")) return null;
  let url;
  try {
    url = new URL(path, site);
  } catch {
    return null;
  }
  if (url.origin !== new URL(site).origin) return null;
  url.search = "";
  url.hash = fragment ? encodeURIComponent(fragment) : "";
  return url.href;
}

function credit(data) {
  const name = field(data, "name", 200);
  const choice = field(data, "credit");
  if (choice === "anonymous" || !name) return "keep me anonymous";
  if (choice === "initials") {
    const initials = name.split(/[\s.]+/).filter(Boolean).map((part) => `${[...part][0].toUpperCase()}.`).join(" ");
    return `by initials: ${initials}`;
  }
  return `by name: ${name}`;
}

// A fence longer than any run of backticks in the text, so the suggestion shows verbatim: no Markdown, no
// @mentions, no HTML.
function fenced(text) {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

export function issueFor(payload, site) {
  const data = payload.data ?? {};
  const path = field(data, "article", 1000);
  const title = field(data, "article_title", 200) || path || "an article"; // the issue's title is plain text
  const section = field(data, "section", 200);
  const sentence = field(data, "sentence", 40);
  const text = typeof data.revision === "string" ? data.revision.trim().slice(0, MAX_TEXT) : "";
  const article = pageUrl(site, path, "");
  const sectionLink = SECTION_ID.test(section) ? pageUrl(site, path, section) : null;
  const sentenceLink = SENTENCE_ID.test(sentence) ? pageUrl(site, path, sentence) : null;
  const found = findIdentifiers(text);
  const where = payload.id ? `Netlify Forms, submission \`${String(payload.id).replace(/`/g, "")}\`` : "Netlify Forms";
  const lines = [
    `**Article:** ${article ? `[${inline(title)}](${article})` : `${inline(title)} (no valid page address was sent)`}`,
    `**Section:** ${sectionLink ? `[${inline(section)}](${sectionLink})` : "not given"}`,
    `**Sentence:** ${sentenceLink ?? "not given (the reader selected no sentence)"}`,
    `**Credit:** ${credit(data)}`,
    `**Received:** ${field(payload, "created_at", 40) || "unknown"} (${where})`,
    "",
    "### Suggested text",
    "",
  ];
  if (!text) {
    lines.push("_The submission has no text._");
  } else if (found.length) {
    lines.push(
      `_Not copied here: the text seems to contain ${found.join(", ")}. Read it in ${where}, remove anything ` +
        "that could identify a client, and paste what remains into this issue._",
    );
  } else {
    lines.push(fenced(text));
  }
  lines.push(
    "",
    "---",
    "Next: an editor drafts the change in a pull request (every sentence keeps its `[@key]` or `[@llm]`), " +
      "a clinician reviews it, and `wikigen review` records that review.",
  );
  return { title: `Revision: ${title}${section ? ` (${section})` : ""}`.slice(0, 200), body: lines.join("\n") };
}

export default async function submissionCreated(req) {
  let payload;
  try {
    ({ payload } = await req.json());
  } catch {
    payload = null;
  }
  if (!payload || typeof payload !== "object") {
    console.error("submission-created: the request has no JSON payload; nothing filed");
    return done(400, { filed: false, reason: "no payload" });
  }
  const formName = process.env.WIKIGEN_FORM_NAME || "revision";
  const form = payload.form_name ?? payload.data?.["form-name"];
  if (form !== formName) {
    console.log(`submission-created: form ${JSON.stringify(form)} is not the revision form (${formName}); nothing filed`);
    return done(200, { filed: false, reason: "another form" });
  }
  const token = process.env.GITHUB_TOKEN;
  const repo = process.env.WIKIGEN_GITHUB_REPO ?? "";
  if (!token || !REPO.test(repo)) {
    console.warn(
      `submission-created: ${!token ? "GITHUB_TOKEN is not set" : `WIKIGEN_GITHUB_REPO ${JSON.stringify(repo)} is not "owner/name"`}; ` +
        "the revision was not filed as an issue (it stays in Netlify Forms)",
    );
    return done(200, { filed: false, reason: "not configured" });
  }
  const site = payload.site_url || process.env.URL || "";
  const { title, body } = issueFor(payload, site);
  const labels = (process.env.WIKIGEN_GITHUB_LABELS ?? "revision").split(",").map((s) => s.trim()).filter(Boolean);
  const api = (process.env.WIKIGEN_GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  let response;
  try {
    response = await fetch(`${api}/repos/${repo}/issues`, {
      method: "POST",
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "user-agent": "wikigen-revisions",
        "x-github-api-version": "2022-11-28",
      },
      body: JSON.stringify({ title, body, labels }),
    });
  } catch (error) {
    console.error(`submission-created: GitHub could not be reached (${error?.message ?? error}); nothing filed`);
    return done(502, { filed: false, reason: "GitHub unreachable" });
  }
  const answer = await response.json().catch(() => ({}));
  if (response.status !== 201) {
    console.error(`submission-created: GitHub answered ${response.status} (${answer.message ?? "no message"}); nothing filed`);
    return done(502, { filed: false, reason: `GitHub ${response.status}` });
  }
  console.log(`submission-created: filed ${answer.html_url ?? `issue #${answer.number}`}`);
  return done(200, { filed: true, issue: answer.html_url ?? null });
}
