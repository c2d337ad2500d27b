import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, MALFORMED, ROOT, snapshotTree, tempDir } from "./_helpers.ts";

/** Each malformed file, the issue code it must produce, and the 1-based line when known. */
const CORPUS: { file: string; code: string; line?: number; field?: string }[] = [
  { file: "truncated_json.json", code: "invalid_json", line: 4 },
  { file: "ragged_row.csv", code: "ragged_row", line: 3 },
  { file: "utf16_bom.csv", code: "unsupported_encoding", line: 1 },
  { file: "wrong_delimiter.csv", code: "wrong_delimiter", line: 1 },
  { file: "header_without_target.csv", code: "missing_target", line: 1 },
  { file: "text_in_numeric.csv", code: "wrong_type", line: 3, field: "credit_score" },
  { file: "duplicate_ids.csv", code: "duplicate_id", line: 3, field: "request_id" },
  { file: "empty_file.csv", code: "empty_file", line: 1 },
  { file: "zero_rows.csv", code: "empty_dataset" },
  { file: "huge_integer.csv", code: "out_of_range", line: 3, field: "credit_score" },
  { file: "huge_number.json", code: "non_finite", field: "annual_income" },
  { file: "nan_text.csv", code: "non_finite", line: 3, field: "annual_income" },
  { file: "invalid_utf8.csv", code: "invalid_utf8", line: 3 },
  { file: "not_an_array.json", code: "not_an_array", line: 1 },
  { file: "bad_jsonl_line.jsonl", code: "invalid_json", line: 3 },
  { file: "unclosed_quote.csv", code: "invalid_csv", line: 3 },
  { file: "invalid_target_value.jsonl", code: "invalid_value", line: 2, field: "expected_outcome" },
  { file: "missing_field.jsonl", code: "missing_field", line: 2, field: "age" },
  { file: "row_not_object.json", code: "not_an_object" },
  { file: "missing_target_value.csv", code: "missing_target", line: 3, field: "expected_outcome" },
  // #18 item 13: every csv-parse error is a located invalid_csv issue (never exit 1).
  { file: "quote_in_unquoted_field.csv", code: "invalid_csv", line: 3, field: "applicant_name" },
  { file: "text_after_closing_quote.csv", code: "invalid_csv", line: 4, field: "applicant_name" },
  {
    file: "unclosed_quote_after_blank_lines.csv",
    code: "invalid_csv",
    line: 5,
    field: "applicant_name",
  },
  // #18 item 15: physical lines after blank lines and quoted newlines, in every format.
  { file: "ragged_multiline_row.csv", code: "ragged_row", line: 3 },
  {
    file: "wrong_type_after_blank_and_quoted_newline.csv",
    code: "wrong_type",
    line: 8,
    field: "credit_score",
  },
  { file: "wrong_type_in_json_array.json", code: "wrong_type", line: 22, field: "credit_score" },
  { file: "json_comment.json", code: "invalid_json", line: 3 },
  {
    file: "invalid_value_after_blank_lines.jsonl",
    code: "invalid_value",
    line: 5,
    field: "expected_outcome",
  },
  // #18 item 16: duplicated keys and unprintable ids.
  { file: "duplicate_key.json", code: "duplicate_key", line: 4, field: "credit_score" },
  { file: "duplicate_key.jsonl", code: "duplicate_key", line: 3, field: "credit_score" },
  { file: "nul_in_id.jsonl", code: "invalid_id", line: 2, field: "request_id" },
  // #18 item 14: a value nested 5,000 levels deep is refused, not a stack overflow at import.
  { file: "deep_nesting.json", code: "too_deep", line: 3, field: "notes" },
];

Deno.test("the malformed corpus has at least 15 inputs and every file is covered", async () => {
  const files = (await Array.fromAsync(Deno.readDir(MALFORMED))).map((e) => e.name).sort();
  assert.ok(files.length >= 15, `only ${files.length} files`);
  assert.deepEqual(files, CORPUS.map((c) => c.file).sort());
});

Deno.test("import of each malformed input fails with exit 2, a located issue, and writes nothing", async (t) => {
  await using base = await tempDir();
  // A base folder that already holds a dataset: it must be left exactly as it was.
  const seed = await cli([
    "import",
    join(ROOT, "tests/fixtures/datasets/valid_small.csv"),
    "--name",
    "existing",
    "--version",
    "1.0.0",
    "--schema",
    "loan",
    "--base-path",
    base.path,
  ]);
  assert.equal(seed.code, 0, seed.stderr);
  const before = await snapshotTree(base.path);
  for (const c of CORPUS) {
    await t.step(`${c.file} → ${c.code}`, async () => {
      const path = join(MALFORMED, c.file);
      const r = await cli([
        "import",
        path,
        "--name",
        "bad",
        "--version",
        "1.0.0",
        "--schema",
        "loan",
        "--base-path",
        base.path,
        "--json",
      ]);
      assert.equal(r.code, 2, `exit code for ${c.file}: ${r.stderr}`);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.ok, false);
      const issue = doc.issues[0];
      assert.equal(issue.code, c.code, JSON.stringify(doc.issues));
      assert.equal(issue.file, path);
      if (c.line !== undefined) assert.equal(issue.line, c.line, JSON.stringify(issue));
      if (c.field !== undefined) assert.equal(issue.path.at(-1), c.field);
      assert.ok(r.stderr.includes(path), `stderr names the file: ${r.stderr}`);
      assert.ok(r.stderr.startsWith("error: "), r.stderr);
      assert.deepEqual(await snapshotTree(base.path), before, "no file was written");
    });
  }
});

Deno.test("dataset names that are paths are refused with exit 2 before anything is read or written", async (t) => {
  await using base = await tempDir();
  const valid = join(ROOT, "tests/fixtures/datasets/valid_small.csv");
  for (const name of ["../../etc/passwd", "a/b", "..", "Upper", "with space", "a\\b", ""]) {
    await t.step(JSON.stringify(name), async () => {
      const r = await cli([
        "import",
        valid,
        "--name",
        name,
        "--version",
        "1.0.0",
        "--base-path",
        base.path,
        "--json",
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(JSON.parse(r.stdout).issues[0].code, "invalid_name");
      assert.deepEqual(await snapshotTree(base.path), []);
    });
  }
  await t.step("a version with a slash", async () => {
    const r = await cli([
      "import",
      valid,
      "--name",
      "ok",
      "--version",
      "1.0/../../x",
      "--base-path",
      base.path,
      "--json",
    ]);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).issues[0].code, "invalid_version");
    assert.deepEqual(await snapshotTree(base.path), []);
  });
});

Deno.test("a UTF-8 byte order mark is accepted and does not change the header", async () => {
  await using base = await tempDir();
  const r = await cli([
    "import",
    join(ROOT, "tests/fixtures/datasets/utf8_bom_ok.csv"),
    "--name",
    "bom",
    "--version",
    "1.0.0",
    "--schema",
    "loan",
    "--base-path",
    base.path,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.meta.numRows, 2);
  assert.equal(doc.meta.schema.columns[0].name, "request_id");
});
