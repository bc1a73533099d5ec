// The submission-created function (netlify/functions/submission-created.mjs) against a local stand-in for
// GitHub's REST API on 127.0.0.1: POST /repos/{owner}/{repo}/issues answers 201 with an issue, as GitHub does,
// and every request is recorded. The payload has the shape Netlify sends (netlify-cli builds the same one in
// src/lib/functions/form-submissions-handler.ts): {"payload": {form_name, data: {...fields}, site_url, ...}}.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, beforeEach, test } from "node:test";

import submissionCreated from "../../netlify/functions/submission-created.mjs";

let github;
let received;
let answer;

before(async () => {
  github = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    received.push({ method: req.method, url: req.url, headers: req.headers, body: body ? JSON.parse(body) : null });
    const [status, json] = answer(req);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(json));
  });
  await new Promise((resolve) => github.listen(0, "127.0.0.1", resolve));
});
after(() => new Promise((resolve) => github.close(resolve)));
beforeEach(() => {
  received = [];
  answer = (req) => {
    const match = req.url.match(/^\/repos\/([^/]+)\/([^/]+)\/issues$/);
    if (req.method !== "POST" || !match) return [404, { message: "Not Found" }];
    if (req.headers.authorization !== "Bearer test-token") return [401, { message: "Bad credentials" }];
    return [201, { id: 1, number: 42, html_url: `https://github.com/${match[1]}/${match[2]}/issues/42`, state: "open" }];
  };
  process.env.GITHUB_TOKEN = "test-token";
  process.env.WIKIGEN_GITHUB_REPO = "example-org/clinical-wiki";
  process.env.WIKIGEN_GITHUB_API_URL = `http://127.0.0.1:${github.address().port}`;
  delete process.env.WIKIGEN_FORM_NAME;
  delete process.env.WIKIGEN_GITHUB_LABELS;
});

function submission(data = {}, extra = {}) {
  const payload = {
    id: "66f1c0ffee",
    form_name: "revision",
    created_at: "2026-12-04T20:00:00.000Z",
    site_url: "https://wikigen-sample.netlify.app",
    data: {
      "form-name": "revision",
      article: "/articles/achievement-goal-theory/",
      article_title: "Achievement Goal Theory",
      section: "core-principles",
      sentence: "s-4705f4fe",
      name: "Alex Reader",
      email: "alex.reader@example.org",
      credit: "name",
      revision: "Add that the 2x2 model crosses definition with valence [@elliot2001].",
      ip: "203.0.113.7",
      user_agent: "Test/1.0",
      ...data,
    },
    ...extra,
  };
  return new Request("https://wikigen-sample.netlify.app/.netlify/functions/submission-created", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ payload }),
  });
}

test("a revision becomes one GitHub issue with GitHub's headers and JSON", async (t) => {
  t.mock.method(console, "log", () => {});
  const response = await submissionCreated(submission());
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    filed: true,
    issue: "https://github.com/example-org/clinical-wiki/issues/42",
  });
  assert.equal(received.length, 1);
  const [request] = received;
  assert.equal(request.method, "POST");
  assert.equal(request.url, "/repos/example-org/clinical-wiki/issues");
  assert.equal(request.headers.authorization, "Bearer test-token");
  assert.equal(request.headers.accept, "application/vnd.github+json");
  assert.equal(request.headers["x-github-api-version"], "2022-11-28");
  assert.match(request.headers["content-type"], /^application\/json/);
  assert.ok(request.headers["user-agent"]);
  assert.deepEqual(Object.keys(request.body).sort(), ["body", "labels", "title"]);
  assert.equal(request.body.title, "Revision: Achievement Goal Theory (core-principles)");
  assert.deepEqual(request.body.labels, ["revision"]);
  const body = request.body.body;
  const article = "https://wikigen-sample.netlify.app/articles/achievement-goal-theory/";
  assert.ok(body.includes(`**Article:** [Achievement Goal Theory](${article})`), body);
  assert.ok(body.includes(`**Section:** [core-principles](${article}#core-principles)`), body);
  assert.ok(body.includes(`**Sentence:** ${article}#s-4705f4fe`), body);
  assert.ok(body.includes("**Credit:** by name: Alex Reader"), body);
  assert.ok(body.includes("```text\nAdd that the 2x2 model crosses definition with valence [@elliot2001].\n```"), body);
  assert.ok(body.includes("wikigen review"), body);
  assert.ok(!body.includes("alex.reader@example.org"), "the reader's email must not reach GitHub");
  assert.ok(!body.includes("203.0.113.7"), "the reader's IP must not reach GitHub");
});

test("the credit preference is honoured: initials, anonymous", async (t) => {
  t.mock.method(console, "log", () => {});
  await submissionCreated(submission({ credit: "initials", name: "alex van reader" }));
  await submissionCreated(submission({ credit: "anonymous" }));
  assert.ok(received[0].body.body.includes("**Credit:** by initials: A. V. R."));
  assert.ok(received[1].body.body.includes("**Credit:** keep me anonymous"));
  assert.ok(!received[1].body.body.includes("Alex Reader"));
});

