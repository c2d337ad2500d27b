/**
 * `deno task report <run-id>`: a self-contained HTML report of one run (params, metrics,
 * histories, evaluation and drift charts as inline SVG), read from the local store or, when
 * MLFLOW_TRACKING_URI is set, from the MLflow server.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./_cli.ts";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { redact } from "../lib/_internal/errors.ts";
import { RESULTS_TABLE_PATH } from "../lib/evaluation/mod.ts";
import { driftFromReportJson, runReport, type RunReportInput } from "../lib/report/mod.ts";
import { openRunSource, RunNotFoundError, type RunSource } from "../lib/tracking/mod.ts";

const USAGE =
  `Usage: deno task report <run-id> [--out FILE] [--local] [--store-dir DIR] [--tracking-uri URI]

Writes a self-contained HTML report of a run, verdict first: status, gate result, "drift
detected", the headline metrics and links to the run's stored pages (evaluation_report.html,
drift/drift_report.html); then drift per feature with distributions (drift runs), the wrong
rows (id, expected, predicted, reasons first), confusion matrix and latency histogram
(evaluation runs), every metric grouped (quality, latency, cost, errors, drift), metric
histories, dataset inputs, artifacts, tags and params last. Charts are inline SVG; the page
loads nothing from the network.

Reads the run from the MLflow server (or Databricks) in MLFLOW_TRACKING_URI or --tracking-uri
when set (credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD), else
from the local store (.evalkit/store, or $EVALKIT_HOME/store, or --store-dir). <run-id> is
one id wherever the run is: the run id, a unique prefix of it, a run name, or — after
'deno task sync' — the other id of the same run (the local id on the server, the server id
in the local store).

Options:
  --out FILE           where to write the page (default: run_report_<run-id>.html)
  --local              read the local store even when MLFLOW_TRACKING_URI is set
  --store-dir DIR      local store folder
  --tracking-uri URI   MLflow server to read from
  -h, --help           this help

Exit codes: 0 written, 1 unexpected error, 2 bad usage or run not found.

Example:
  deno task report 3f2a9c1e --out report.html`;

const DRIFT_JSON = "drift/drift_report.json";

function parseTable(text: string | undefined): RunReportInput["evalTable"] {
  if (text === undefined) return undefined;
  const t = JSON.parse(text) as { columns?: unknown; data?: unknown };
  return Array.isArray(t.columns) && Array.isArray(t.data)
    ? { columns: t.columns.map(String), data: t.data as unknown[][] }
    : undefined;
}

/** Reads the run (by id, prefix, name or — after sync — its other id) and what the page shows. */
async function readRun(source: RunSource, idOrName: string): Promise<RunReportInput> {
  let run;
  try {
    run = await source.getRun(idOrName);
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new UsageError(err.message);
    throw err;
  }
  const metrics: RunReportInput["metrics"] = {};
  for (const key of Object.keys(run.metrics)) {
    metrics[key] = await source.metricHistory(run, key);
  }
  const artifacts = await source.listArtifacts(run);
  const read = async (path: string) =>
    artifacts.some((a) => a.path === path) ? await source.readArtifactText(run, path) : undefined;
  const evalTable = parseTable(await read(RESULTS_TABLE_PATH));
  const driftText = await read(DRIFT_JSON);
  const drift = driftText === undefined ? undefined : driftFromReportJson(driftText);
  // Links to the stored files: the local store's files; a server's get-artifact endpoint.
  const href = (path: string) =>
    source.kind === "local"
      ? pathToFileURL(resolve(source.storeDir, "runs", run.id, "artifacts", path)).href
      : /^https?:\/\/[^@]*$/.test(source.location) && !source.location.includes("REDACTED")
      ? `${source.location.replace(/\/+$/, "")}/get-artifact?path=${
        encodeURIComponent(path)
      }&run_uuid=${encodeURIComponent(run.id)}`
      : undefined;
  return {
    runId: run.id,
    runName: run.name,
    experiment: run.experimentName,
    status: run.status,
    startTime: run.startTime,
    ...(run.endTime !== undefined ? { endTime: run.endTime } : {}),
    source: source.location, // redacted: a password in the URI never reaches the page
    params: run.params,
    tags: Object.fromEntries(
      Object.entries(run.tags).filter(([k]) => k !== "mlflow.log-model.history"),
    ),
    metrics,
    datasets: run.inputs.map((i) => ({
      name: i.dataset.name,
      digest: i.dataset.digest,
      context: i.tags?.["mlflow.data.context"] ?? "",
    })),
    artifacts: artifacts.map((a) => {
      const h = href(a.path);
      return h ? { ...a, href: h } : a;
    }),
    ...(evalTable ? { evalTable } : {}),
    ...(drift ? drift : {}),
  };
}

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        out: { type: "string" },
        local: { type: "boolean" },
        "store-dir": { type: "string" },
        "tracking-uri": { type: "string" },
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
  if (positionals.length !== 1) {
    console.error(`Expected one run id but found ${positionals.length}\n\n${USAGE}`);
    Deno.exit(2);
  }
  const runId = positionals[0]!;
  let source: RunSource;
  try {
    source = openRunSource({
      ...(values.local
        ? { trackingUri: "" }
        : values["tracking-uri"] !== undefined
        ? { trackingUri: values["tracking-uri"] }
        : {}),
      ...(values["store-dir"] !== undefined ? { storeDir: values["store-dir"] } : {}),
    });
  } catch (err) {
    // A tracking URI or credentials that cannot be used: bad input.
    console.error(`report: ${redact(err instanceof Error ? err.message : String(err))}`);
    Deno.exit(2);
  }
  try {
    const input = await readRun(source, runId);
    const out = values.out ?? `run_report_${input.runId}.html`;
    await Deno.mkdir(dirname(out), { recursive: true });
    await Deno.writeTextFile(out, runReport(input));
    console.log(out);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      Deno.exit(2);
    }
    console.error(`report failed: ${redact(err instanceof Error ? err.message : String(err))}`);
    Deno.exit(1);
  } finally {
    source.close();
  }
}
