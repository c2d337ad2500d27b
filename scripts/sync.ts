/**
 * `deno task sync`: push the local store's runs (and whatever a crashed or offline process
 * left unsent) to an MLflow server.
 */
import { parseArgs } from "node:util";
import { MlflowClient, resolveTrackingTarget } from "../lib/mlflow/mod.ts";
import { EXIT_UNDELIVERED, publicTrackingUri, runPageUrl, syncStore } from "../lib/tracking/mod.ts";
import { defaultStoreDir } from "../lib/tracking/_outbox.ts";
import { readEnv } from "../lib/_internal/env.ts";

const USAGE =
  `Usage: deno task sync [--to <tracking uri>] [--run <id>]... [--store-dir <dir>] [--timeout-ms <n>] [--json]

Replays every run of the local store (default $EVALKIT_HOME/store, else .evalkit/store)
to a server, in order: what that server already acknowledged is skipped, a run is never
created twice, names, timestamps, steps, params, tags, dataset inputs, artifacts and
logged models are kept. Safe to run again. --to defaults to MLFLOW_TRACKING_URI.
A run whose process died before ending it is ended KILLED at the time of its last write.
Exit codes: 0 all delivered, 5 something pending (server down, credentials refused: fix
and run again) or rejected, 2 bad usage, 1 unexpected error.

Examples:
  deno task sync --to http://127.0.0.1:5000
  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 deno task sync --json`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      help: { type: "boolean", short: "h" },
      to: { type: "string" },
      run: { type: "string", multiple: true },
      "store-dir": { type: "string" },
      store: { type: "string" }, // deprecated alias of --store-dir
      "timeout-ms": { type: "string" },
      json: { type: "boolean" },
    },
  });
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  Deno.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const uri = values.to ?? readEnv("MLFLOW_TRACKING_URI");
if (!uri) {
  console.error(`No target: pass --to <uri> or set MLFLOW_TRACKING_URI.\n\n${USAGE}`);
  Deno.exit(2);
}
const timeoutMs = values["timeout-ms"] === undefined ? 120_000 : Number(values["timeout-ms"]);
if (!(timeoutMs > 0)) {
  console.error(`Expected --timeout-ms to be a number > 0 but found '${values["timeout-ms"]}'`);
  Deno.exit(2);
}
const target = resolveTrackingTarget(uri);
using client = MlflowClient.fromTarget(target, {
  retry: { maxRetries: 2, totalBudgetMs: 10_000, ...target.transport.retry },
});
const shownUri = publicTrackingUri(uri);
const report = await syncStore({
  client,
  uri,
  storeDir: values["store-dir"] ?? values.store ?? defaultStoreDir(),
  runIds: values.run,
  timeoutMs,
  onRun: values.json ? undefined : (r) => {
    const what = r.skipped
      ? `skipped: ${r.skipped}`
      : `${r.sent} ops sent${
        r.pending ? `, ${r.pending} pending${r.lastError ? ` (${r.lastError})` : ""}` : ""
      }` +
        (r.errors.length ? `, ${r.errors.length} rejected: ${r.errors[0]!.error}` : "") +
        (r.endedKilled ? ", ended KILLED (its process had died)" : "");
    console.error(`${r.runName} (${r.localRunId.slice(0, 8)}) → ${r.runId ?? "-"}: ${what}`);
    if (r.tornLines?.length) {
      console.error(
        `  warning: ${r.tornLines.length} torn line(s) in its outbox skipped (line ${
          r.tornLines.join(", ")
        }); later lines were kept`,
      );
    }
  },
});
// Each delivered run's page in the MLflow UI (a link only: a failed lookup prints nothing).
const urls = new Map<string, string>();
for (const r of report.runs) {
  if (!r.runId || r.skipped) continue;
  const url = await runPageUrl(r.runId, { client }).catch(() => undefined);
  if (url) urls.set(r.localRunId, url);
}
const blocked = report.runs.some((r) => r.failure === "blocked");
if (values.json) {
  const runs = report.runs.map((r) => ({
    ...r,
    ...(urls.has(r.localRunId) ? { url: urls.get(r.localRunId) } : {}),
  }));
  console.log(JSON.stringify({ uri: shownUri, ...report, runs }, null, 2));
} else {
  for (const r of report.runs) {
    if (urls.has(r.localRunId)) console.error(`${r.runName}: ${urls.get(r.localRunId)}`);
  }
  const pending = report.runs.reduce((n, r) => n + r.pending, 0);
  console.error(
    `${report.runs.length} run(s) checked, ${
      report.ok ? "all delivered" : `not all delivered (${pending} operation(s) pending)`
    } to ${shownUri}`,
  );
  if (blocked) {
    console.error(
      "The server refused the requests (credentials, permissions or not an MLflow API at this " +
        "URI): nothing was given up; fix it and run 'deno task sync' again.",
    );
  } else if (pending > 0) console.error("Run 'deno task sync' again when the server is back.");
}
Deno.exit(report.ok ? 0 : EXIT_UNDELIVERED);