test("without a token nothing is filed, and the log says why", async (t) => {
  const warned = t.mock.method(console, "warn", () => {});
  delete process.env.GITHUB_TOKEN;
  const response = await submissionCreated(submission());
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { filed: false, reason: "not configured" });
  assert.equal(received.length, 0);
  assert.match(warned.mock.calls[0].arguments[0], /GITHUB_TOKEN is not set/);
});

test("a repository that is not owner/name files nothing, and the log says why", async (t) => {
  const warned = t.mock.method(console, "warn", () => {});
  process.env.WIKIGEN_GITHUB_REPO = "https://github.com/example-org/clinical-wiki";
  assert.deepEqual(await (await submissionCreated(submission())).json(), { filed: false, reason: "not configured" });
  assert.equal(received.length, 0);
  assert.match(warned.mock.calls[0].arguments[0], /WIKIGEN_GITHUB_REPO/);
});

test("a text that looks like PHI is not copied into the issue", async (t) => {
  t.mock.method(console, "log", () => {});
  const text = "Mrs Jane Smith, 45, of 12 High Street (record A-99812) improved on 2024-03-05.";
  await submissionCreated(submission({ revision: text }));
  const body = received[0].body.body;
  assert.ok(!body.includes("Jane Smith"), body);
  assert.ok(!body.includes("A-99812"), body);
  assert.match(body, /Not copied here: the text seems to contain a full date, a name with a title, a street address/);
  assert.match(body, /submission `66f1c0ffee`/);
});

test("Markdown, mentions and HTML in the text stay inert inside a longer fence", async (t) => {
  t.mock.method(console, "log", () => {});
  const text = "See ```code``` and @octocat <img src=x onerror=alert(1)>";
  await submissionCreated(submission({ revision: text }));
  assert.ok(received[0].body.body.includes(`\`\`\`\`text\n${text}\n\`\`\`\``));
});

test("reader-sent names cannot make links, HTML or mentions outside the fence", async (t) => {
  t.mock.method(console, "log", () => {});
  await submissionCreated(submission({ article_title: "X](https://evil.example) <b>@octocat</b>", section: "a]b" }));
  const body = received[0].body.body;
  assert.ok(body.includes("[X\\](https://evil.example) \\<b\\>\\@octocat\\</b\\>]("), body);
  assert.ok(body.includes("**Section:** [a\\]b]("), body);
  assert.equal(received[0].body.title, "Revision: X](https://evil.example) <b>@octocat</b> (a]b)");
});

test("links are only made to the site's own pages and to valid ids", async (t) => {
  t.mock.method(console, "log", () => {});
  await submissionCreated(submission({ article: "https://evil.example/x/", section: "a b", sentence: "javascript:alert(1)" }));
  const body = received[0].body.body;
  assert.ok(!body.includes("evil.example/x/]("), body);
  assert.match(body, /no valid page address was sent/);
  assert.match(body, /\*\*Section:\*\* not given/);
  assert.match(body, /\*\*Sentence:\*\* not given/);
});

test("another form of the site is ignored", async (t) => {
  const logged = t.mock.method(console, "log", () => {});
  const response = await submissionCreated(submission({ "form-name": "contact" }, { form_name: "contact" }));
  assert.deepEqual(await response.json(), { filed: false, reason: "another form" });
  assert.equal(received.length, 0);
  assert.match(logged.mock.calls[0].arguments[0], /not the revision form/);
});

test("the form name can be configured (form_name in [tool.wikigen])", async (t) => {
  t.mock.method(console, "log", () => {});
  process.env.WIKIGEN_FORM_NAME = "suggest";
  const response = await submissionCreated(submission({ "form-name": "suggest" }, { form_name: "suggest" }));
  assert.equal((await response.json()).filed, true);
  assert.equal(received.length, 1);
});

test("GitHub's refusal is logged and reported, not swallowed", async (t) => {
  const logged = t.mock.method(console, "error", () => {});
  answer = () => [422, { message: "Validation Failed", errors: [{ resource: "Issue", code: "missing_field" }] }];
  const response = await submissionCreated(submission());
  assert.equal(response.status, 502);
  assert.deepEqual(await response.json(), { filed: false, reason: "GitHub 422" });
  assert.match(logged.mock.calls[0].arguments[0], /GitHub answered 422 \(Validation Failed\)/);
});

test("a wrong token is GitHub's 401, reported", async (t) => {
  t.mock.method(console, "error", () => {});
  process.env.GITHUB_TOKEN = "wrong";
  const response = await submissionCreated(submission());
  assert.deepEqual(await response.json(), { filed: false, reason: "GitHub 401" });
});

test("GitHub unreachable is logged and reported", async (t) => {
  const logged = t.mock.method(console, "error", () => {});
  process.env.WIKIGEN_GITHUB_API_URL = "http://127.0.0.1:9"; // discard port: nothing listens
  const response = await submissionCreated(submission());
  assert.equal(response.status, 502);
  assert.match(logged.mock.calls[0].arguments[0], /could not be reached/);
});

test("a request without a payload is a 400 and files nothing", async (t) => {
  t.mock.method(console, "error", () => {});
  const request = new Request("https://x.example/", { method: "POST", body: "not json" });
  assert.equal((await submissionCreated(request)).status, 400);
  assert.equal(received.length, 0);
});
