/**
 * `MetricsCollector`: the Prometheus-style counters and latency histogram of a served agent,
 * summarised per window into MLflow metrics with stable keys, with DDSketch quantiles
 * (relative error ≤ 1% by default) in bounded memory, mergeable across processes.
 *
 * @module
 */
import { DDSketch, type DDSketchJson } from "../stats/ddsketch.ts";
import type { MetricInput } from "../mlflow/types.ts";
import { sanitizeKeySegment } from "./_validate.ts";
import {
  type ModelPrice,
  priceOf,
  type PriceTable,
  type TokenUsage,
  usageCostUsd,
} from "../_internal/cost.ts";
import type { RunHandle } from "./run_handle.ts";

export type { ModelPrice, PriceTable, TokenUsage };

/** Options of {@link MetricsCollector}. */
export interface MetricsCollectorOptions {
  /** Run to flush window metrics into (through its outbox). */
  run?: RunHandle;
  /** Or: a server run id and a client to send window metrics with `logBatch`. */
  runId?: string;
  /** Client for `runId`. */
  client?: {
    runs: { logBatch(runId: string, batch: { metrics: MetricInput[] }): Promise<unknown> };
  };
  /** Flush period in ms; 0 disables the timer (call {@link MetricsCollector.flush}). Default 60000. */
  flushIntervalMs?: number;
  /** Price table by model name (USD per 1M tokens; `prefix*` keys match by prefix), as in evaluation. */
  prices?: PriceTable;
  /** Sketch relative accuracy. Default 0.01. */
  relativeAccuracy?: number;
}

/** Latency statistics in ms. */
export interface LatencySummary {
  /** Observations. */
  count: number;
  /** Mean (exact). */
  avg: number;
  /** Median (within the sketch's relative accuracy). */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Largest observation (exact). */
  max: number;
}

/** The snapshot {@link MetricsCollector.getSummary} returns. */
export class MetricsSummary {
  /** Built by {@link MetricsCollector.getSummary}. */
  constructor(
    /** Agent name. */
    readonly agentName: string,
    /** Requests by status. */
    readonly requests: { total: number; byStatus: Record<string, number> },
    /** Errors: total, rate (errors / requests), count and rate by type. */
    readonly errors: {
      total: number;
      rate: number;
      byType: Record<string, { count: number; rate: number }>;
    },
    /** Latency (ms), quantiles within the sketch's relative accuracy. */
    readonly latencyMs: LatencySummary,
    /** Tokens and cost per model. */
    readonly tokens: Record<
      string,
      { input: number; output: number; cachedInput: number; costUsd: number | null }
    >,
    /** Total cost over models with a price. */
    readonly costUsd: number,
    /** Risk score distribution: count, avg, quantiles, and 10 bins over [0, 1]. */
    readonly riskScore: {
      count: number;
      avg: number;
      p50: number;
      p90: number;
      p99: number;
      bins: number[];
    },
    /** Decisions by outcome. */
    readonly decisions: Record<string, number>,
  ) {}

