"""Plivo's official Node.js SDK (`plivo` 4.79.0, pinned by tests/node_sdk/package-lock.json) against the
simulator, over real HTTP: the Number calls a user's own Node code makes (get, list with filters,
edit, unrent), checked as that user would (what the SDK returns or raises) and in the simulator's
state. Its unrent sends a DELETE whose JSON body is the string "" (issue 29, item 12): the simulator
answered 400 to it, so the SDK could not unrent.

The SDK is installed by the test itself (`npm ci` into a temporary folder, from the committed lock);
without npm or the registry the test fails, it never skips. The Node SDK's Application calls always
go to api.plivo.com (docs/simulator.md, "The official SDKs"), so only the Number calls are driven.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from plivo_pulumi.simulator.testing import SimulatorProcess, account_seed

pytestmark = pytest.mark.tools  # npm and the registry, as tests/test_sdk_compile.py

PINNED = Path(__file__).resolve().parent / "node_sdk"
VERSION = "4.79.0"
MAIN = "MANODESDKACCOUNT0001"
TOKEN = "tok-node-Kp3Lm8Qr2Ws6Xz"
SUB = "SANODESDKSUBACCT0001"
APP = "10000000000001"
LOCAL, TOLLFREE, GONE = "14155550001", "18005550002", "14155550003"
TIMEOUT = 300

# The user's code: each call's result (or the error the SDK raises) as one JSON line.
SCRIPT = """
const plivo = require("plivo");
const [authId, authToken, url, local, app, gone] = process.argv.slice(2);
const client = new plivo.Client(authId, authToken, { url: url + "/Account/" + authId });
const steps = [
  ["version", async () => require("plivo/package.json").version],
  ["get", async () => {
    const n = await client.numbers.get(local);
    return { number: n.number, application: n.application, subAccount: n.subAccount };
  }],
  ["list", async () => (await client.numbers.list({ numberType: "tollfree" })).map((n) => n.number)],
  ["update", async () => { await client.numbers.update(local, { appId: app }); return true; }],
  ["unrent", async () => client.numbers.unrent(gone)],
  ["unrentAgain", async () => client.numbers.unrent(gone)],
];
(async () => {
  const results = {};
  for (const [name, step] of steps) {
    try { results[name] = { ok: await step() }; }
    catch (error) { results[name] = { error: String(error).slice(0, 300) }; }
  }
  console.log(JSON.stringify(results));
})();
"""


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is needed to run Plivo's Node SDK against the simulator")
    return found


@pytest.fixture(scope="module")
def node_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with `node_modules/plivo` at the pinned version, installed from the committed lock."""
    folder = tmp_path_factory.mktemp("node-sdk")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PINNED / name, folder / name)
    done = subprocess.run(
        [need("npm"), "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"`npm ci` of plivo@{VERSION} failed (network or registry?):\n{done.stdout}{done.stderr}")
    return folder


@pytest.fixture
def sim() -> Iterator[SimulatorProcess]:
    seed = account_seed(
        MAIN,
        TOKEN,
        subaccounts=[(SUB, "tok-node-sub-Hj6Kl3Mn9Bv")],
        applications=[(APP, "ivr-main")],
        numbers=[
            {"number": LOCAL, "subaccount": SUB},
            {"number": TOLLFREE, "number_type": "tollfree"},
            {"number": GONE},
        ],
    )
    with SimulatorProcess(seed=seed) as simulator:
        yield simulator


def test_the_node_sdk_reads_edits_and_unrents(node_sdk: Path, sim: SimulatorProcess) -> None:
    script = node_sdk / "calls.js"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [need("node"), str(script), MAIN, TOKEN, sim.base_url, LOCAL, APP, GONE],
        cwd=node_sdk,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={k: v for k, v in os.environ.items() if not k.startswith("PLIVO_")},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["version"] == {"ok": VERSION}
    assert results["get"] == {"ok": {"number": LOCAL, "application": None, "subAccount": SUB}}, results
    assert results["list"] == {"ok": [TOLLFREE]}, results
    assert results["update"] == {"ok": True}, results
    assert sim.number(LOCAL)["app_id"] == APP
    assert results["unrent"] == {"ok": True}, results
    assert sim.number(GONE) is None, "the Node SDK's unrent went through"
    assert "not found" in results["unrentAgain"]["error"], results  # the 404's `error` text
    deletes = [r["status"] for r in sim.requests_log()["requests"] if r["method"] == "DELETE"]
    assert deletes == [204, 404]
