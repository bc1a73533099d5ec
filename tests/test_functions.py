"""The Netlify Functions (netlify/functions/) and the PHI warning, tested by node's own test runner.

The tests are JavaScript (tests/functions/*.test.mjs: votes against @netlify/blobs' BlobsServer, revisions
against a local GitHub API stand-in, the PHI table); this runs them so that the one test command covers them.
Node and the packages of package-lock.json (`npm ci`, which setup.sh runs) are part of the test setup: when
they are missing this fails, it does not skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NODE_TESTS = REPO / "tests" / "functions"


def test_the_function_and_phi_tests_pass_under_node() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the Netlify Functions cannot be tested (Node.js 20 or newer)")
    if not (REPO / "node_modules" / "@netlify" / "blobs" / "package.json").is_file():
        pytest.fail("node_modules/@netlify/blobs is missing: run `npm ci` (./setup.sh does)")
    files = sorted(str(path.relative_to(REPO)) for path in NODE_TESTS.glob("*.test.mjs"))
    assert len(files) >= 3, files
    run = subprocess.run(
        [node, "--test", "--test-reporter=tap", *files],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )
    output = run.stdout + run.stderr
    totals = {name: int(value) for name, value in re.findall(r"^# (tests|pass|fail|cancelled) (\d+)$", output, re.M)}
    failures = "\n".join(re.findall(r"^not ok .*$", output, re.M))
    assert run.returncode == 0, f"node --test failed:\n{failures}\n\n{output[-6000:]}"
    assert totals.get("fail") == 0 and totals.get("cancelled") == 0, output[-3000:]
    assert totals.get("tests", 0) >= 60 and totals["pass"] == totals["tests"], totals
