"""`wikigen serve`: build, serve the output on 127.0.0.1, rebuild on change and reload open pages.

The site is built into the configured output folder, exactly as `wikigen build` does. An edit to an
article is shown at once as a preview: its page rendered in memory against the last published site and
served in place of the file on disk, while the build runs. The build publishes the edit with the previous
search index, and a second build brings the index up to date while no other edit waits. live.js listens to
`/__wikigen/events` (Server-Sent Events, polling `/__wikigen/status` where SSE is missing), reloads the page
when what the server shows changes (a preview, a published build), and shows check errors as an overlay
built with DOM APIs.

Along its seams, as zola's serve is:
- `changes`: what kind of change a path is (article, asset, bibliography, theme, config), a pure function;
- `watch`: the watchers, which classify every change they see;
- `session`: the state and its transitions (what changes call for, how a result moves the status), pure;
- `handler`: the HTTP handler, serving from the session's immutable snapshot;
- `headers`: the production headers of `netlify.toml`, as the handler sends them;
- `server`: the thin module that runs the threads.

Endpoints: `/__wikigen/live.js`, `/__wikigen/status` (JSON: build, published, indexed, previewed and view
counters, diagnostics, failure), `/__wikigen/events` (SSE: a `build` event whenever the build or view counter
moves).
"""

from wikigen.serve.handler import inject
from wikigen.serve.server import DevServer, serve
from wikigen.serve.session import Status, previewable

__all__ = ["DevServer", "Status", "inject", "previewable", "serve"]