  /** Plain text, for logs and terminals. */
  toString(): string {
    const f = (n: number) =>
      Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)) : "—";
    const lines = [
      `${this.agentName}: ${this.requests.total} requests (${
        Object.entries(this.requests.byStatus).map(([k, v]) => `${k} ${v}`).join(", ") || "none"
      })`,
      `errors ${this.errors.total} (rate ${(this.errors.rate * 100).toFixed(2)}%)` +
      (Object.keys(this.errors.byType).length
        ? `: ${Object.entries(this.errors.byType).map(([k, v]) => `${k} ${v.count}`).join(", ")}`
        : ""),
      `latency ms: avg ${f(this.latencyMs.avg)} p50 ${f(this.latencyMs.p50)} p95 ${
        f(this.latencyMs.p95)
      } ` +
      `p99 ${f(this.latencyMs.p99)} max ${f(this.latencyMs.max)}`,
      ...Object.entries(this.tokens).map(([m, t]) =>
        `${m}: in ${t.input} (cached ${t.cachedInput}) out ${t.output} cost ${
          t.costUsd === null ? "n/a" : `$${t.costUsd.toFixed(4)}`
        }`
      ),
      `risk score: n ${this.riskScore.count} avg ${f(this.riskScore.avg)} p50 ${
        f(this.riskScore.p50)
      } p90 ${f(this.riskScore.p90)}`,
      `decisions: ${
        Object.entries(this.decisions).map(([k, v]) => `${k} ${v}`).join(", ") || "none"
      }`,
    ];
    return lines.join("\n");
  }

  /** Rich display in Jupyter (Deno kernel) without `Deno.jupyter`: `text/plain` and `text/html`. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return this.toMimeBundle();
  }

  /** The `text/plain` and `text/html` renderings Jupyter shows. */
  toMimeBundle(): Record<string, string> {
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const row = (k: string, v: string) =>
      `<tr><th style="text-align:left">${esc(k)}</th><td>${esc(v)}</td></tr>`;
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "—");
    const rows = [
      row("requests", String(this.requests.total)),
      ...Object.entries(this.requests.byStatus).map(([k, v]) => row(`requests/${k}`, String(v))),
      row("error rate", `${(this.errors.rate * 100).toFixed(2)}%`),
      ...Object.entries(this.errors.byType).map(([k, v]) =>
        row(`errors/${k}`, `${v.count} (${(v.rate * 100).toFixed(2)}%)`)
      ),
      row(
        "latency ms avg / p50 / p95 / p99 / max",
        [
          this.latencyMs.avg,
          this.latencyMs.p50,
          this.latencyMs.p95,
          this.latencyMs.p99,
          this.latencyMs.max,
        ].map(f).join(" / "),
      ),
      ...Object.entries(this.tokens).map(([m, t]) =>
        row(
          `tokens ${m}`,
          `in ${t.input}, cached ${t.cachedInput}, out ${t.output}, cost ${
            t.costUsd === null ? "n/a" : `$${t.costUsd.toFixed(4)}`
          }`,
        )
      ),
      row(
        "risk score avg / p50 / p90 / p99",
        [this.riskScore.avg, this.riskScore.p50, this.riskScore.p90, this.riskScore.p99].map(f)
          .join(" / "),
      ),
      ...Object.entries(this.decisions).map(([k, v]) => row(`decisions/${k}`, String(v))),
    ];
    return {
      "text/plain": this.toString(),
      "text/html": `<table><caption>${esc(this.agentName)} metrics</caption>${
        rows.join("")
      }</table>`,
    };
  }
}

/** The mergeable state of a collector ({@link MetricsCollector.toJSON}). */
export interface MetricsCollectorJson {
  /** Always `evalkit.metrics-collector`. */
  format: "evalkit.metrics-collector";
  /** Format version. */
  version: 1;
  /** Agent name. */
  agentName: string;
  /** Requests by status. */
  requests: Record<string, number>;
  /** Errors by type. */
  errors: Record<string, number>;
  /** Tokens by model. */
  tokens: Record<string, { input: number; output: number; cachedInput: number }>;
  /** Decisions by outcome. */
  decisions: Record<string, number>;
  /** Latency sketch (ms). */
  latency: DDSketchJson;
  /** Risk score sketch. */
  risk: DDSketchJson;
  /** Risk scores in 10 bins over [0, 1]. */
  riskBins: number[];
}

function addCounts(into: Map<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into.set(k, (into.get(k) ?? 0) + v);
}

/**
 * Counters, latency and cost of a served agent, flushed per window as MLflow metrics.
 *
 * @example
 * ```ts
 * import { MetricsCollector } from "@evalkit/evalkit/tracking";
 * const metrics = new MetricsCollector("loan_approval", {
 *   flushIntervalMs: 0,
 *   prices: { "gpt-x": { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 } },
 * });
 * metrics.recordRequest("ok");
 * metrics.recordDuration(120);
 * metrics.recordTokenUsage("gpt-x", { inputTokens: 1000, outputTokens: 200 });
 * console.log(metrics.getSummary().latencyMs.p95 > 0); // true
 * await metrics.close();
 * ```
 */
