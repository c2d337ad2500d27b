import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetDigest, DatasetManager } from "../../lib/datasets/mod.ts";
import { fromDataFrame, toDataFrame } from "../../lib/datasets/danfo.ts";
import { ROOT } from "./_helpers.ts";

Deno.test("toDataFrame() and fromDataFrame() round-trip the shipped test set", async () => {
  const ds = await new DatasetManager({ basePath: join(ROOT, "datasets") }).load(
    "loan_approval_test_set",
  );
  const df = await toDataFrame(ds);
  assert.deepEqual(df.shape, [1200, 12]);
  assert.deepEqual(df.columns, ds.schema.columns.map((c) => c.name));
  const counts = df.column("expected_outcome").valueCounts();
  assert.equal(
    Number(counts.at("approve")),
    ds.rows.filter((r) => r.expected_outcome === "approve").length,
  );
  const back = await fromDataFrame(df, { schema: ds.schema });
  assert.deepEqual(back.rows, ds.rows);
  assert.equal(datasetDigest(back.rows).sha256, ds.digest);
});

Deno.test("fromDataFrame() infers a schema and turns missing cells into null", async () => {
  const dfd = await import("danfojs");
  const df = new dfd.DataFrame({
    request_id: ["a", "b"],
    x: [1.5, Number.NaN],
    expected_outcome: ["approve", "reject"],
  });
  const { rows, schema } = await fromDataFrame(df);
  assert.deepEqual(rows[1], { request_id: "b", x: null, expected_outcome: "reject" });
  assert.deepEqual(schema.columns.map((c) => [c.name, c.type, c.required]), [
    ["request_id", "string", true],
    ["x", "number", false],
    ["expected_outcome", "string", true],
  ]);
  assert.equal(schema.target, "expected_outcome");
});
