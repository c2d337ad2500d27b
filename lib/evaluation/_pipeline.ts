/**
 * The steps of `ModelEvaluator.evaluateDataset`, each a plain function: prepare the rows →
 * run the agent over them (per trial) → score and summarise each trial → build the result
 * (aggregate over trials, baseline and gates). Recording is `record.ts`.
 *
 * @module
 */
import type { Agent, AgentDecision, TokenUsage } from "./agent.ts";
import type { Dataset, DatasetSchema, Row } from "../datasets/types.ts";
import { createProtector } from "../_internal/personal_data.ts";
import { runAgent, type RunnerOptions, type RunProgress } from "./runner.ts";
import { costOf, type PriceTable } from "./cost.ts";
import { type MetricThreshold, validateMetrics } from "./gates.ts";
import { diffRows, majorityRows } from "./compare.ts";
import { EvalResult, type EvalRow } from "./eval_result.ts";
import type { Baseline } from "./baseline.ts";
import {
  aggregateTrials,
  EvalSummary,
  rowDiffMetrics,
  type SummaryClassOptions,
} from "./summary.ts";

/** The id column the evaluator uses: the given one, the schema's id, else `request_id`. */
export function idFieldOf(dataset: Dataset, idField?: string): string | undefined {
  return idField ?? dataset.schema.id ??
    (dataset.rows[0]?.["request_id"] !== undefined ? "request_id" : undefined);
}

/** The rows ready to run: requests without the label, ids, protected inputs. */
export interface Prepared {
  /** The dataset. */
  dataset: Dataset;
  /** Label column. */
  target: string;
  /** What the agent sees: each row without the label. */
  requests: Row[];
  /** Expected labels. */
  expected: string[];
  /** Row ids. */
  ids: string[];
  /** Inputs with personal data protected (for the table). */
  inputs: Row[];
  /** Input columns shown in the table. */
  inputColumns: string[];
}

/** Step 1: checks the rows and prepares requests, ids and protected inputs. */
export function prepare(
  dataset: Dataset,
  options: { targetField?: string; idField?: string },
): Prepared {
  const target = options.targetField ?? dataset.schema.target ?? "expected_outcome";
  const rows = dataset.rows;
  if (rows.length === 0) throw new RangeError(`Dataset '${dataset.name}' has no rows to evaluate`);
  const missing = rows.findIndex((r) => r[target] === undefined || r[target] === null);
  if (missing >= 0) {
    throw new TypeError(
      `Expected every row of '${dataset.name}' to have the target field '${target}' but row ${missing} has none` +
        ` (fields: ${Object.keys(rows[missing]!).join(", ")})`,
    );
  }
  const idField = idFieldOf(dataset, options.idField);
  // The agent never sees the label.
  const requests: Row[] = rows.map((r) => {
    const { [target]: _t, ...rest } = r;
    return rest;
  });
  const inputs = requests.map(personalDataProtector(dataset.schema));
  const inputColumns: string[] = [];
  const seen = new Set<string>();
  for (const r of inputs.slice(0, 100)) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k) && k !== idField) {
        seen.add(k);
        inputColumns.push(k);
      }
    }
  }
  return {
    dataset,
    target,
    requests,
    expected: rows.map((r) => String(r[target])),
    ids: rows.map((r, i) => (idField && r[idField] !== undefined ? String(r[idField]) : String(i))),
    inputs,
    inputColumns,
  };
}

/** One trial: its scored rows and summary. */
export interface Trial {
  /** Rows of the trial (dataset order). */
  rows: EvalRow[];
  /** The trial's summary. */
  summary: EvalSummary;
}

/** Options of {@link runTrials}. */
export interface TrialOptions extends SummaryClassOptions {
  /** Trials. */
  repeat: number;
  /** Prices. */
  prices: PriceTable;
  /** Runner options (concurrency, timeouts, retries, rate limit, signal). */
  runner: RunnerOptions;
  /** Progress, with the trial. */
  onProgress?: (p: RunProgress & { trial: number; trials: number }) => void;
}

