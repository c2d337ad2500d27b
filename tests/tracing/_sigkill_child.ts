/**
 * Child of outbox_test: traces agent calls (a root and 3 children each) against the suite's
 * MLflow server until killed, printing each trace id once its call has returned.
 */
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { SpanType, Tracer, withSpan } from "../../lib/tracing/mod.ts";

const client = new MlflowClient({ trackingUri: Deno.env.get("CHILD_URI")! });
const tracer = new Tracer({
  client,
  experimentId: Deno.env.get("CHILD_EXPERIMENT_ID")!,
  storeDir: Deno.env.get("CHILD_STORE")!,
  flush: { maxBatchTraces: 20, intervalMs: 5 },
});
const enc = new TextEncoder();
for (let i = 0;; i++) {
  const id = await tracer.withSpan("call", async (root) => {
    root.setInputs({ i });
    withSpan("validate", () => true, { spanType: SpanType.PARSER });
    await tracer.withSpan("rules", async () => {
      await new Promise((r) => setTimeout(r, 0));
      return "ok";
    }, { spanType: SpanType.TOOL });
    withSpan("score", () => i % 7, { spanType: SpanType.CHAIN });
    return root.traceId;
  }, { spanType: SpanType.AGENT });
  Deno.stdout.writeSync(enc.encode(`${id}\n`));
}
