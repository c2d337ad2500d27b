/**
 * `deno task report <run-id>`: a self-contained HTML report of one run (params, metrics,
 * histories, evaluation and drift charts as inline SVG), read from the local store or, when
 * MLFLOW_TRACKING_URI is set, from the MLflow server.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./_cli.ts";
import { dirname } from "node:path";
import { readEnv } from "../lib/_internal/env.ts";
import { redact } from "../lib/_internal/errors.ts";
import { MlflowApiError, MlflowClient } from "../lib/mlflow/mod.ts";
import { runReport, type RunReportInput } from "../lib/report/mod.ts";
import { defaultStoreDir, readLocalRun } from "../lib/tracking/mod.ts";

const USAGE =
  `Usage: deno task report <run-id> [--out FILE] [--local] [--store-dir DIR] [--tracking-uri URI]

Writes a self-contained HTML report of a run: overview, params, metrics (table and chart),
metric histories, confusion matrix, latency histogram and wrong rows (evaluation runs),
drift per feature (drift runs), dataset inputs, artifacts and tags. Charts are inline SVG;
the page loads nothing from the network.

Reads the run from the MLflow server in MLFLOW_TRACKING_URI (or --tracking-uri) when set,
else from the local store (.evalkit/store, or $EVALKIT_HOME/store, or --store-dir), where
<run-id> may also be a unique prefix or a run name (see 'deno task runs').

Options:
  --out FILE           where to write the page (default: run_report_<run-id>.html)
  --local              read the local store even when MLFLOW_TRACKING_URI is set
  --store-dir DIR      local store folder
  --tracking-uri URI   MLflow server to read from
  -h, --help           this help

Exit codes: 0 written, 1 unexpected error, 2 bad usage or run not found.

Example:
  deno task report 3f2a9c1e --out report.html`;

const EVAL_TABLE = "eval_results_table.json";
const DRIFT_JSON = "drift/drift_report.json";

type DriftFeatures = NonNullable<RunReportInput["drift"]>;

function parseTable(text: string | undefined): RunReportInput["evalTable"] {
  if (text === undefined) return undefined;
  const t = JSON.parse(text) as { columns?: unknown; data?: unknown };
  return Array.isArray(t.columns) && Array.isArray(t.data)
    ? { columns: t.columns.map(String), data: t.data as unknown[][] }
    : undefined;
}

function parseDrift(text: string | undefined): DriftFeatures | undefined {
  if (text === undefined) return undefined;
  const r = JSON.parse(text) as {
    features?: { name: string; test?: string; score?: number; drifted?: boolean }[];
  };
  return r.features?.map((f) => ({
    name: f.name,
    ...(f.test !== undefined ? { test: f.test } : {}),
    ...(typeof f.score === "number" ? { score: f.score } : {}),
    ...(f.drifted !== undefined ? { drifted: f.drifted } : {}),
  }));
}

async function fromLocal(idOrName: string, storeDir: string): Promise<RunReportInput> {
  const run = await readLocalRun(idOrName, { storeDir });
  if (!run) {
    throw new UsageError(
      `No run '${idOrName}' in the local store ${storeDir} (list them with 'deno task runs')`,
    );
  }
  const artifactDir = `${storeDir}/runs/${run.localRunId}/artifacts`;
  const read = async (path: string) =>
    run.artifacts.some((a) => a.path === path)
      ? await Deno.readTextFile(`${artifactDir}/${path}`)
      : undefined;
  const evalTable = parseTable(await read(EVAL_TABLE));
  const drift = parseDrift(await read(DRIFT_JSON));
  return {
    runId: run.localRunId,
    runName: run.runName,
    experiment: run.experimentName,
    status: run.status,
    startTime: run.startTime,
    ...(run.endTime !== undefined ? { endTime: run.endTime } : {}),
    source: `local store ${storeDir}`,
    params: run.params,
    tags: run.tags,
    metrics: run.metrics,
    datasets: run.inputs.map((i) => ({
      name: i.dataset.name,
      digest: i.dataset.digest,
      context: i.tags?.["mlflow.data.context"] ?? "",
    })),
    artifacts: run.artifacts,
    ...(evalTable ? { evalTable } : {}),
    ...(drift ? { drift } : {}),
  };
}

async function fromServer(runId: string, uri: string): Promise<RunReportInput> {
  using client = new MlflowClient({ trackingUri: uri });
  let run;
  try {
    run = await client.runs.get(runId);
  } catch (err) {
    if (
      err instanceof MlflowApiError &&
      (err.status === 404 || err.errorCode === "RESOURCE_DOES_NOT_EXIST")
    ) {
      throw new UsageError(`No run '${runId}' on ${redact(uri)}`);
    }
    throw err;
  }
  const experiment = await client.experiments.get(run.info.experimentId);
  const metrics: RunReportInput["metrics"] = {};
  for (const m of run.data.metrics) {
    metrics[m.key] = (await client.runs.metricHistory(runId, m.key)).map((p) => ({
      step: p.step ?? 0,
      timestamp: p.timestamp ?? 0,
      value: p.value,
    }));
  }
  const artifacts: { path: string; size?: number }[] = [];
  for await (const f of client.artifacts.walk(run.info.artifactUri)) {
    artifacts.push({ path: f.path, ...(f.fileSize !== undefined ? { size: f.fileSize } : {}) });
  }
  const read = async (path: string) =>
    artifacts.some((a) => a.path === path)
      ? await client.artifacts.readText(run.info.artifactUri, path)
      : undefined;
  const evalTable = parseTable(await read(EVAL_TABLE));
  const drift = parseDrift(await read(DRIFT_JSON));
  return {
    runId,
    runName: run.info.runName,
    experiment: experiment.name,
    status: run.info.status,
    startTime: run.info.startTime,
    ...(run.info.endTime ? { endTime: run.info.endTime } : {}),
    source: redact(uri), // a password in the URI never reaches the page
    params: run.data.params,
    tags: Object.fromEntries(
      Object.entries(run.data.tags).filter(([k]) => k !== "mlflow.log-model.history"),
    ),
    metrics,
    datasets: run.inputs.datasetInputs.map((i) => ({
      name: i.dataset.name,
      digest: i.dataset.digest,
      context: i.tags?.["mlflow.data.context"] ?? "",
    })),
    artifacts,
    ...(evalTable ? { evalTable } : {}),
    ...(drift ? { drift } : {}),
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
  const envUri = readEnv("MLFLOW_TRACKING_URI");
  const uri = values.local ? undefined : values["tracking-uri"] ?? envUri;
  try {
    const input = uri
      ? await fromServer(runId, uri)
      : await fromLocal(runId, values["store-dir"] ?? defaultStoreDir());
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
  }
}
