// Runs the site's Netlify Functions on 127.0.0.1 the way Netlify calls them: a web Request and a Context whose
// `ip` is the client's (Netlify's x-nf-client-connection-ip header, else the socket's address), with
// @netlify/blobs' own local BlobsServer behind getStore().
//
// Imported by the node tests; run as a program by the browser tests (tests/browser/conftest.py), where it
// prints one JSON line {"url": ...} once it listens and stops when its standard input closes.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { setEnvironmentContext } from "@netlify/blobs";
import { BlobsServer } from "@netlify/blobs/server";

export const FUNCTIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../netlify/functions");

/** A BlobsServer on 127.0.0.1 over a fresh folder, set as the Blobs environment of this process. `requests`
 * records every operation it serves ({type, url}), so a test can tell that nothing was written. */
export async function startBlobs() {
  const directory = await mkdtemp(path.join(tmpdir(), "wikigen-blobs-"));
  const token = randomUUID();
  const requests = [];
  const server = new BlobsServer({ directory, token, onRequest: (event) => requests.push(event) });
  const { port } = await server.start();
  const url = `http://127.0.0.1:${port}`;
  setEnvironmentContext({ siteID: "wikigen-test-site", token, edgeURL: url, uncachedEdgeURL: url });
  return {
    url,
    requests,
    writes: () => requests.filter((event) => event.type === "set" || event.type === "delete").length,
    async close() {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}

/** An HTTP server on 127.0.0.1 that answers /.netlify/functions/<name> with `handlers[name]`. */
export async function serveFunctions(handlers) {
  const server = http.createServer(async (req, res) => {
    const name = new URL(req.url, "http://localhost").pathname.match(/^\/\.netlify\/functions\/([^/]+)$/)?.[1];
    const handler = name && Object.hasOwn(handlers, name) ? handlers[name] : null;
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no such function\n");
      return;
    }
    try {
      const request = await toRequest(req);
      const ip = req.headers["x-nf-client-connection-ip"] ?? req.socket.remoteAddress;
      const response = await handler(request, { ip, requestId: randomUUID() });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`the function threw: ${error?.stack ?? error}\n`);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function main() {
  process.env.WIKIGEN_VOTE_SALT ??= `browser-test-salt-${randomUUID()}`;
  const blobs = await startBlobs();
  const { default: votes } = await import(pathToFileURL(path.join(FUNCTIONS, "votes.mjs")).href);
  const functions = await serveFunctions({ votes });
  process.stdout.write(`${JSON.stringify({ url: functions.url, blobs: blobs.url })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await functions.close();
    await blobs.close();
    process.exit(0);
  };
  process.stdin.on("end", stop).on("close", stop).resume();
  process.on("SIGTERM", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
