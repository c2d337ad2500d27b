/**
 * `deno task runs`: list and show the runs of the local store (the embedded default used
 * when MLFLOW_TRACKING_URI is unset).
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { listLocalRuns, openRunSource, readLocalRun } from "../lib/tracking/mod.ts";
import { defaultStoreDir } from "../lib/tracking/_outbox.ts";

const USAGE = `Usage: deno task runs [list] [--json] [--store-dir <dir>]
       deno task runs show <run id | id prefix | run name | synced server id> [--json] [--store-dir <dir>]

Lists the runs of the local store (default $EVALKIT_HOME/store, else .evalkit/store), or
shows one run with its params, tags, metrics (latest value and history length), dataset
inputs, artifacts and where it was synced.

Examples:
  deno task runs
  deno task runs show 3f2a9c1e
  deno task runs show loan_approval_evaluate_20261129_234612 --json`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      "store-dir": { type: "string" },
      store: { type: "string" }, // deprecated alias of --store-dir (the name report uses)
    },
  });
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  Deno.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
if (values.store !== undefined) {
  console.error("warning: --store is deprecated; use --store-dir (as in deno task report)");
}
const storeDir = values["store-dir"] ?? values.store ?? defaultStoreDir();
const [command = "list", ...rest] = positionals;

function time(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

if (command === "list" || command === "ls") {
  const runs = await listLocalRuns({ storeDir });
  if (values.json) {
    console.log(JSON.stringify({ storeDir, runs }, null, 2));
  } else if (runs.length === 0) {
    console.log(`No runs in ${storeDir}`);
  } else {
    const rows = [["ID", "NAME", "STATUS", "STARTED", "PARAMS", "METRICS", "SYNCED"]];
    for (const r of runs) {
      rows.push([
        r.localRunId.slice(0, 8),
        r.runName,
        r.status,
        time(r.startTime),
        String(Object.keys(r.params).length),
        String(Object.keys(r.latestMetrics).length),
        r.synced.map((s) => (s.pending ? `${s.uri} (${s.pending} pending)` : s.uri)).join(", ") ||
        "-",
      ]);
    }
    console.log(table(rows));
  }
} else if (command === "show") {
  const id = rest[0];
  if (!id) {
    console.error(`Missing the run to show.\n\n${USAGE}`);
    Deno.exit(2);
  }
  // One id wherever the run is: the local id, a prefix, a name, or the server id it synced to.
  using source = openRunSource({ trackingUri: "", storeDir });
  const found = await source.findRun(id);
  const run = found && await readLocalRun(found.id, { storeDir });
  if (!run) {
    console.error(
      `No run '${id}' in the local store ${storeDir}: not a local run id, a unique prefix, a ` +
        "run name, or the server id of a synced run (see 'deno task runs'). A run recorded on " +
        "a server is shown by 'deno task report <id>' with MLFLOW_TRACKING_URI set.",
    );
    Deno.exit(2);
  }
  if (values.json) {
    console.log(JSON.stringify(run, null, 2));
  } else {
    const out = [
      `Run ${run.runName} (${run.localRunId})`,
      `  experiment  ${run.experimentName}`,
      `  status      ${run.status}`,
      `  started     ${time(run.startTime)}${run.endTime ? `, ended ${time(run.endTime)}` : ""}`,
      `  synced      ${
        run.synced.map((s) => `${s.uri} → ${s.runId}${s.pending ? ` (${s.pending} pending)` : ""}`)
          .join(", ") || "-"
      }`,
      "",
      "Params",
      ...Object.entries(run.params).map(([k, v]) => `  ${k} = ${v}`),
      "",
      "Metrics (latest, points)",
      ...Object.entries(run.latestMetrics).map(([k, v]) =>
        `  ${k} = ${v}  (${run.metrics[k]?.length ?? 0})`
      ),
      "",
      "Tags",
      ...Object.entries(run.tags).map(([k, v]) =>
        `  ${k} = ${v.length > 80 ? v.slice(0, 77) + "..." : v}`
      ),
      "",
      "Dataset inputs",
      ...run.inputs.map((i) =>
        `  ${i.dataset.name} (${i.dataset.digest}) ${i.tags?.["mlflow.data.context"] ?? ""}`
      ),
      "",
      `Artifacts (files in ${resolve(storeDir, "runs", run.localRunId, "artifacts")})`,
      ...run.artifacts.map((a) => `  ${a.path}  ${a.size} B`),
      ...(run.artifacts.length
        ? [`  (one page with all of it: deno task report ${run.localRunId})`]
        : []),
      ...(run.models.length
        ? ["", "Logged models", ...run.models.map((m) => `  ${m.name} (${m.localModelId})`)]
        : []),
    ];
    console.log(out.join("\n"));
  }
} else {
  console.error(`Unknown command '${command}'.\n\n${USAGE}`);
  Deno.exit(2);
}
