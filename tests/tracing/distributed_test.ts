/**
 * Distributed tracing end to end against the suite's MLflow server: an evaluation-side span
 * calls the Loan Agent API through HttpAgent (which sends traceparent); the API traces the
 * decision continuing that trace. MLflow's Python client reads back one trace with both sides.
 */
import assert from "node:assert/strict";
import { HttpAgent } from "../../lib/agents/mod.ts";
import { createLoanAgentApp, serveLoanAgent, TokenSet } from "../../lib/server/mod.ts";
import { SpanType, Tracer } from "../../lib/tracing/mod.ts";
import { pseudonymize } from "../../lib/_internal/personal_data.ts";
import { application, ruleAgent } from "../server/_fixtures.ts";
import { freshExperiment, pyOracle } from "./_helpers.ts";

Deno.test("an evaluation row's trace and the Loan Agent API's decision span are one trace on the server", async () => {
  const { client, experimentId } = await freshExperiment("distributed");
  await using serviceTracer = new Tracer({
    client,
    experimentId,
    storeDir: await Deno.makeTempDir(),
  });
  const app = createLoanAgentApp({
    agent: ruleAgent(),
    tokens: await TokenSet.from(["tok-1234567890abcdef"]),
    tracer: serviceTracer,
  });
  await using server = serveLoanAgent(app, { port: 0 });
  const agent = new HttpAgent({
    url: `http://127.0.0.1:${server.addr.port}/api/v1/loan/decision`,
    auth: { type: "bearer", token: "tok-1234567890abcdef" },
  });
  await using evalTracer = new Tracer({ client, experimentId, storeDir: await Deno.makeTempDir() });
  let traceId = "";
  let rowSpanId = "";
  const decision = await evalTracer.withSpan("evaluate row 0", async (span) => {
    traceId = span.traceId;
    rowSpanId = span.spanId;
    return await agent.decide(application());
  }, { spanType: SpanType.CHAIN });
  assert.ok(decision.outcome);
  await serviceTracer.flush();
  await evalTracer.flush();
  const [py] = await pyOracle(["get", traceId]);
  const byName = Object.fromEntries(py!.spans.map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(byName).sort(), ["evaluate row 0", "loan_decision"]);
  assert.equal(byName["loan_decision"]!.parent_id, rowSpanId);
  assert.equal(byName["loan_decision"]!.span_type, "AGENT");
  const inputs = byName["loan_decision"]!.inputs as Record<string, unknown>;
  assert.equal(inputs.applicant_name, pseudonymize("Jane Roe"));
  assert.equal((byName["loan_decision"]!.outputs as { outcome: string }).outcome, decision.outcome);
  assert.equal(py!.info.tags["mlflow.traceName"], "evaluate row 0");
  assert.equal(py!.info.state, "OK");
});
