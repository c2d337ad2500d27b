/**
 * Traces in the local store: list them, read one, print it as a tree, and push the ones not
 * yet delivered to an MLflow server.
 *
 * @module
 */
import type { MlflowClient } from "../mlflow/client.ts";
import { readJsonLines } from "../tracking/_outbox.ts";
import { defaultStoreDir } from "../tracking/_outbox.ts";
import type { TraceLine } from "./_active_trace.ts";
import { TraceOutbox, type TraceOutboxStats, traceTargetKey } from "./_outbox.ts";

/** A span of a stored trace. */
export interface LocalSpan {
  /** 16 hex. */
  spanId: string;
  /** Parent span id; undefined on the root. */
  parentSpanId?: string;
  /** Name. */
  name: string;
  /** Type. */
  spanType: string;
  /** Start (ms since the epoch, fractional). */
  startMs: number;
  /** Duration (ms). */
  durationMs: number;
  /** OK, ERROR or UNSET. */
  status: string;
  /** Status message. */
  statusMessage?: string;
  /** Attributes. */
  attributes: Record<string, unknown>;
  /** Inputs, when set. */
  inputs?: unknown;
  /** Outputs, when set. */
  outputs?: unknown;
}

/** A trace of the local store. */
export interface LocalTrace {
  /** `tr-` + 32 hex. */
  traceId: string;
  /** Root span name. */
  name: string;
  /** Experiment id it was recorded for, when known. */
  experimentId?: string;
  /** Start (ms). */
  startMs: number;
  /** Duration (ms). */
  durationMs: number;
  /** OK or ERROR. */
  state: string;
  /** Tags. */
  tags: Record<string, string>;
  /** Metadata (run and model links, session, user, token usage, cost). */
  metadata: Record<string, string>;
  /** Spans, in starting order. */
  spans: LocalSpan[];
  /** Segment file and line it is stored at. */
  location: { segment: string; line: number };
}

function toLocal(t: TraceLine, segment: string, line: number): LocalTrace {
  return {
    traceId: `tr-${t.tid}`,
    name: t.tags["mlflow.traceName"] ?? t.spans[0]?.n ?? "",
    ...(t.eid === undefined ? {} : { experimentId: t.eid }),
    startMs: t.t,
    durationMs: t.d,
    state: t.st,
    tags: t.tags,
    metadata: t.meta,
    spans: t.spans.map((s) => ({
      spanId: s.id,
      ...(s.p === undefined ? {} : { parentSpanId: s.p }),
      name: s.n,
      spanType: s.ty,
      startMs: s.s / 1000,
      durationMs: (s.e - s.s) / 1000,
      status: s.c,
      ...(s.m === undefined ? {} : { statusMessage: s.m }),
      attributes: s.a,
      ...("in" in s ? { inputs: s.in } : {}),
      ...("out" in s ? { outputs: s.out } : {}),
    })),
    location: { segment, line },
  };
}

async function segments(storeDir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(`${storeDir}/traces`)) {
      if (e.isFile && e.name.endsWith(".jsonl")) names.push(e.name.slice(0, -6));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}

/**
 * Every trace of the local store, oldest segment first, in finishing order.
 *
 * @example
 * ```ts
 * import { listLocalTraces, Tracer } from "@evalkit/evalkit/tracing";
 * const storeDir = await Deno.makeTempDir();
 * { await using tracer = new Tracer({ storeDir }); tracer.withSpan("a", () => 1); }
 * const traces = await listLocalTraces({ storeDir });
 * if (traces.length !== 1 || traces[0]!.name !== "a") throw new Error();
 * ```
 */
export async function listLocalTraces(options: { storeDir?: string } = {}): Promise<LocalTrace[]> {
  const storeDir = options.storeDir ?? defaultStoreDir();
  const out: LocalTrace[] = [];
  for (const seg of await segments(storeDir)) {
    const lines = await readJsonLines<TraceLine>(`${storeDir}/traces/${seg}.jsonl`);
    lines.forEach((t, i) => out.push(toLocal(t, seg, i)));
  }
  return out;
}

/**
 * One trace of the local store by id (`tr-…`, or a unique prefix of its hex digits).
 *
 * @example
 * ```ts
 * import { readLocalTrace, Tracer } from "@evalkit/evalkit/tracing";
 * const storeDir = await Deno.makeTempDir();
 * let id = "";
 * { await using tracer = new Tracer({ storeDir }); tracer.withSpan("a", (s) => { id = s.traceId; }); }
 * if ((await readLocalTrace(id, { storeDir }))?.traceId !== id) throw new Error();
 * ```
 */
