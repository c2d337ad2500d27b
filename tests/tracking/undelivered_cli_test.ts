/**
 * #18 items 1 and 2 from the command line: `deno task evaluate` whose run does not reach the
 * server (credentials refused, nothing listening) says how many operations are pending and
 * how to send them, and exits 5; `deno task sync` keeps them pending while the server
 * refuses and delivers them once it accepts. A delivered run prints its MLflow UI URL.
 */
import assert from "node:assert/strict";
import { EXIT_UNDELIVERED } from "../../lib/tracking/mod.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { clientFor, runScript, tempHome } from "./_helpers.ts";

const EVALUATE = new URL("../../scripts/evaluate.ts", import.meta.url).pathname;
const SYNC = new URL("../../scripts/sync.ts", import.meta.url).pathname;
const TOKEN = "tok-9f8e7d6c5b4a";

Deno.test("evaluate against a server answering 401 exits 5 with the pending count and the sync command; sync delivers it once the server accepts", async () => {
  const upstream = testMlflowUri();
  await using proxy = await startFaultProxy(upstream);
  let refusing = true;
  proxy.inject({
    kind: "status",
    status: 401,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ error_code: "UNAUTHENTICATED", message: "Invalid token" }),
  }, { match: () => refusing, times: 1_000_000 });
  const home = await tempHome();
  const experiment = uniqueName("cli-401");
  const env = {
    EVALKIT_HOME: home,
    MLFLOW_TRACKING_URI: proxy.uri,
    MLFLOW_TRACKING_TOKEN: TOKEN,
  };
  const ev = await runScript([EVALUATE, "--experiment", experiment], env);
  assert.equal(ev.code, EXIT_UNDELIVERED, ev.stderr);
  assert.match(ev.stderr, /\d+ operation\(s\) pending/);
  assert.match(ev.stderr, /HTTP 401/);
  assert.match(ev.stderr, /MLFLOW_TRACKING_TOKEN/, "it says what to check");
  assert.match(ev.stderr, /deno task sync --to http:\/\/127\.0\.0\.1:\d+/);
  assert.ok(!(ev.stdout + ev.stderr).includes(TOKEN));

  const refused = await runScript([SYNC], env);
  assert.equal(refused.code, EXIT_UNDELIVERED, refused.stderr);
  assert.match(refused.stderr, /not all delivered/);
  assert.doesNotMatch(refused.stderr, /rejected/);

  refusing = false;
  const synced = await runScript([SYNC, "--json"], env);
  assert.equal(synced.code, 0, synced.stderr);
  const report = JSON.parse(synced.stdout);
  assert.equal(report.ok, true);
  using client = clientFor(upstream);
  const got = await client.runs.get(report.runs[0].runId);
  assert.equal(got.info.status, "FINISHED");
  assert.ok(got.data.metrics.some((m) => m.key === "accuracy_score"), "the metrics arrived");
  await Deno.remove(home, { recursive: true });
});

Deno.test("evaluate with nothing listening on the tracking port exits 5 and says the run waits in the outbox", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const home = await tempHome();
  const ev = await runScript([EVALUATE], {
    EVALKIT_HOME: home,
    MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
  });
  assert.equal(ev.code, EXIT_UNDELIVERED, ev.stderr);
  assert.match(ev.stderr, /not fully delivered/);
  assert.match(ev.stderr, /local outbox/);
  assert.match(ev.stderr, new RegExp(`deno task sync --to http://127\\.0\\.0\\.1:${port}`));
  await Deno.remove(home, { recursive: true });
});

Deno.test("evaluate that delivers its run exits 0 and prints the run's URL in the MLflow UI", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const ev = await runScript([EVALUATE, "--experiment", uniqueName("cli-ok")], {
    EVALKIT_HOME: home,
    MLFLOW_TRACKING_URI: uri,
  });
  assert.equal(ev.code, 0, ev.stderr);
  const m = ev.stderr.match(/(http:\/\/\S+\/#\/experiments\/(\w+)\/runs\/(\w+))/);
  assert.ok(m, ev.stderr);
  assert.ok(m[1]!.startsWith(uri.replace(/\/+$/, "")));
  using client = clientFor(uri);
  const run = await client.runs.get(m[3]!);
  assert.equal(run.info.experimentId, m[2]);
  assert.equal(run.info.status, "FINISHED");
  const ui = await fetch(m[1]!.split("#")[0]!);
  await ui.body?.cancel();
  assert.equal(ui.status, 200, "the UI answers at that address");
  await Deno.remove(home, { recursive: true });
});

Deno.test("a server SIGKILLed mid-run: end() reports what is pending, describeDelivery() exits 5, and sync delivers after the restart", async () => {
  const { startMlflowServer } = await import("../../lib/testing/mod.ts");
  const { AgentTracker, describeDelivery, syncStore } = await import("../../lib/tracking/mod.ts");
  await using server = await startMlflowServer();
  const home = await tempHome();
  const storeDir = `${home}/store`;
  using client = clientFor(server.uri);
  const tracker = new AgentTracker("killed_server_agent", {
    trackingUri: server.uri,
    client,
    storeDir,
    experimentName: uniqueName("killed-server"),
    deliveryTimeoutMs: 3_000,
  });
  const run = await tracker.startRun({});
  assert.ok(run.serverRunId, "the run exists on the server before the kill");
  for (let step = 0; step < 100; step++) run.logMetrics({ loss: 1 / (step + 1) }, { step });
  assert.equal(await run.flush(30_000), true);
  await server.kill();
  for (let step = 100; step < 200; step++) run.logMetrics({ loss: 1 / (step + 1) }, { step });
  const ended = await run.end();
  assert.equal(ended.delivered, false);
  assert.ok(
    ended.pending >= 2,
    `the points after the kill and the end are pending (${ended.pending})`,
  );
  assert.equal(ended.failure, "transient");
  const outcome = describeDelivery(ended);
  assert.equal(outcome.exitCode, EXIT_UNDELIVERED);
  assert.ok(outcome.lines.some((l) => l.includes(`${ended.pending} operation(s) pending`)));
  assert.ok(outcome.lines.some((l) => l.includes(`deno task sync --to ${server.uri}`)));

  await server.restart();
  const report = await syncStore({ client, uri: server.uri, storeDir });
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.runs[0]!.runId, run.serverRunId, "the same server run, completed");
  const got = await client.runs.get(run.serverRunId!);
  assert.equal(got.info.status, "FINISHED");
  assert.equal((await client.runs.metricHistory(run.serverRunId!, "loss")).length, 200);
  tracker.close();
  await Deno.remove(home, { recursive: true });
});
