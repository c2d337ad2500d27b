import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DatasetError,
  loanApprovalSchema,
  parseDatasetBytes,
  readCsvStream,
  readDatasetFile,
  validateRows,
} from "../../lib/datasets/mod.ts";
import { firstInvalidUtf8 } from "../../lib/datasets/formats.ts";
import { ROOT } from "./_helpers.ts";

const enc = new TextEncoder();

Deno.test("the three formats give the same rows for the same data", async () => {
  const json = '[{"request_id":"a","age":30,"score":0.5,"ok":true,"expected_outcome":"approve"}]';
  const jsonl = '{"request_id":"a","age":30,"score":0.5,"ok":true,"expected_outcome":"approve"}\n';
  const csv = "request_id,age,score,ok,expected_outcome\na,30,0.5,true,approve\n";
  const a = await parseDatasetBytes(enc.encode(json), { format: "json" });
  const b = await parseDatasetBytes(enc.encode(jsonl), { format: "jsonl" });
  const c = await parseDatasetBytes(enc.encode(csv), { format: "csv" });
  assert.deepEqual(a.rows, b.rows);
  assert.deepEqual(b.rows, c.rows);
  assert.deepEqual(c.schema.columns.map((x) => [x.name, x.type]), [
    ["request_id", "string"],
    ["age", "integer"],
    ["score", "number"],
    ["ok", "boolean"],
    ["expected_outcome", "string"],
  ]);
  assert.equal(c.schema.target, "expected_outcome");
  assert.equal(c.schema.id, "request_id");
});

Deno.test("CSV inference picks the majority type and leaves odd values for validation to report", async () => {
  const csv = "id,n\na,1\nb,2\nc,oops\nd,\n";
  const r = await parseDatasetBytes(enc.encode(csv), { format: "csv", id: "id" });
  assert.equal(r.schema.columns[1]!.type, "integer");
  assert.equal(r.schema.columns[1]!.required, false, "an empty cell makes the column optional");
  assert.deepEqual(r.rows.map((x) => x.n), [1, 2, "oops", null]);
  const v = validateRows(r.rows, r.schema, { lineOf: r.lineOf, file: "x.csv" });
  assert.deepEqual(v.issues.map((i) => [i.code, i.line]), [["wrong_type", 4]]);
});

Deno.test("a declared schema converts CSV text to its types, quoting and embedded commas included", async () => {
  const header = loanApprovalSchema.columns.map((c) => c.name).join(",");
  const csv = `${header}\nT-1,"Smith, Ada",36,85000.5,720,20000,36,0.21,5,auto,rent,approve\n`;
  const r = await parseDatasetBytes(enc.encode(csv), { format: "csv", schema: loanApprovalSchema });
  assert.deepEqual(r.rows[0], {
    request_id: "T-1",
    applicant_name: "Smith, Ada",
    age: 36,
    annual_income: 85000.5,
    credit_score: 720,
    loan_amount: 20000,
    loan_term_months: 36,
    debt_to_income: 0.21,
    employment_years: 5,
    loan_purpose: "auto",
    home_ownership: "rent",
    expected_outcome: "approve",
  });
  assert.equal(validateRows(r.rows, r.schema).ok, true);
});

Deno.test("CSV from a stream split at awkward byte boundaries (inside a UTF-8 character) parses the same", async () => {
  const text = "id,name\n1,Zoë Müller\n2,Łukasz\n";
  const bytes = enc.encode(text);
  const whole = await parseDatasetBytes(bytes, { format: "csv" });
  const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.slice(i, i + 1));
  const split = await readCsvStream(ReadableStream.from(chunks), { file: "x" });
  assert.deepEqual(split.rows, whole.rows);
  assert.equal(split.rows[0]!.name, "Zoë Müller");
});

Deno.test("readDatasetFile() streams a 1,000,000-row CSV from a source that never holds the text", async () => {
  // A pull-based source: each chunk is made on demand from a counter, so the text never exists whole.
  const total = 1_000_000;
  let i = 0;
  let maxChunk = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === 0) controller.enqueue(enc.encode("request_id,x,y,label\n"));
      if (i >= total) return controller.close();
      const lines: string[] = [];
      for (let k = 0; k < 5000 && i < total; k++, i++) {
        lines.push(`r${i},${i % 97},${(i % 13) / 4},${i % 3 ? "a" : "b"}`);
      }
      const chunk = enc.encode(lines.join("\n") + "\n");
      maxChunk = Math.max(maxChunk, chunk.length);
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const r = await readCsvStream(source, { file: "gen.csv", target: "label" });
  assert.equal(r.rows.length, total);
  assert.deepEqual(r.rows[999_999], {
    request_id: "r999999",
    x: 999_999 % 97,
    y: (999_999 % 13) / 4,
    label: "b", // 999999 is a multiple of 3
  });
  assert.ok(maxChunk < 200_000, "chunks are small; the parser never got the whole text");
});

Deno.test("the errors of readDatasetFile() name the file, and a missing file is not_found", async () => {
  await assert.rejects(readDatasetFile(join(ROOT, "no/such.csv")), (err: unknown) => {
    assert.ok(err instanceof DatasetError);
    assert.equal(err.issues[0]!.code, "not_found");
    return true;
  });
  await assert.rejects(readDatasetFile(join(ROOT, "README.md")), (err: unknown) => {
    assert.ok(err instanceof DatasetError);
    assert.equal(err.issues[0]!.code, "unknown_format");
    return true;
  });
});

Deno.test("firstInvalidUtf8() finds bad bytes, overlong forms and surrogates", () => {
  assert.equal(firstInvalidUtf8(enc.encode("héllo")), -1);
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0xc3, 0x28])), 1);
  assert.equal(firstInvalidUtf8(new Uint8Array([0xc0, 0xaf])), 0, "overlong");
  assert.equal(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), 0, "surrogate");
  assert.equal(
    firstInvalidUtf8(new Uint8Array([0x61, 0xe2, 0x82]), true),
    -1,
    "partial end allowed",
  );
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0xe2, 0x82])), 1);
});

Deno.test("reading every malformed file in-process closes the file (sanitizers on) and fails clearly", async (t) => {
  const dir = join(ROOT, "tests/fixtures/datasets/malformed");
  for await (const e of Deno.readDir(dir)) {
    await t.step(e.name, async () => {
      const path = join(dir, e.name);
      try {
        const r = await readDatasetFile(path, { schema: loanApprovalSchema });
        const v = validateRows(r.rows, r.schema, { file: path, lineOf: r.lineOf });
        assert.equal(v.ok, false, "rows that parse must fail validation");
        assert.equal(v.issues[0]!.file, path);
      } catch (err) {
        assert.ok(err instanceof DatasetError, String(err));
        assert.equal(err.issues[0]!.file, path);
      }
    });
  }
});