export class MetricsCollector {
  /** Agent name. */
  readonly agentName: string;
  #options: MetricsCollectorOptions;
  #alpha: number;
  #requests = new Map<string, number>();
  #errors = new Map<string, number>();
  #tokens = new Map<string, { input: number; output: number; cachedInput: number }>();
  #decisions = new Map<string, number>();
  /** Everything before the current window. */
  #latency: DDSketch;
  /** The current window (merged into #latency at each flush). */
  #window: DDSketch;
  #risk: DDSketch;
  #riskWindow: DDSketch;
  #riskBins = new Array<number>(10).fill(0);
  #windowRequests = 0;
  #windowErrors = 0;
  #windowIndex = 0;
  #timer?: ReturnType<typeof setInterval>;
  #flushing?: Promise<void>;
  /** Errors from sending window metrics (when flushing with `runId` + `client`). */
  readonly flushErrors: unknown[] = [];

  /** A collector for one agent; with `run` (or `runId` + `client`) a timer flushes each window. */
  constructor(agentName: string, options: MetricsCollectorOptions = {}) {
    this.agentName = agentName;
    this.#options = options;
    this.#alpha = options.relativeAccuracy ?? 0.01;
    this.#latency = new DDSketch({ relativeAccuracy: this.#alpha });
    this.#window = new DDSketch({ relativeAccuracy: this.#alpha });
    this.#risk = new DDSketch({ relativeAccuracy: this.#alpha });
    this.#riskWindow = new DDSketch({ relativeAccuracy: this.#alpha });
    const every = options.flushIntervalMs ?? 60_000;
    if (every > 0 && (options.run || options.runId)) {
      const timer = setInterval(() => void this.flush(), every);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Windows flushed so far (the next window's step). */
  get windowIndex(): number {
    return this.#windowIndex;
  }

  /** Counts a request by status (e.g. `ok`, `error`, `timeout`). */
  recordRequest(status = "ok"): void {
    this.#requests.set(status, (this.#requests.get(status) ?? 0) + 1);
    this.#windowRequests++;
  }

  /** Adds a request latency in ms. */
  recordDuration(ms: number): void {
    this.#window.add(ms);
  }

  /** Adds a model call's token usage. */
  recordTokenUsage(model: string, usage: TokenUsage): void {
    let t = this.#tokens.get(model);
    if (!t) this.#tokens.set(model, t = { input: 0, output: 0, cachedInput: 0 });
    t.input += usage.inputTokens;
    t.output += usage.outputTokens;
    t.cachedInput += usage.cachedInputTokens ?? 0;
  }

  /** Counts an error by type (e.g. `timeout`, `validation`, `upstream_5xx`). */
  recordError(type: string): void {
    this.#errors.set(type, (this.#errors.get(type) ?? 0) + 1);
    this.#windowErrors++;
  }

  /** Adds a risk score in [0, 1]. */
  recordRiskScore(score: number): void {
    if (!(score >= 0 && score <= 1)) {
      throw new RangeError(`Expected a risk score in [0, 1] but found ${score}`);
    }
    this.#riskWindow.add(score);
    this.#riskBins[Math.min(9, Math.floor(score * 10))]!++;
  }

  /** Counts a decision by outcome (e.g. `approve`, `reject`). */
  recordDecision(outcome: string): void {
    this.#decisions.set(outcome, (this.#decisions.get(outcome) ?? 0) + 1);
  }

  #cost(model: string, t: { input: number; output: number; cachedInput: number }): number | null {
    const p = this.#options.prices ? priceOf(model, this.#options.prices) : undefined;
    if (!p) return null;
    return usageCostUsd({
      inputTokens: t.input,
      outputTokens: t.output,
      cachedInputTokens: t.cachedInput,
    }, p);
  }

  #allLatency(): DDSketch {
    return DDSketch.fromJSON(this.#latency.toJSON()).merge(this.#window);
  }

  #allRisk(): DDSketch {
    return DDSketch.fromJSON(this.#risk.toJSON()).merge(this.#riskWindow);
  }

  /** The summary over everything recorded (and merged) so far. */
  getSummary(): MetricsSummary {
    const total = [...this.#requests.values()].reduce((a, b) => a + b, 0);
    const errTotal = [...this.#errors.values()].reduce((a, b) => a + b, 0);
    const lat = this.#allLatency();
    const risk = this.#allRisk();
    const tokens: MetricsSummary["tokens"] = {};
    let cost = 0;
    for (const [m, t] of [...this.#tokens].sort(([a], [b]) => a.localeCompare(b))) {
      const c = this.#cost(m, t);
      if (c !== null) cost += c;
      tokens[m] = { ...t, costUsd: c };
    }
    const sorted = <V>(m: Map<string, V>) =>
      Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
    const byType: Record<string, { count: number; rate: number }> = {};
    for (const [k, v] of [...this.#errors].sort(([a], [b]) => a.localeCompare(b))) {
      byType[k] = { count: v, rate: total ? v / total : 0 };
    }
    const q = (s: DDSketch, x: number) => (s.count ? s.quantile(x) : NaN);
    return new MetricsSummary(
      this.agentName,
      { total, byStatus: sorted(this.#requests) },
      { total: errTotal, rate: total ? errTotal / total : 0, byType },
      {
        count: lat.count,
        avg: lat.count ? lat.sum / lat.count : NaN,
        p50: q(lat, 0.5),
        p95: q(lat, 0.95),
        p99: q(lat, 0.99),
        max: lat.count ? lat.max : NaN,
      },
      tokens,
      cost,
      {
        count: risk.count,
        avg: risk.count ? risk.sum / risk.count : NaN,
        p50: q(risk, 0.5),
        p90: q(risk, 0.9),
        p99: q(risk, 0.99),
        bins: [...this.#riskBins],
      },
      sorted(this.#decisions),
    );
  }

  /**
   * The metrics of the current window with the stable keys (step = window index):
   * `requests/total`, `requests/<status>`, `requests/window`, `errors/total`, `errors/rate`
   * (window), `errors/<type>`, `latency_ms/{avg,p50,p95,p99,max}` (window),
   * `risk_score/{avg,p50,p95}` (window), `tokens/<model>/{input,output,cached_input}`,
   * `cost_usd/<model>`, `cost_usd/total`, `decisions/<outcome>`; counters are cumulative.
   */
  windowMetrics(): Record<string, number> {
    const m: Record<string, number> = {};
    const s = sanitizeKeySegment;
    let total = 0;
    for (const [k, v] of this.#requests) {
      m[`requests/${s(k)}`] = v;
      total += v;
    }
    m["requests/total"] = total;
    m["requests/window"] = this.#windowRequests;
    let errors = 0;
    for (const [k, v] of this.#errors) {
      m[`errors/${s(k)}`] = v;
      errors += v;
    }
    m["errors/total"] = errors;
    m["errors/rate"] = this.#windowRequests ? this.#windowErrors / this.#windowRequests : 0;
    const w = this.#window;
    if (w.count) {
      m["latency_ms/avg"] = w.sum / w.count;
      m["latency_ms/p50"] = w.quantile(0.5);
      m["latency_ms/p95"] = w.quantile(0.95);
      m["latency_ms/p99"] = w.quantile(0.99);
      m["latency_ms/max"] = w.max;
    }
    const r = this.#riskWindow;
    if (r.count) {
      m["risk_score/avg"] = r.sum / r.count;
      m["risk_score/p50"] = r.quantile(0.5);
      m["risk_score/p95"] = r.quantile(0.95);
    }
    let cost = 0;
    for (const [model, t] of this.#tokens) {
      m[`tokens/${s(model)}/input`] = t.input;
      m[`tokens/${s(model)}/output`] = t.output;
      m[`tokens/${s(model)}/cached_input`] = t.cachedInput;
      const c = this.#cost(model, t);
      if (c !== null) {
        m[`cost_usd/${s(model)}`] = c;
        cost += c;
      }
    }
    if (this.#tokens.size) m["cost_usd/total"] = cost;
    for (const [k, v] of this.#decisions) m[`decisions/${s(k)}`] = v;
    return m;
  }

  /**
   * Closes the current window: logs its metrics at step = window index (to the run or
   * `runId`), then starts a new window. Returns the metrics logged.
   */
  async flush(): Promise<Record<string, number>> {
    await this.#flushing;
    const metrics = this.windowMetrics();
    const step = this.#windowIndex++;
    const timestamp = Date.now();
    this.#latency.merge(this.#window);
    this.#window = new DDSketch({ relativeAccuracy: this.#alpha });
    this.#risk.merge(this.#riskWindow);
    this.#riskWindow = new DDSketch({ relativeAccuracy: this.#alpha });
    this.#windowRequests = 0;
    this.#windowErrors = 0;
    const { run, runId, client } = this.#options;
    if (run && run.status === "RUNNING") {
      run.logMetrics(metrics, { step, timestamp });
    } else if (runId && client) {
      const batch = Object.entries(metrics).map(([key, value]) => ({
        key,
        value,
        step,
        timestamp,
      }));
      this.#flushing = client.runs.logBatch(runId, { metrics: batch }).then(
        () => {},
        (err) => void this.flushErrors.push(err),
      );
      await this.#flushing;
    }
    return metrics;
  }

  /** The mergeable state (counters and sketches), e.g. to save as an artifact. */
  toJSON(): MetricsCollectorJson {
    return {
      format: "evalkit.metrics-collector",
      version: 1,
      agentName: this.agentName,
      requests: Object.fromEntries(this.#requests),
      errors: Object.fromEntries(this.#errors),
      tokens: Object.fromEntries([...this.#tokens].map(([k, v]) => [k, { ...v }])),
      decisions: Object.fromEntries(this.#decisions),
      latency: this.#allLatency().toJSON(),
      risk: this.#allRisk().toJSON(),
      riskBins: [...this.#riskBins],
    };
  }

  /**
   * Adds another collector's data (same process or a {@link MetricsCollector.toJSON} from
   * another one). Counters add up; sketches merge exactly.
   */
  merge(other: MetricsCollector | MetricsCollectorJson): this {
    const j = other instanceof MetricsCollector ? other.toJSON() : other;
    if (j.format !== "evalkit.metrics-collector") {
      throw new TypeError(`Expected format 'evalkit.metrics-collector' but found '${j.format}'`);
    }
    addCounts(this.#requests, j.requests);
    addCounts(this.#errors, j.errors);
    addCounts(this.#decisions, j.decisions);
    for (const [k, v] of Object.entries(j.tokens)) {
      const t = this.#tokens.get(k) ?? { input: 0, output: 0, cachedInput: 0 };
      t.input += v.input;
      t.output += v.output;
      t.cachedInput += v.cachedInput;
      this.#tokens.set(k, t);
    }
    this.#latency.merge(DDSketch.fromJSON(j.latency));
    this.#risk.merge(DDSketch.fromJSON(j.risk));
    j.riskBins.forEach((n, i) => this.#riskBins[i]! += n);
    return this;
  }

  /** Rebuilds a collector from {@link MetricsCollector.toJSON} (no timer, no run). */
  static fromJSON(
    json: MetricsCollectorJson,
    options: MetricsCollectorOptions = {},
  ): MetricsCollector {
    return new MetricsCollector(json.agentName, { ...options, flushIntervalMs: 0 }).merge(json);
  }

  /**
   * Stops the timer. With a run: flushes the last window and saves the state as the
   * artifact `metrics/<agent>_collector.json` (sketches included).
   */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    const run = this.#options.run;
    if (run && run.status === "RUNNING") {
      if (this.#windowRequests || this.#window.count || this.#riskWindow.count) await this.flush();
      await run.logArtifact(
        `metrics/${sanitizeKeySegment(this.agentName)}_collector.json`,
        JSON.stringify(this.toJSON()),
      );
    }
  }
}