export async function readLocalTrace(
  id: string,
  options: { storeDir?: string } = {},
): Promise<LocalTrace | undefined> {
  const want = id.startsWith("tr-") ? id.slice(3) : id;
  const found = (await listLocalTraces(options)).filter((t) => t.traceId.slice(3).startsWith(want));
  if (found.length > 1) {
    throw new RangeError(`Expected '${id}' to name one trace but ${found.length} start with it`);
  }
  return found[0];
}

/**
 * A trace as an indented tree: one line per span with its type, duration and status.
 *
 * @example
 * ```ts
 * import { formatTraceTree, readLocalTrace, Tracer } from "@evalkit/evalkit/tracing";
 * const storeDir = await Deno.makeTempDir();
 * let id = "";
 * {
 *   await using tracer = new Tracer({ storeDir });
 *   tracer.withSpan("root", (s) => { id = s.traceId; tracer.withSpan("child", () => 1); });
 * }
 * const text = formatTraceTree((await readLocalTrace(id, { storeDir }))!);
 * if (!text.includes("└─ child")) throw new Error(text);
 * ```
 */
export function formatTraceTree(trace: LocalTrace): string {
  const children = new Map<string | undefined, LocalSpan[]>();
  const ids = new Set(trace.spans.map((s) => s.spanId));
  for (const s of trace.spans) {
    const parent = s.parentSpanId !== undefined && ids.has(s.parentSpanId)
      ? s.parentSpanId
      : undefined;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const lines = [
    `${trace.traceId}  ${trace.name}  ${trace.state}  ${trace.durationMs.toFixed(1)} ms  ${
      new Date(trace.startMs).toISOString()
    }`,
  ];
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((s, i) => {
      const last = i === list.length - 1;
      const status = s.status === "ERROR"
        ? `ERROR${s.statusMessage ? ` (${s.statusMessage})` : ""}`
        : s.status;
      lines.push(
        `${prefix}${last ? "└─ " : "├─ "}${s.name}  [${s.spanType}]  ${
          s.durationMs.toFixed(1)
        } ms  ${status}`,
      );
      walk(s.spanId, prefix + (last ? "   " : "│  "));
    });
  };
  walk(undefined, "");
  return lines.join("\n");
}

/** Options of {@link syncTraces}. */
export interface SyncTracesOptions {
  /** The server. */
  client: MlflowClient;
  /** Experiment for traces recorded without one (local-only tracers). */
  experimentId?: string;
  /** The store folder. Default `$EVALKIT_HOME/store` or `.evalkit/store`. */
  storeDir?: string;
  /** Give up waiting after this long (what is left stays for the next sync). Default 120000 ms. */
  timeoutMs?: number;
  /** Told about each delivery failure. */
  onError?: (error: unknown) => void;
}

/**
 * Delivers every trace of the local store not yet acknowledged by this server (traces of
 * writers that are no longer running), in order, each once; returns the counters.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * import { syncTraces } from "@evalkit/evalkit/tracing";
 * const client = MlflowClient.fromUri("http://127.0.0.1:5000");
 * const stats = await syncTraces({ client, experimentId: "1" });
 * console.log(stats.delivered, stats.pending);
 * ```
 */
export async function syncTraces(options: SyncTracesOptions): Promise<TraceOutboxStats> {
  const outbox = new TraceOutbox({
    storeDir: options.storeDir ?? defaultStoreDir(),
    client: options.client,
    ...(options.experimentId ? { experimentId: options.experimentId } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    replay: true,
  });
  return await outbox.close({ timeoutMs: options.timeoutMs ?? 120_000 });
}

/**
 * How many of the store's traces a server has acknowledged.
 *
 * @example
 * ```ts
 * import { deliveredTraceCount } from "@evalkit/evalkit/tracing";
 * const n = await deliveredTraceCount("http://127.0.0.1:5000", { storeDir: await Deno.makeTempDir() });
 * if (n !== 0) throw new Error();
 * ```
 */
export async function deliveredTraceCount(
  uri: string,
  options: { storeDir?: string } = {},
): Promise<number> {
  const storeDir = options.storeDir ?? defaultStoreDir();
  let n = 0;
  for (const seg of await segments(storeDir)) {
    let acked = 0;
    for (
      const l of await readJsonLines<{ a?: number }>(
        `${storeDir}/traces/acks/${traceTargetKey(uri)}/${seg}.jsonl`,
      )
    ) if (typeof l.a === "number") acked = Math.max(acked, l.a);
    n += acked;
  }
  return n;
}
