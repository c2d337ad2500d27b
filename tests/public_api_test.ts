/**
 * The root export is a chosen API (#12 item 7): about 60 names a notebook user or a script
 * author needs, pinned here so that adding one is a decision made in review, not the side
 * effect of an `export *`. Every root name is also exported by a module subpath, so nothing
 * reachable from the root is only reachable from there. Figures from `deno doc --json`.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Exported names of an entry point, as `deno doc --json` lists them. */
async function exportedNames(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols?: { name: string }[] }>;
  };
  return Object.values(doc.nodes).flatMap((n) => (n.symbols ?? []).map((s) => s.name)).sort();
}

const CHOSEN = [
  // datasets
  "CreateDatasetOptions",
  "Dataset",
  "DatasetManager",
  "DatasetMetadata",
  "DatasetSchema",
  "Issue",
  "Row",
  "SplitOptions",
  "SplitResult",
  "createDataset",
  "loanApprovalSchema",
  "splitRows",
  // agents
  "Agent",
  "AgentDecision",
  "DecideOptions",
  "HttpAgent",
  "HttpAgentOptions",
  "LoanApprovalAgent",
  // evaluation
  "EvalResult",
  "EvalRow",
  "EvaluateOptions",
  "GateResult",
  "MetricThreshold",
  "ModelEvaluator",
  "PriceTable",
  "RESULTS_TABLE_PATH",
  "loadBaseline",
  "parseGateFlags",
  // tracking
  "AgentTracker",
  "AgentTrackerOptions",
  "MetricsCollector",
  "RunHandle",
  "RunSource",
  "SourceRun",
  "StartRunOptions",
  "SyncReport",
  "openRunSource",
  "runPageUrl",
  "syncStore",
  // drift
  "DataDriftOptions",
  "DriftReport",
  "FeatureDrift",
  "RunDriftCheckOptions",
  "detectDataDrift",
  "detectPerformanceDrift",
  "logDriftReport",
  "runDriftCheck",
  // tracing
  "SpanType",
  "Tracer",
  "TracerOptions",
  // report
  "compareRuns",
  "runReport",
  // mlflow
  "MlflowClient",
  "MlflowClientOptions",
  "TrackingTarget",
  "resolveTrackingTarget",
  // errors
  "AgentError",
  "DatasetError",
  "MlflowApiError",
  "RunNotFoundError",
  "formatIssue",
].sort();

Deno.test("the root module exports the chosen API of about 60 names, no more", async () => {
  const root = await exportedNames("mod.ts");
  assert.ok(root.length <= 70, `the root exports ${root.length} names`);
  assert.deepEqual(root, CHOSEN);
});

Deno.test("every root export is also exported by a module subpath of deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    exports: Record<string, string>;
  };
  const sub = new Set<string>();
  for (const [path, file] of Object.entries(config.exports)) {
    if (path === "." || path === "./danfo") continue;
    for (const n of await exportedNames(file)) sub.add(n);
  }
  const missing = (await exportedNames("mod.ts")).filter((n) => !sub.has(n));
  assert.deepEqual(missing, [], "root names that no subpath exports");
});
