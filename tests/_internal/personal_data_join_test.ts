/**
 * The evaluation table and the decision log give an applicant the same pseudonym, read back
 * with MLflow's Python client from a real server: the two artifacts join.
 */
import assert from "node:assert/strict";
import { pseudonymize } from "../../lib/_internal/personal_data.ts";
import type { Dataset } from "../../lib/datasets/mod.ts";
import { AgentTracker } from "../../lib/tracking/mod.ts";
import { ModelEvaluator } from "../../lib/evaluation/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { mlflowPython } from "../_helpers/mlflow_python.ts";

Deno.test("the evaluation table and the decision log give an applicant the same pseudonym (they join)", async () => {
  const uri = testMlflowUri();
  const home = await Deno.makeTempDir();
  const names = ["Ada Lovelace", "Zoë Brontë".normalize("NFD"), "Alan Turing"];
  const dataset: Dataset = {
    name: "join",
    version: "1.0.0",
    rows: names.map((n, i) => ({
      request_id: `R${i}`,
      applicant_name: n,
      x: i,
      expected_outcome: "approve",
    })),
    schema: {
      columns: [
        { name: "request_id", type: "string", role: "id" },
        { name: "applicant_name", type: "string", personalData: "hash" },
        { name: "x", type: "integer" },
        { name: "expected_outcome", type: "string", role: "target" },
      ],
      target: "expected_outcome",
      id: "request_id",
    },
    digest: "0".repeat(64),
    mlflowDigest: "00000000",
    meta: {} as Dataset["meta"],
  };
  const tracker = new AgentTracker("join_agent", {
    trackingUri: uri,
    storeDir: `${home}/store`,
    experimentName: `/Shared/ai-agents/${uniqueName("join")}`,
  });
  try {
    const result = await new ModelEvaluator("join_agent", {
      name: "join_agent",
      version: "1.0.0",
      config: {},
      decide: () => Promise.resolve({ outcome: "approve" }),
    }).evaluateDataset(dataset, { tracker });
    const evalRunId = result.runId!;
    let logRunId: string;
    {
      await using run = await tracker.startRun({ purpose: "serve" });
      logRunId = run.runId;
      for (const [i, n] of names.entries()) {
        await run.logRequest({
          requestId: `R${i}`,
          requestData: { applicant_name: n, x: i },
          decisionData: { outcome: "approve" },
          durationMs: 1,
        });
      }
    }
    const read = await mlflowPython<{ table: Record<string, unknown>; log: string }>(
      uri,
      `
table = mlflow.artifacts.load_dict(f"runs:/${evalRunId}/eval_results_table.json")
log = mlflow.artifacts.load_text(f"runs:/${logRunId}/decisions/decision_log.jsonl")
print(json.dumps({"table": table, "log": log}))
`,
    );
    const columns = read.table.columns as string[];
    const rows = read.table.data as unknown[][];
    const idCol = columns.indexOf("id");
    const nameCol = columns.indexOf("applicant_name");
    const fromTable = new Map(rows.map((r) => [String(r[idCol]), String(r[nameCol])]));
    const fromLog = new Map(
      read.log.trim().split("\n").map((l) => JSON.parse(l)).map((
        l: { request_id: string; request: { applicant_name: string } },
      ) => [l.request_id, l.request.applicant_name]),
    );
    assert.equal(fromTable.size, 3);
    for (const [i, n] of names.entries()) {
      const expected = pseudonymize(n.normalize("NFC"));
      assert.equal(fromTable.get(`R${i}`), expected, `table row R${i}`);
      assert.equal(fromLog.get(`R${i}`), expected, `decision log R${i}`);
    }
  } finally {
    tracker.close();
    await Deno.remove(home, { recursive: true });
  }
});
