/**
 * #18 item 1, the same class in the trace outbox: a server that refuses the credentials (401)
 * or the permission (403) does not make finished traces "rejected for good"; they stay
 * pending and a later sync delivers them once the server accepts.
 */
import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { SpanType, syncTraces, Tracer, withSpan } from "../../lib/tracing/mod.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";
import { freshExperiment } from "./_helpers.ts";

for (const status of [401, 403]) {
  Deno.test(`a ${status} keeps finished traces pending, and a sync delivers them once the server accepts`, async () => {
    const { client: direct, experimentId } = await freshExperiment(`outbox-${status}`);
    await using proxy = await startFaultProxy(testMlflowUri());
    let refusing = true;
    proxy.inject({
      kind: "status",
      status,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        error_code: status === 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED",
      }),
    }, { match: () => refusing, times: 1_000_000 });
    using client = new MlflowClient({ trackingUri: proxy.uri, retry: { maxRetries: 0 } });
    const storeDir = await Deno.makeTempDir();
    const ids: string[] = [];
    {
      const tracer = new Tracer({
        client,
        experimentId,
        storeDir,
        flush: { intervalMs: 1, maxBackoffMs: 50 },
      });
      for (let i = 0; i < 10; i++) {
        ids.push(tracer.withSpan("call", (root) => {
          withSpan("rules", () => "ok", { spanType: SpanType.TOOL });
          return root.traceId;
        }, { spanType: SpanType.AGENT }));
      }
      const stats = await tracer.flush({ timeoutMs: 500 });
      assert.equal(stats.rejected, 0, "a refusal is not a rejection of the traces");
      assert.equal(stats.pending, 10);
      assert.match(stats.lastError ?? "", new RegExp(`HTTP ${status}`));
      await tracer.close({ timeoutMs: 50 });
    }
    refusing = false;
    const synced = await syncTraces({ client, storeDir, timeoutMs: 60_000 });
    assert.equal(synced.delivered, 10);
    assert.equal(synced.pending, 0);
    for (const id of ids) assert.equal((await direct.traces.getInfo(id)).traceId, id);
    await Deno.remove(storeDir, { recursive: true });
  });
}
