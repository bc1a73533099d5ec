// "N clinicians found this useful": GET /.netlify/functions/votes?slug=S gives the count, POST with
// {"slug": S} (JSON) adds this reader's vote.
//
// One Blobs key per voter per article, `<article>/<voter>`, and the count is the number of keys under
// `<article>/`, where <article> is the slug in base64url: the local BlobsServer matches a listing's prefix
// against percent-encoded file names, so a key with a non-ASCII slug (`théorie`) would never be counted.
// A single counter updated by compare-and-swap loses concurrent votes; a key per voter cannot, and a repeat
// (or a race of the same voter with itself) writes the same key again at worst. The voter is an HMAC of
// the day, the article, the IP and the user agent, keyed by WIKIGEN_VOTE_SALT: the store never holds an IP,
// one reader's votes on two articles cannot be linked, and the same reader may vote again the next day.
import { createHmac } from "node:crypto";

import { getStore } from "@netlify/blobs";

export const config = {
  // Netlify's per-function limit, counted per client IP on each domain of the site.
  rateLimit: { windowLimit: 60, windowSize: 60, aggregateBy: ["ip", "domain"] },
};

const STORE = "wikigen-votes";
const MAX_BODY_BYTES = 2048;
const MIN_SALT_CHARS = 16;
// An article's file name is its slug (src/wikigen/load.py): one path segment that does not start or end with
// a dot or a space and has no # ? % \ / or control character; a file name holds at most 255 bytes.
const MAX_SLUG_BYTES = 252;
const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

function reply(status, body, extra = {}) {
  return new Response(JSON.stringify(body), { status, headers: { ...HEADERS, ...extra } });
}

export function slugProblem(slug) {
  if (typeof slug !== "string" || slug === "") return "slug is missing: send the article's slug";
  if (/[\uD800-\uDFFF]/u.test(slug)) return "slug is not valid Unicode text (a lone surrogate)";
  if (new TextEncoder().encode(slug).length > MAX_SLUG_BYTES) return `slug is longer than ${MAX_SLUG_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f]/.test(slug)) return "slug has a control character";
  if (/[#?%\\/]/.test(slug)) return "slug has one of # ? % \\ /, which no article's slug has";
  if (/^[. ]|[. ]$/.test(slug)) return "slug starts or ends with a dot or a space, which no article's slug does";
  return null;
}

// The host of an Origin header against the host the request was sent to (TLS ends before the function, so
// the scheme is not compared); "null" and other non-URLs are never the site.
function sameHost(origin, req) {
  let host;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host !== "" && (host === new URL(req.url).host || host === req.headers.get("host"));
}

// A browser says where a request comes from: Sec-Fetch-Site, and Origin on every POST. A vote must come from
// a page of this site; a request that names no origin at all is not a browser's vote and is refused too.
function originProblem(req) {
  const site = req.headers.get("sec-fetch-site");
  const origin = req.headers.get("origin");
  if (site && site !== "same-origin" && !(site === "none" && req.method === "GET")) {
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  }
  if (origin && !sameHost(origin, req)) return `cross-site request refused (Origin: ${origin})`;
  if (req.method === "POST" && !site && !origin) return "a vote must be sent from the wiki's pages (no Origin)";
  return null;
}

async function readSlug(req) {
  if (req.method === "GET") return { slug: new URL(req.url).searchParams.get("slug") ?? "" };
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") return { status: 415, error: 'send the vote as JSON: {"slug": "..."}' };
  const text = await req.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES) return { status: 413, error: "request body too large" };
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 400, error: 'request body is not JSON: send {"slug": "..."}' };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { status: 400, error: 'request body must be a JSON object: {"slug": "..."}' };
  }
  return { slug: body.slug };
}

export function articlePrefix(slug) {
  return `${Buffer.from(slug, "utf8").toString("base64url")}/`;
}

function voterKey(salt, slug, ip, userAgent) {
  const day = new Date().toISOString().slice(0, 10);
  const voter = createHmac("sha256", salt).update(JSON.stringify([day, slug, ip, userAgent])).digest("hex");
  return articlePrefix(slug) + voter;
}

async function count(store, slug) {
  const { blobs } = await store.list({ prefix: articlePrefix(slug) });
  return blobs.length;
}

export default async function votes(req, context) {
  if (req.method !== "GET" && req.method !== "POST") {
    return reply(405, { error: `method ${req.method} not allowed: GET the count, POST a vote` }, { allow: "GET, POST" });
  }
  const refused = originProblem(req);
  if (refused) return reply(403, { error: refused });
  const read = await readSlug(req);
  if (read.error) return reply(read.status, { error: read.error });
  const problem = slugProblem(read.slug);
  if (problem) return reply(400, { error: problem });
  const slug = read.slug;

  const salt = process.env.WIKIGEN_VOTE_SALT ?? "";
  const ip = context?.ip ?? "";
  if (salt.length < MIN_SALT_CHARS || !ip) {
    console.error(salt.length < MIN_SALT_CHARS
      ? `votes: WIKIGEN_VOTE_SALT is unset or shorter than ${MIN_SALT_CHARS} characters; no vote is counted`
      : "votes: the request carries no client IP (context.ip); no vote is counted");
    return reply(503, { error: "votes are not available on this site" });
  }
  const key = voterKey(salt, slug, ip, req.headers.get("user-agent") ?? "");
  try {
    const store = getStore({ name: STORE, consistency: "strong" });
    const voted = (await store.getMetadata(key)) !== null;
    if (req.method === "GET") return reply(200, { slug, count: await count(store, slug), voted });
    if (voted) {
      return reply(409, { error: "you have already found this useful today", slug, count: await count(store, slug), voted });
    }
    await store.set(key, "1");
    return reply(201, { slug, count: await count(store, slug), voted: true });
  } catch (error) {
    console.error(`votes: the Blobs store failed: ${error?.message ?? error}`);
    return reply(503, { error: "votes are not available right now" });
  }
}
