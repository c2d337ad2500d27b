/**
 * #18 item 26: each documented limit of the datasets code, at the limit and one past it, so a
 * `<` / `<=` slip is caught (nesting depth: nested_and_ids_test.ts).
 */
import assert from "node:assert/strict";
import {
  checkDatasetName,
  KindCounter,
  parseDatasetBytes,
  validateRows,
} from "../../lib/datasets/mod.ts";

const enc = new TextEncoder();

Deno.test("validateRows() keeps exactly maxIssues issues without truncating, and truncates at one more", () => {
  const schema = { columns: [{ name: "n", type: "integer" as const }] };
  const bad = (k: number) => Array.from({ length: k }, () => ({ n: "x" }));
  for (const max of [1, 10]) {
    const at = validateRows(bad(max), schema, { maxIssues: max });
    assert.deepEqual([at.issues.length, at.truncated], [max, false], `${max} issues, max ${max}`);
    const over = validateRows(bad(max + 1), schema, { maxIssues: max });
    assert.deepEqual([over.issues.length, over.truncated], [max, true], `${max + 1} issues`);
  }
  // The documented default is 100.
  assert.deepEqual(
    [validateRows(bad(100), schema).truncated, validateRows(bad(101), schema).truncated],
    [false, true],
  );
  assert.equal(validateRows(bad(101), schema).issues.length, 100);
});

Deno.test("integer columns accept ±(2^53 − 1) and refuse ±2^53 as out_of_range", () => {
  const schema = { columns: [{ name: "n", type: "integer" as const }] };
  const codes = (n: number) => validateRows([{ n }], schema).issues.map((i) => i.code);
  assert.deepEqual(codes(Number.MAX_SAFE_INTEGER), []);
  assert.deepEqual(codes(-Number.MAX_SAFE_INTEGER), []);
  assert.deepEqual(codes(2 ** 53), ["out_of_range"]);
  assert.deepEqual(codes(-(2 ** 53)), ["out_of_range"]);
});

Deno.test("dataset names: 1 and 100 characters are valid, 0 and 101 are not", () => {
  assert.deepEqual(checkDatasetName("a"), []);
  assert.deepEqual(checkDatasetName("a" + "b".repeat(99)), []);
  assert.equal(checkDatasetName("a" + "b".repeat(100))[0]?.code, "invalid_name");
  assert.equal(checkDatasetName("")[0]?.code, "invalid_name");
});

Deno.test("type inference needs a strict majority: half numeric is text, one more is a number", () => {
  const c = (nums: number, texts: number) => {
    const k = new KindCounter();
    for (let i = 0; i < nums; i++) k.add("integer");
    for (let i = 0; i < texts; i++) k.add("string");
    return k.type();
  };
  assert.equal(c(2, 2), "string");
  assert.equal(c(3, 2), "integer");
  const b = new KindCounter();
  b.add("boolean");
  b.add("string");
  assert.equal(b.type(), "string", "one boolean of two is not a majority");
  b.add("boolean");
  assert.equal(b.type(), "boolean");
});

Deno.test("maxRecordSize: a record of exactly the limit is read, one character more is invalid_csv", async () => {
  // csv-parse's max_record_size as it behaves in 7.0.3: a value of up to the limit is read.
  const limit = 20;
  const header = "id,v\n";
  const ok = `a,${"x".repeat(limit)}\n`;
  const over = `a,${"x".repeat(limit + 1)}\n`;
  const r = await parseDatasetBytes(enc.encode(header + ok), {
    format: "csv",
    maxRecordSize: limit,
  });
  assert.equal(r.rows.length, 1);
  await assert.rejects(
    parseDatasetBytes(enc.encode(header + over), { format: "csv", maxRecordSize: limit }),
    (err: { issues?: { code: string; line?: number }[] }) =>
      err.issues?.[0]?.code === "invalid_csv" && err.issues[0].line === 2,
  );
});

Deno.test("issue messages show numbers as numbers, Infinity included", () => {
  const schema = { columns: [{ name: "id", type: "string" as const }], id: "id" };
  const r = validateRows([{ id: Infinity }, { id: Infinity }], schema);
  const dup = r.issues.find((i) => i.code === "duplicate_id");
  assert.match(dup!.message, /Duplicate id Infinity \(first seen at row 0\)/);
});
