// The votes function (netlify/functions/votes.mjs) over loopback HTTP, with @netlify/blobs' own BlobsServer.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import { getStore } from "@netlify/blobs";

import votes, { articlePrefix } from "../../netlify/functions/votes.mjs";
import { serveFunctions, startBlobs } from "./harness.mjs";

let blobs;
let site;
let seq = 0;
process.env.WIKIGEN_VOTE_SALT = "a-test-salt-of-enough-length";

before(async () => {
  blobs = await startBlobs();
  site = await serveFunctions({ votes });
});
after(async () => {
  await site?.close();
  await blobs?.close();
});
beforeEach(() => {
  seq += 1;
});

const slug = (name) => `${name}-${seq}`; // a fresh article per test: the store is shared
const store = () => getStore({ name: "wikigen-votes", consistency: "strong" });
const keys = async (articleSlug) => (await store().list({ prefix: articlePrefix(articleSlug) })).blobs;

function vote(articleSlug, { ip = "203.0.113.7", agent = "Test/1.0", headers = {}, body } = {}) {
  return fetch(`${site.url}/.netlify/functions/votes`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: site.url,
      "sec-fetch-site": "same-origin",
      "user-agent": agent,
      "x-nf-client-connection-ip": ip,
      ...headers,
    },
    body: body ?? JSON.stringify({ slug: articleSlug }),
  });
}

function countOf(articleSlug, { ip = "203.0.113.7", headers = {} } = {}) {
  const query = new URLSearchParams({ slug: articleSlug });
  return fetch(`${site.url}/.netlify/functions/votes?${query}`, {
    headers: { "sec-fetch-site": "same-origin", "user-agent": "Test/1.0", "x-nf-client-connection-ip": ip, ...headers },
  });
}

test("an article nobody voted for counts 0", async () => {
  const response = await countOf(slug("fresh"));
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /^application\/json/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), { slug: slug("fresh"), count: 0, voted: false });
});

test("the first vote is counted, and the count says so", async () => {
  const article = slug("achievement-goal-theory");
  const response = await vote(article);
  assert.equal(response.status, 201);
  assert.deepEqual(await response.json(), { slug: article, count: 1, voted: true });
  assert.deepEqual(await (await countOf(article)).json(), { slug: article, count: 1, voted: true });
  assert.deepEqual(await (await countOf(article, { ip: "198.51.100.1" })).json(), { slug: article, count: 1, voted: false });
});

test("a repeat vote is refused and writes nothing", async () => {
  const article = slug("mastery-goals");
  assert.equal((await vote(article)).status, 201);
  const writes = blobs.writes();
  const again = await vote(article);
  assert.equal(again.status, 409);
  const body = await again.json();
  assert.match(body.error, /already/);
  assert.equal(body.count, 1);
  assert.equal(blobs.writes(), writes);
  assert.equal((await keys(article)).length, 1);
});

test("the same reader from another network, or with another browser, is another voter", async () => {
  const article = slug("two-browsers");
  assert.equal((await vote(article, { agent: "Firefox/130" })).status, 201);
  assert.equal((await vote(article, { agent: "Chromium/156" })).status, 201);
  assert.equal((await vote(article, { ip: "2001:db8::1" })).status, 201);
  assert.equal((await (await countOf(article)).json()).count, 3);
});

test("20 concurrent voters count exactly 20", async () => {
  const article = slug("concurrent");
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) => vote(article, { ip: `192.0.2.${i + 1}` })),
  );
  assert.deepEqual(responses.map((r) => r.status), Array(20).fill(201));
  assert.equal((await (await countOf(article)).json()).count, 20);
  assert.equal((await keys(article)).length, 20);
});

test("votes on one article do not count for another whose slug starts the same", async () => {
  assert.equal((await vote(slug("goal-theory"))).status, 201);
  assert.equal((await (await countOf(slug("goal"))).json()).count, 0);
});

test("the store holds neither the IP nor the user agent", async () => {
  const article = slug("private");
  assert.equal((await vote(article, { ip: "203.0.113.99", agent: "Secret-Agent/9" })).status, 201);
  const [{ key }] = await keys(article);
  assert.match(key, /^[A-Za-z0-9_-]+\/[0-9a-f]{64}$/);
  assert.equal(Buffer.from(key.split("/")[0], "base64url").toString(), article);
  assert.equal(await store().get(key), "1");
  assert.deepEqual((await store().getMetadata(key)).metadata, {});
});