/** Step 2: runs the agent over the rows `repeat` times, scoring and summarising each trial. */
export async function runTrials(
  agent: Agent,
  p: Prepared,
  o: TrialOptions,
): Promise<{ trials: Trial[]; cancelled: boolean }> {
  const labelSet = o.labels ? new Set(o.labels) : undefined;
  const validate = labelSet
    ? (d: AgentDecision) =>
      labelSet.has(d.outcome)
        ? undefined
        : `Expected outcome to be one of ${[...labelSet].join(", ")} but found '${d.outcome}'`
    : undefined;
  const trials: Trial[] = [];
  let cancelled = false;
  for (let trial = 1; trial <= o.repeat && !cancelled; trial++) {
    const out = await runAgent(agent, p.requests, {
      ...o.runner,
      ...(validate ? { validate } : {}),
      ...(o.onProgress
        ? { onProgress: (x: RunProgress) => o.onProgress!({ ...x, trial, trials: o.repeat }) }
        : {}),
    });
    cancelled = out.cancelled;
    if (out.records.length === 0 && cancelled) break;
    const usages: (Record<string, TokenUsage> | undefined)[] = [];
    const rows: EvalRow[] = out.records.map((rec) => {
      const i = rec.index, d = rec.decision;
      usages.push(d?.usage);
      return {
        trial,
        index: i,
        id: p.ids[i]!,
        input: p.inputs[i]!,
        expected: p.expected[i]!,
        predicted: d ? d.outcome : null,
        correct: d ? d.outcome === p.expected[i] : null,
        riskScore: d?.riskScore ?? null,
        latencyMs: rec.latencyMs,
        tokens: tokensOf(d?.usage),
        costUsd: d?.usage ? costOf(d.usage, o.prices).usd : 0,
        attempts: rec.attempts,
        errorType: rec.errorType ?? null,
        error: rec.errorMessage ?? null,
        reasons: d?.reasons ? d.reasons.join("; ") : null,
      };
    });
    const summary = EvalSummary.fromRows({
      rows,
      usages,
      prices: o.prices,
      retries: out.retries,
      rateLimited: out.rateLimited,
      wallMs: out.wallMs,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.positiveLabel !== undefined ? { positiveLabel: o.positiveLabel } : {}),
      ...(o.scoreLabel !== undefined ? { scoreLabel: o.scoreLabel } : {}),
    });
    trials.push({ rows, summary });
  }
  return { trials, cancelled };
}

/** Step 3: the result of the trials: metrics (aggregated over trials), classification, usage. */
export function summarise(
  agent: Agent,
  p: Prepared,
  run: { trials: Trial[]; cancelled: boolean },
): EvalResult {
  const trialMetrics = run.trials.map((t) => t.summary.toMetrics());
  const { metrics, summary } = aggregateTrials(trialMetrics);
  const all = run.trials.length > 0 ? EvalSummary.merge(run.trials.map((t) => t.summary)) : null;
  const last = run.trials.at(-1)?.summary.classification();
  const d = p.dataset;
  return new EvalResult({
    agent: { name: agent.name, version: agent.version, config: agent.config },
    dataset: {
      name: d.name,
      version: d.version,
      digest: d.digest,
      mlflowDigest: d.mlflowDigest,
      rowCount: d.rows.length,
    },
    targetField: p.target,
    status: run.cancelled ? "KILLED" : "FINISHED",
    metrics,
    trials: trialMetrics,
    ...(summary ? { summary } : {}),
    classification: {
      labels: all?.labels ?? [],
      ...(last?.positiveLabel !== undefined ? { positiveLabel: last.positiveLabel } : {}),
      confusionMatrix: all?.confusionMatrix ?? [],
      perClass: last?.perClass ?? {},
    },
    errors: { total: all?.counts.errors ?? 0, byType: { ...all?.errors } },
    usage: {
      ...(all?.usage ?? { perModel: {}, totalTokens: 0, totalUsd: 0, unpricedModels: [] }),
      usdPerRequest: all?.usdPerRequest ?? 0,
    },
    rows: run.trials.flatMap((t) => t.rows),
    inputColumns: p.inputColumns,
  });
}

/** Step 4: the baseline comparison (per-row diff and its metrics) and the gates. */
export function compare(
  result: EvalResult,
  baseline: Baseline | undefined,
  thresholds: Record<string, MetricThreshold> | undefined,
): void {
  if (baseline) {
    result.baseline = {
      runId: baseline.runId,
      metrics: baseline.metrics,
      ...(baseline.rows ? { rowDiff: diffRows(majorityRows(result.rows), baseline.rows) } : {}),
    };
    const c = result.baseline.rowDiff?.counts;
    if (c) Object.assign(result.metrics, rowDiffMetrics(c));
  }
  if (thresholds && Object.keys(thresholds).length > 0) {
    result.gate = validateMetrics(result.metrics, thresholds, baseline?.metrics);
  }
}

function tokensOf(u: Record<string, TokenUsage> | undefined): number {
  let n = 0;
  for (const x of Object.values(u ?? {})) {
    n += x.inputTokens + x.outputTokens + (x.cachedInputTokens ?? 0);
  }
  return n;
}

/** The one personal-data rule (lib/_internal/personal_data.ts) for the schema's columns. */
function personalDataProtector(schema: DatasetSchema): (row: Row) => Row {
  return createProtector({
    hash: schema.columns.filter((c) => c.personalData === "hash").map((c) => c.name),
    drop: schema.columns.filter((c) => c.personalData === "drop").map((c) => c.name),
  });
}
