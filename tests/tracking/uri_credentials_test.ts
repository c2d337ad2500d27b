/**
 * #18 item 6: a `user:password@` tracking URI is used to send, and nowhere else: not in the
 * "Recording to …" line, the outbox, the acknowledgement mapping, `deno task runs` (list,
 * show, --json) or `deno task sync --json`. The same server with or without credentials in
 * its URI is one target (one acknowledgement log, no second run).
 */
import assert from "node:assert/strict";
import { publicTrackingUri } from "../../lib/tracking/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { runScript, tempHome } from "./_helpers.ts";

const EVALUATE = new URL("../../scripts/evaluate.ts", import.meta.url).pathname;
const SYNC = new URL("../../scripts/sync.ts", import.meta.url).pathname;
const RUNS = new URL("../../scripts/runs.ts", import.meta.url).pathname;
const PASSWORD = "Pa55-w0rd-zq";

async function storeText(dir: string): Promise<string> {
  let out = "";
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    out += e.isDirectory ? await storeText(p) : `${p}\n${await Deno.readTextFile(p)}`;
  }
  return out;
}

Deno.test("publicTrackingUri() drops the password of user:password@ and redacts token query values", async (t) => {
  for (
    const [given, want] of [
      ["http://ann:s3cret@127.0.0.1:5000", "http://ann@127.0.0.1:5000"],
      ["https://ann:p%40ss@host/prefix/", "https://ann@host/prefix/"],
      ["https://:onlypw@host", "https://host"],
      ["http://ann@host", "http://ann@host"],
      ["http://127.0.0.1:5000", "http://127.0.0.1:5000"],
      ["https://host/x?token=abc&y=1", "https://host/x?token=[REDACTED]&y=1"],
      ["databricks://prod", "databricks://prod"],
    ] as const
  ) {
    await t.step(given, () => assert.equal(publicTrackingUri(given), want));
  }
});

Deno.test("a password in MLFLOW_TRACKING_URI is never printed or stored, and the target stays one", async () => {
  const server = new URL(testMlflowUri());
  const withPassword = `http://ann:${PASSWORD}@${server.host}`;
  const home = await tempHome();
  const env = { EVALKIT_HOME: home, MLFLOW_TRACKING_URI: withPassword };
  const ev = await runScript([EVALUATE, "--experiment", uniqueName("uri-pw")], env);
  assert.equal(ev.code, 0, ev.stderr);
  assert.match(ev.stderr, new RegExp(`Recording to http://ann@${server.host}`));
  const seen: Record<string, string> = { "evaluate output": ev.stdout + ev.stderr };
  seen["local store"] = await storeText(`${home}/store`);
  for (const args of [[], ["--json"]]) {
    const r = await runScript([RUNS, ...args], env);
    assert.equal(r.code, 0, r.stderr);
    seen[`runs ${args.join(" ")}`] = r.stdout + r.stderr;
  }
  const list = JSON.parse((await runScript([RUNS, "--json"], env)).stdout);
  const id = list.runs[0].localRunId;
  assert.equal(list.runs[0].synced[0].uri, `http://ann@${server.host}`);
  for (const args of [["show", id], ["show", id, "--json"]]) {
    const r = await runScript([RUNS, ...args], env);
    assert.equal(r.code, 0, r.stderr);
    seen[`runs ${args.join(" ")}`] = r.stdout + r.stderr;
  }
  // The same server named with the password, then without it: one target, nothing re-sent.
  for (const to of [withPassword, `http://${server.host}`]) {
    const r = await runScript([SYNC, "--to", to, "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    seen[`sync --to ${to === withPassword ? "<with password>" : "<without>"}`] = r.stdout +
      r.stderr;
    const report = JSON.parse(r.stdout);
    assert.equal(report.runs[0].sent, 0, "already delivered to this server: nothing re-sent");
    assert.equal(report.runs[0].runId, list.runs[0].synced[0].runId);
  }
  const acks = [...Deno.readDirSync(`${home}/store/runs/${id}/acks`)].filter((e) =>
    e.name.endsWith(".jsonl")
  );
  assert.equal(acks.length, 1, "one acknowledgement log for the one server");
  for (const [where, text] of Object.entries(seen)) {
    assert.ok(!text.includes(PASSWORD), `the password appears in ${where}`);
  }
  await Deno.remove(home, { recursive: true });
});

Deno.test("acknowledgements an older version filed under a key with the credentials are found again, not re-sent", async () => {
  const { AgentTracker, syncStore } = await import("../../lib/tracking/mod.ts");
  const { clientFor } = await import("./_helpers.ts");
  const server = new URL(testMlflowUri());
  const withPassword = `http://ann:${PASSWORD}@${server.host}`;
  const home = await tempHome();
  const storeDir = `${home}/store`;
  using client = clientFor(testMlflowUri());
  const tracker = new AgentTracker("legacy_key_agent", {
    trackingUri: withPassword,
    client,
    storeDir,
    experimentName: uniqueName("legacy-key"),
  });
  const run = await tracker.startRun({});
  run.logMetrics({ x: 1 });
  assert.equal((await run.end()).delivered, true);
  tracker.close();
  // File the acknowledgements the way older versions named them: a hash of the URI as given.
  const acks = `${storeDir}/runs/${run.localRunId}/acks`;
  const [file] = [...Deno.readDirSync(acks)].filter((e) => e.name.endsWith(".jsonl"));
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(withPassword)),
  );
  const legacy = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.rename(`${acks}/${file!.name}`, `${acks}/${legacy}.jsonl`);

  const report = await syncStore({ client, uri: withPassword, storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.runs[0]!.sent, 0, "nothing sent twice");
  assert.equal(report.runs[0]!.runId, run.serverRunId, "no second server run");
  const names = [...Deno.readDirSync(acks)].map((e) => e.name).filter((n) => n.endsWith(".jsonl"));
  assert.deepEqual(names, [file!.name], "filed under the credential-free key again");
  await Deno.remove(home, { recursive: true });
});
