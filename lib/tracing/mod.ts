/**
 * MLflow Tracing from Deno: spans with types, inputs, outputs, token usage and cost in
 * MLflow's attribute names; the current span across `await`; each finished trace written to
 * the local store before the call returns and delivered in the background (OTLP spans, then
 * the trace's info) — replayed after a crash or an outage, once.
 *
 * @example
 * ```ts
 * import { SpanType, Tracer, updateCurrentTrace } from "@evalkit/evalkit/tracing";
 * await using tracer = new Tracer({ storeDir: await Deno.makeTempDir() }); // + client, experimentId
 * await tracer.withSpan("loan-decision", async (span) => {
 *   updateCurrentTrace({ session: "s-1", user: "u-1" });
 *   span.setInputs({ income: 52000 });
 *   await tracer.withSpan("llm", (llm) => {
 *     llm.setTokenUsage({ inputTokens: 200, outputTokens: 40 }, { model: "gpt-4o-mini" });
 *   }, { spanType: SpanType.LLM });
 *   return { approved: true };
 * }, { spanType: SpanType.AGENT });
 * ```
 *
 * @module
 */
export { Span, SpanType } from "./span.ts";
export type { LlmCallInfo, SpanTokenUsage, SpanTypeKnown, SpanTypeName } from "./span.ts";
export { Tracer } from "./tracer.ts";
export type { SpanOptions, TracerOptions, TraceUpdate } from "./tracer.ts";
export { currentSpan, updateCurrentTrace, withSpan } from "./context.ts";
export { formatTraceparent, parseTraceparent } from "./traceparent.ts";
export type { TraceContext } from "./traceparent.ts";
export type { TraceOutboxStats } from "./_outbox.ts";
export {
  deliveredTraceCount,
  formatTraceTree,
  listLocalTraces,
  readLocalTrace,
  syncTraces,
} from "./local_traces.ts";
export type { LocalSpan, LocalTrace, SyncTracesOptions } from "./local_traces.ts";