const BAD_SLUGS = [
  ["", /missing/],
  ["../etc", /# \? % \\ \//],
  ["a/b", /# \? % \\ \//],
  ["a%2Fb", /# \? % \\ \//],
  [".hidden", /dot or a space/],
  ["trailing ", /dot or a space/],
  ["tab\there", /control character/],
  ["x".repeat(253), /longer than 252 bytes/],
  [42, /missing/],
  ["\uD800lone", /lone surrogate/], // only JSON can carry it: a URL query turns it into U+FFFD
];

for (const [bad, message] of BAD_SLUGS) {
  test(`a bad slug (${JSON.stringify(bad).slice(0, 20)}) is a 400 with a JSON error, and writes nothing`, async () => {
    const writes = blobs.writes();
    const response = await vote(null, { body: JSON.stringify({ slug: bad }) });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error, message);
    if (typeof bad === "string" && bad.isWellFormed()) {
      const get = await countOf(bad);
      assert.equal(get.status, 400);
      assert.match((await get.json()).error, message);
    }
    assert.equal(blobs.writes(), writes);
  });
}

test("a Unicode slug is an article's slug like any other", async () => {
  const article = slug("théorie-des-buts");
  assert.equal((await vote(article)).status, 201);
  assert.equal((await (await countOf(article)).json()).count, 1);
});

const BAD_BODIES = [
  ["not JSON", "slug=abc", "application/json", 400, /not JSON/],
  ["a JSON array", '["abc"]', "application/json", 400, /JSON object/],
  ["a form post", "slug=abc", "application/x-www-form-urlencoded", 415, /as JSON/],
  ["a huge body", JSON.stringify({ slug: "a", pad: "x".repeat(5000) }), "application/json", 413, /too large/],
];

for (const [name, body, type, status, message] of BAD_BODIES) {
  test(`${name} is refused with ${status} and a JSON error, and writes nothing`, async () => {
    const writes = blobs.writes();
    const response = await vote(null, { body, headers: { "content-type": type } });
    assert.equal(response.status, status);
    assert.match((await response.json()).error, message);
    assert.equal(blobs.writes(), writes);
  });
}

const CROSS_SITE = [
  ["another site's page (Sec-Fetch-Site: cross-site)", { "sec-fetch-site": "cross-site", origin: "https://evil.example" }],
  ["a sibling subdomain (Sec-Fetch-Site: same-site)", { "sec-fetch-site": "same-site", origin: "https://x.netlify.app" }],
  ["an Origin that is not the site's", { "sec-fetch-site": "", origin: "https://evil.example" }],
  ["a request that names no origin at all", { "sec-fetch-site": "", origin: "" }],
  ["a sandboxed frame (Origin: null)", { "sec-fetch-site": "", origin: "null" }],
  ["the site's host on another port", { "sec-fetch-site": "", origin: "http://127.0.0.1:1" }],
];

for (const [name, headers] of CROSS_SITE) {
  test(`a vote from ${name} is refused with 403, and writes nothing`, async () => {
    const article = slug("cross");
    const writes = blobs.writes();
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ""));
    const response = await fetch(`${site.url}/.netlify/functions/votes`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-nf-client-connection-ip": "203.0.113.5", ...clean },
      body: JSON.stringify({ slug: article }),
    });
    assert.equal(response.status, 403);
    assert.match((await response.json()).error, /cross-site|Origin/);
    assert.equal(blobs.writes(), writes);
    assert.equal((await keys(article)).length, 0);
  });
}

test("a browser that sends only Origin (no Sec-Fetch-Site) is counted", async () => {
  const article = slug("origin-only");
  const response = await fetch(`${site.url}/.netlify/functions/votes`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: site.url, "x-nf-client-connection-ip": "203.0.113.8" },
    body: JSON.stringify({ slug: article }),
  });
  assert.equal(response.status, 201);
});

test("a cross-site read of the count is refused too", async () => {
  const response = await countOf(slug("read"), { headers: { "sec-fetch-site": "cross-site" } });
  assert.equal(response.status, 403);
});

test("other methods are a 405 naming the allowed ones", async () => {
  const response = await fetch(`${site.url}/.netlify/functions/votes?slug=a`, { method: "DELETE" });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "GET, POST");
  assert.match((await response.json()).error, /GET the count, POST a vote/);
});

test("without a salt no vote is taken (503), and nothing is written", async (t) => {
  const saved = process.env.WIKIGEN_VOTE_SALT;
  t.after(() => {
    process.env.WIKIGEN_VOTE_SALT = saved;
  });
  const logged = t.mock.method(console, "error", () => {});
  delete process.env.WIKIGEN_VOTE_SALT;
  const writes = blobs.writes();
  const response = await vote(slug("unsalted"));
  assert.equal(response.status, 503);
  assert.match((await response.json()).error, /not available/);
  assert.match(logged.mock.calls[0].arguments[0], /WIKIGEN_VOTE_SALT/);
  process.env.WIKIGEN_VOTE_SALT = "short";
  assert.equal((await vote(slug("unsalted"))).status, 503);
  assert.equal(blobs.writes(), writes);
});

test("the function asks Netlify for a per-function rate limit", async () => {
  const { config } = await import("../../netlify/functions/votes.mjs");
  assert.deepEqual(config.rateLimit, { windowLimit: 60, windowSize: 60, aggregateBy: ["ip", "domain"] });
});
