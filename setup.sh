#!/usr/bin/env bash
# Fresh machine to built sample wiki: system browser for the browser tests, a venv with wikigen and
# its test tools, the Netlify Functions' packages (package-lock.json), then `wikigen build` of the site in
# this folder (output in public/).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# The functions in netlify/functions/ and their tests (tests/functions/) run on Node.js 20 or newer.
if ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: npm (Node.js 20 or newer) is needed for the Netlify Functions and their tests" >&2
    exit 1
fi
npm ci --no-audit --no-fund --loglevel=error

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/wikigen build
