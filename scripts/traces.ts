/**
 * `deno task traces`: list the traces of the local store, show one as a tree, or push the
 * undelivered ones to an MLflow server.
 */
import { parseArgs } from "node:util";
import { MlflowClient } from "../lib/mlflow/mod.ts";
import {
  formatTraceTree,
  listLocalTraces,
  readLocalTrace,
  syncTraces,
} from "../lib/tracing/mod.ts";
import { defaultStoreDir } from "../lib/tracking/_outbox.ts";

const USAGE = `Usage: deno task traces [list] [--json] [--store <dir>]
       deno task traces show <trace id | hex prefix> [--json] [--store <dir>]
       deno task traces sync --to <tracking uri> [--experiment-id <id>] [--store <dir>]

Lists the traces of the local store (default $EVALKIT_HOME/store, else .evalkit/store) —
every finished trace is written there before the traced call returns — shows one as a span
tree, or delivers the ones a server has not acknowledged yet (each once, in order).

Examples:
  deno task traces
  deno task traces show 5f2a9c
  deno task traces sync --to http://127.0.0.1:5000 --experiment-id 1`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      store: { type: "string" },
      to: { type: "string" },
      "experiment-id": { type: "string" },
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
const storeDir = values.store ?? defaultStoreDir();
const [command = "list", ...rest] = positionals;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

try {
  if (command === "list" || command === "ls") {
    const traces = await listLocalTraces({ storeDir });
    if (values.json) {
      console.log(JSON.stringify({ storeDir, traces }, null, 2));
    } else if (traces.length === 0) {
      console.log(`No traces in ${storeDir}`);
    } else {
      const rows = [["TRACE", "NAME", "STATE", "STARTED", "MS", "SPANS", "RUN"]];
      for (const t of traces) {
        rows.push([
          t.traceId,
          t.name,
          t.state,
          new Date(t.startMs).toISOString().replace("T", " ").slice(0, 19),
          t.durationMs.toFixed(1),
          String(t.spans.length),
          t.metadata["mlflow.sourceRun"] ?? "",
        ]);
      }
      console.log(table(rows));
    }
  } else if (command === "show") {
    const id = rest[0];
    if (!id) {
      console.error(`show needs a trace id\n\n${USAGE}`);
      Deno.exit(2);
    }
    const trace = await readLocalTrace(id, { storeDir });
    if (!trace) {
      console.error(`No trace '${id}' in ${storeDir}`);
      Deno.exit(2);
    }
    console.log(values.json ? JSON.stringify(trace, null, 2) : formatTraceTree(trace));
  } else if (command === "sync") {
    if (!values.to) {
      console.error(`sync needs --to <tracking uri>\n\n${USAGE}`);
      Deno.exit(2);
    }
    using client = MlflowClient.fromUri(values.to);
    const stats = await syncTraces({
      client,
      storeDir,
      ...(values["experiment-id"] ? { experimentId: values["experiment-id"] } : {}),
      onError: (e) => console.error(`delivery: ${e instanceof Error ? e.message : String(e)}`),
    });
    console.log(
      values.json
        ? JSON.stringify(stats)
        : `${stats.delivered} delivered, ${stats.rejected} rejected, ${stats.pending} pending` +
          (stats.noExperiment
            ? `, ${stats.noExperiment} recorded without a server (name one with --experiment-id)`
            : ""),
    );
    if (stats.pending > 0 || stats.rejected > 0 || stats.noExperiment) Deno.exit(5);
  } else {
    console.error(`Unknown command '${command}'\n\n${USAGE}`);
    Deno.exit(2);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  Deno.exit(err instanceof RangeError ? 2 : 1);
}
