/**
 * The current span, found across `await`: read it, update its trace, or open a child span
 * from code that does not hold the tracer (a no-op outside a trace).
 *
 * @module
 */
import { Span, type SpanTypeName } from "./span.ts";
import { applyTraceUpdate, runInSpan, spanContext, type TraceUpdate } from "./tracer.ts";

/**
 * The current span, or `undefined` outside any trace.
 *
 * @example
 * ```ts
 * import { currentSpan, Tracer } from "@evalkit/evalkit/tracing";
 * await using tracer = new Tracer({ storeDir: await Deno.makeTempDir() });
 * await tracer.withSpan("outer", async () => {
 *   await new Promise((r) => setTimeout(r, 1));
 *   if (currentSpan()?.name !== "outer") throw new Error("lost across await");
 * });
 * if (currentSpan() !== undefined) throw new Error("leaked");
 * ```
 */
export function currentSpan(): Span | undefined {
  const span = spanContext.getStore();
  return span?.isRecording && span.endUs === undefined ? span : undefined;
}

/**
 * Sets trace-level fields on the current trace: tags, metadata, session, user, the caller's
 * request id, run and logged-model links. Does nothing outside a trace; returns whether it
 * applied.
 *
 * @example
 * ```ts
 * import { Tracer, updateCurrentTrace } from "@evalkit/evalkit/tracing";
 * await using tracer = new Tracer({ storeDir: await Deno.makeTempDir() });
 * tracer.withSpan("chat", () => {
 *   if (!updateCurrentTrace({ session: "s-1", user: "u-7", tags: { env: "dev" } })) throw new Error();
 * });
 * ```
 */
export function updateCurrentTrace(update: TraceUpdate): boolean {
  const trace = currentSpan()?._trace;
  if (!trace || trace.finished) return false;
  applyTraceUpdate(trace, update);
  return true;
}

const NOOP = new Span(undefined, "", "UNKNOWN", undefined);

/**
 * Runs `fn` in a child of the current span (ended with the result or error), for library code
 * that does not hold the tracer. Outside a trace it runs `fn` with a span that records nothing.
 *
 * @example
 * ```ts
 * import { withSpan } from "@evalkit/evalkit/tracing";
 * const n = withSpan("parse", (span) => { span.setInputs("42"); return 42; }, { spanType: "PARSER" });
 * if (n !== 42) throw new Error();
 * ```
 */
export function withSpan<T>(
  name: string,
  fn: (span: Span) => T,
  options: { spanType?: SpanTypeName; inputs?: unknown; attributes?: Record<string, unknown> } = {},
): T {
  const parent = currentSpan();
  const trace = parent?._trace;
  if (!parent || !trace || !trace.admit()) return fn(NOOP);
  const span = new Span(trace, name, options.spanType ?? "UNKNOWN", parent.spanId);
  trace.spans.push(span);
  if (options.inputs !== undefined) span.setInputs(options.inputs);
  if (options.attributes) span.setAttributes(options.attributes);
  return spanContext.run(span, runInSpan<T>, span, fn);
}
