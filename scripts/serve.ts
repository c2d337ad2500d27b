/**
 * `deno task serve`: the Loan Agent API. Decisions go through the built-in loan_approval agent
 * and the MetricsCollector, flushed periodically to a long-lived serving run in MLflow
 * (MLFLOW_TRACKING_URI, or the embedded local store). SIGTERM/SIGINT: in-flight requests and
 * evaluation jobs finish, metrics are flushed, the serving run ends FINISHED.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./_cli.ts";
import type { EvalJobAnswer, EvalJobMessage } from "./_serve_eval_worker.ts";
import { readEnv } from "../lib/_internal/env.ts";
import { LoanApprovalAgent } from "../lib/agents/mod.ts";
import { DatasetError, DatasetManager } from "../lib/datasets/mod.ts";
import { createLoanAgentApp, readTokensFile, serveLoanAgent, TokenSet } from "../lib/server/mod.ts";
import { AgentTracker, describeDelivery, MetricsCollector } from "../lib/tracking/mod.ts";

const USAGE = `Usage: deno task serve [options]

Serves the Loan Agent API:
  POST /api/v1/loan/decision           one application → outcome, risk score, reasons
  POST /api/v1/loan/evaluate_dataset   {"dataset_name", "target_field", …} → run id and metrics
  GET  /api/v1/loan/evaluations/{id}   an evaluation job's status
  GET  /api/v1/metrics/summary         runtime metrics (the collector's summary)
  GET  /health, GET /api/v1/openapi.json

Every route but /health and /api/v1/openapi.json needs "Authorization: Bearer <token>".

Options (environment variable in brackets):
  --host <addr>              interface to bind [EVALKIT_API_HOST]              (127.0.0.1)
  --port <n>                 port [EVALKIT_API_PORT]                            (8080)
  --tokens-file <path>       accepted tokens, one per line [EVALKIT_API_TOKENS_FILE]
                             (or a comma-separated list in EVALKIT_API_TOKENS; several at once
                             allow rotation; each at least 16 characters)
  --datasets-dir <dir>       datasets for evaluate_dataset                     (datasets)
  --experiment <name>        MLflow experiment for the serving and evaluation runs
                                                                  (/Shared/ai-agents/loan_approval)
  --flush-interval-ms <ms>   runtime metrics flush period                      (60000)
  --request-timeout-ms <ms>  per-request limit; evaluations past it become jobs (30000)
  --max-body-bytes <n>       largest accepted body                             (1048576)
  --body-timeout-ms <ms>     time to receive a whole body; slower ones get 408
                             [EVALKIT_API_BODY_TIMEOUT_MS]                      (10000)
  --max-jobs <n>             evaluation jobs running at once (each in a worker)
                             [EVALKIT_API_MAX_JOBS]                             (2)
  --max-queued-jobs <n>      jobs waiting for a slot; past it 429 + Retry-After
                             [EVALKIT_API_MAX_QUEUED_JOBS]                      (8)
  --delivery-timeout-ms <ms> how long a job waits for its run to reach MLflow; past it
                             the job fails, the run stays in the local store for
                             'deno task sync' [EVALKIT_API_DELIVERY_TIMEOUT_MS]  (120000)
  --no-metrics               do not collect runtime metrics (for overhead measurements)
  --quiet                    no access log on stderr
  -h, --help                 this help

Example:
  EVALKIT_API_TOKENS=$(openssl rand -hex 24) deno task serve --port 8080`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`Expected ${name} to be a non-negative integer but found '${value}'`);
  }
  return n;
}

/** Runs one evaluation in a fresh worker (scripts/_serve_eval_worker.ts) and ends the worker. */
function runInWorker(
  message: EvalJobMessage,
): Promise<{ runId: string; metrics: Record<string, number> }> {
  const worker = new Worker(new URL("./_serve_eval_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<EvalJobAnswer>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<EvalJobAnswer>) => resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`the evaluation worker failed: ${e.message}`));
    };
    worker.postMessage(message);
  }).then((answer) => {
    if (!answer.ok) throw new Error(answer.error);
    return { runId: answer.runId, metrics: answer.metrics };
  }).finally(() => worker.terminate());
}

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  host: { type: "string" },
  port: { type: "string" },
  "tokens-file": { type: "string" },
  "datasets-dir": { type: "string", default: "datasets" },
  experiment: { type: "string" },
  "flush-interval-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "max-body-bytes": { type: "string" },
  "body-timeout-ms": { type: "string" },
  "max-jobs": { type: "string" },
  "max-queued-jobs": { type: "string" },
  "delivery-timeout-ms": { type: "string" },
  "no-metrics": { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

/** The address and limits from the flags and their environment variables. */
function limitsFrom(values: Flags) {
  const port = positiveInt(values.port ?? readEnv("EVALKIT_API_PORT"), "--port", 8080);
  if (port > 65535) throw new UsageError(`Expected --port to be at most 65535 but found ${port}`);
  const flushIntervalMs = positiveInt(values["flush-interval-ms"], "--flush-interval-ms", 60_000);
  const requestTimeoutMs = positiveInt(
    values["request-timeout-ms"],
    "--request-timeout-ms",
    30_000,
  );
  const maxBodyBytes = positiveInt(values["max-body-bytes"], "--max-body-bytes", 1024 * 1024);
  const bodyTimeoutMs = positiveInt(
    values["body-timeout-ms"] ?? readEnv("EVALKIT_API_BODY_TIMEOUT_MS"),
    "--body-timeout-ms",
    10_000,
  );
  if (bodyTimeoutMs < 1) {
    throw new UsageError("Expected --body-timeout-ms to be at least 1 but found 0");
  }
  const maxConcurrentJobs = positiveInt(
    values["max-jobs"] ?? readEnv("EVALKIT_API_MAX_JOBS"),
    "--max-jobs",
    2,
  );
  if (maxConcurrentJobs < 1) {
    throw new UsageError("Expected --max-jobs to be at least 1 but found 0");
  }
  const maxQueuedJobs = positiveInt(
    values["max-queued-jobs"] ?? readEnv("EVALKIT_API_MAX_QUEUED_JOBS"),
    "--max-queued-jobs",
    8,
  );
  const deliveryTimeoutMs = positiveInt(
    values["delivery-timeout-ms"] ?? readEnv("EVALKIT_API_DELIVERY_TIMEOUT_MS"),
    "--delivery-timeout-ms",
    120_000,
  );
  const hostname = values.host ?? readEnv("EVALKIT_API_HOST") ?? "127.0.0.1";
  const limits = { maxBodyBytes, requestTimeoutMs, bodyTimeoutMs, maxConcurrentJobs };
  return {
    hostname,
    port,
    flushIntervalMs,
    deliveryTimeoutMs,
    limits: { ...limits, maxQueuedJobs },
  };
}

/** The accepted tokens: --tokens-file / EVALKIT_API_TOKENS_FILE, else EVALKIT_API_TOKENS. */
async function tokensFrom(values: Flags): Promise<TokenSet> {
  const tokensFile = values["tokens-file"] ?? readEnv("EVALKIT_API_TOKENS_FILE");
  const rawTokens = tokensFile
    ? await readTokensFile(tokensFile)
    : (readEnv("EVALKIT_API_TOKENS") ?? "").split(",");
  try {
    return await TokenSet.from(rawTokens);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** A dataset's version and fields, or undefined when there is no such dataset. */
function inspectorOf(datasets: DatasetManager) {
  return async (name: string, version?: string) => {
    try {
      const meta = await datasets.meta(name, version);
      return { version: meta.version, fields: meta.schema.columns.map((c) => c.name) };
    } catch (err) {
      // Only "no such dataset" means absent; an unreadable or corrupt store is an error.
      if (err instanceof DatasetError && err.issues.some((i) => i.code === "not_found")) {
        return undefined;
      }
      throw err;
    }
  };
}

/** Waits for SIGTERM or SIGINT, then shuts the server down (in-flight work finishes). */
async function untilSignal(serving: { shutdown(): Promise<void> }): Promise<void> {
  const stopped = Promise.withResolvers<void>();
  const stop = () => {
    console.error("Shutting down: finishing in-flight requests and flushing metrics…");
    serving.shutdown().then(stopped.resolve, stopped.reject);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  await stopped.promise;
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGINT", stop);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: OPTIONS });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { hostname, port, flushIntervalMs, deliveryTimeoutMs, limits } = limitsFrom(values);
  const tokens = await tokensFrom(values);
  const agent = new LoanApprovalAgent();
  const tracker = new AgentTracker(agent.name, {
    handleSigint: false,
    ...(values.experiment ? { experimentName: values.experiment } : {}),
  });
  const run = values["no-metrics"]
    ? undefined
    : await tracker.startRun({ purpose: "serve", tags: { "evalkit.role": "serving" } });
  const collector = run ? new MetricsCollector(agent.name, { run, flushIntervalMs }) : undefined;
  const app = createLoanAgentApp({
    agent,
    tokens,
    ...(collector ? { metrics: collector } : {}),
    ...limits,
    inspectDataset: inspectorOf(new DatasetManager({ basePath: values["datasets-dir"]! })),
    // Each job runs in its own Web Worker, so its CPU work never holds up /health or decisions.
    evaluateDataset: (request) =>
      runInWorker({
        request,
        datasetsDir: values["datasets-dir"]!,
        deliveryTimeoutMs,
        ...(values.experiment ? { experiment: values.experiment } : {}),
      }),
    ...(values.quiet ? {} : {
      log: (entry) => console.error(JSON.stringify({ time: new Date().toISOString(), ...entry })),
    }),
  });
  await untilSignal(serveLoanAgent(app, {
    hostname,
    port,
    onListen: (addr) =>
      console.error(
        `Loan Agent API on http://${addr.hostname}:${addr.port} (${tokens.size} token(s))`,
      ),
    onShutdown: async () => {
      await collector?.close();
      await run?.end("FINISHED");
    },
  }));
  console.error(run ? `Stopped. Serving run ${run.runId} ended FINISHED.` : "Stopped.");
  // Undelivered is not success: what is pending and how to send it (exit 5), or the run's page.
  const delivery = run ? describeDelivery(await run.end()) : undefined;
  for (const line of delivery?.lines ?? []) console.error(line);
  return delivery?.exitCode ?? 0;
}

try {
  Deno.exit(await main());
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\nRun 'deno task serve --help' for usage.`);
    Deno.exit(2);
  }
  console.error(`serve failed: ${err instanceof Error ? err.message : String(err)}`);
  Deno.exit(1);
}
