/**
 * #18 items 14 and 16 (and 26's boundaries): nesting depth is bounded at exactly
 * MAX_NESTING_DEPTH by the readers and by validation, duplicated JSON keys are refused at any
 * depth, and ids must be printable Unicode text.
 */
import assert from "node:assert/strict";
import { DatasetError, parseDatasetBytes, validateRows } from "../../lib/datasets/mod.ts";
import { MAX_NESTING_DEPTH } from "../../lib/datasets/_json_scan.ts";
import { datasetDigest } from "../../lib/datasets/digest.ts";

const enc = new TextEncoder();
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

async function readIssue(text: string, format: "json" | "jsonl") {
  try {
    await parseDatasetBytes(enc.encode(text), { format, file: `t.${format}` });
  } catch (err) {
    if (err instanceof DatasetError) return err.issues[0]!;
    throw err;
  }
  return undefined;
}

Deno.test("the readers accept a value exactly MAX_NESTING_DEPTH deep and refuse one level more, in JSON and JSONL", async () => {
  assert.equal(MAX_NESTING_DEPTH, 64);
  for (const format of ["json", "jsonl"] as const) {
    const row = (d: number) => `{"request_id":"a","v":${nested(d)}}`;
    const wrap = (r: string) => (format === "json" ? `[\n${r}\n]` : `\n${r}\n`);
    assert.equal(await readIssue(wrap(row(MAX_NESTING_DEPTH)), format), undefined, format);
    const issue = await readIssue(wrap(row(MAX_NESTING_DEPTH + 1)), format);
    assert.equal(issue?.code, "too_deep", format);
    assert.equal(issue?.line, 2, format);
    assert.deepEqual(issue?.path, [0, "v"], format);
    // Objects count like arrays; a million levels is refused as quickly, never a stack overflow.
    const objects = `{"request_id":"a","v":${'{"x":'.repeat(MAX_NESTING_DEPTH + 1)}1${
      "}".repeat(MAX_NESTING_DEPTH + 1)
    }}`;
    assert.equal((await readIssue(wrap(objects), format))?.code, "too_deep");
    assert.equal((await readIssue(wrap(row(1_000_000)), format))?.code, "too_deep");
  }
});

Deno.test("validateRows() bounds the depth of rows built in code at the same limit, iteratively", () => {
  const deep = (d: number): unknown => {
    let v: unknown = 1;
    for (let k = 0; k < d; k++) v = k % 2 ? [v] : { x: v };
    return v;
  };
  const schema = { columns: [{ name: "id", type: "string" as const }], id: "id" };
  assert.ok(validateRows([{ id: "a", v: deep(MAX_NESTING_DEPTH) }], schema).ok);
  const r = validateRows([{ id: "a", v: deep(MAX_NESTING_DEPTH + 1) }], schema);
  assert.deepEqual(r.issues.map((i) => [i.code, i.path]), [["too_deep", [0, "v"]]]);
  // 100,000 levels: an issue, not "Maximum call stack size exceeded".
  const huge = validateRows([{ id: "a", v: deep(100_000) }], schema);
  assert.equal(huge.issues[0]?.code, "too_deep");
  // And the digest of a value at the limit is computed (canonical JSON walks it).
  assert.equal(datasetDigest([{ id: "a", v: deep(MAX_NESTING_DEPTH) }]).sha256.length, 64);
});

Deno.test("a duplicated key is refused at any depth with its physical line and path", async () => {
  const text = '[\n{"request_id":"a","meta":{"k":1,\n"k":2}}\n]';
  const issue = await readIssue(text, "json");
  assert.equal(issue?.code, "duplicate_key");
  assert.equal(issue?.line, 3);
  assert.deepEqual(issue?.path, [0, "meta", "k"]);
  // Escapes are compared decoded: "a" and "\u0061" are the same key.
  const escaped = await readIssue('{"request_id":"x","a":1,"\\u0061":2}\n', "jsonl");
  assert.equal(escaped?.code, "duplicate_key");
  assert.deepEqual(escaped?.path, [0, "a"]);
  // The same key in two different objects is fine.
  assert.equal(await readIssue('[{"request_id":"a","m":{"k":1},"n":{"k":2}}]', "json"), undefined);
});

Deno.test("JSON syntax errors name the physical line: comments, trailing commas, raw newlines in strings", async (t) => {
  const cases: [string, string, number, RegExp][] = [
    [
      "a // comment",
      '[\n{"request_id":"a"},\n\n// no\n{"request_id":"b"}\n]',
      4,
      /Comments are not/,
    ],
    ["a /* block */ comment", '[\n/* c */\n{"request_id":"a"}]', 2, /Comments are not/],
    ["a lone slash is no comment", "[\n/\n]", 2, /expected a value but found "\/"/],
    ["a trailing comma", '[\n{"request_id":"a"},\n\n]', 4, /expected a value but found "]"/],
    ["a raw line break inside a string", '[\n{"request_id":"a\nb"}]', 2, /U\+000A inside a string/],
    ["text after the array", '[{"request_id":"a"}]\n\n x', 3, /end of the text after the value/],
    ["an unclosed array", '[\n{"request_id":"a"}\n', 3, /but found the end of the text/],
    ["an unclosed string", '[\n{"request_id":"a', 2, /a string is not closed/],
    ["a bad escape", '[{"request_id":"a\\x"}]', 1, /unknown escape \\x/],
    ["a short \\u escape", '[{"request_id":"\\u12"}]', 1, /four hex digits/],
    ["a key without quotes", "[{request_id:1}]", 1, /expected a key in quotes or "}" but/],
    ["a key without quotes after a comma", '[{"a":1,b:2}]', 1, /expected a key in quotes but/],
    [
      "valid escapes are fine, then a bad literal",
      '[{"request_id":"\\n\\"\\u00e9\\/","x":nul}]',
      1,
      /expected a value but found "n"/,
    ],
    ["a missing colon", '[{"request_id" 1}]', 1, /":" after the key/],
    ["a bad literal", '[{"request_id":tru}]', 1, /expected a value/],
    ["a bad number", '[{"request_id":-}]', 1, /expected a number/],
  ];
  for (const [name, text, line, message] of cases) {
    await t.step(name, async () => {
      const issue = await readIssue(text, "json");
      assert.equal(issue?.code, "invalid_json", name);
      assert.equal(issue?.line, line, issue?.message);
      assert.match(issue!.message, message);
    });
  }
});

Deno.test("ids with control characters, NUL, lone surrogates or non-characters are invalid_id; Unicode forms of one id are duplicates", async (t) => {
  const schema = { columns: [{ name: "id", type: "string" as const }], id: "id" };
  for (
    const [name, id] of [
      ["NUL", "T-1\0"],
      ["a tab", "T\t1"],
      ["a line break", "T-1\n"],
      ["DEL", "T-1\x7f"],
      ["a C1 control", "T-1\x85"],
      ["a lone high surrogate", "T-1\ud800"],
      ["a lone low surrogate", "\udc00T-1"],
      ["a non-character", "T-1\uffff"],
    ] as const
  ) {
    await t.step(name, () => {
      const r = validateRows([{ id: "T-1" }, { id }], schema);
      assert.deepEqual(r.issues.map((i) => [i.code, i.path]), [["invalid_id", [1, "id"]]]);
    });
  }
  await t.step("printable non-ASCII ids are fine", () => {
    assert.ok(validateRows([{ id: "Zoë-1" }, { id: "李-2" }, { id: "🙂" }], schema).ok);
  });
  await t.step("é as one code point and as e + combining accent are the same id", () => {
    const r = validateRows([{ id: "caf\u00e9" }, { id: "cafe\u0301" }], schema);
    assert.deepEqual(r.issues.map((i) => [i.code, i.path]), [["duplicate_id", [1, "id"]]]);
    assert.match(r.issues[0]!.message, /another Unicode form/);
  });
  await t.step("a lone surrogate in any text field is invalid_text (UTF-8 cannot carry it)", () => {
    // Well-formed text at any depth is fine (emoji are surrogate pairs, not lone ones).
    const fine = [{ id: "a", note: "🙂", n: { deep: ["ok", "é🙂", { x: "y" }] } }];
    assert.ok(validateRows(fine, schema).ok);
    const r = validateRows(
      [{ id: "a", note: "x\ud800" }, { id: "b", n: { deep: ["\udfff"] } }],
      schema,
    );
    assert.deepEqual(r.issues.map((i) => [i.code, i.path]), [
      ["invalid_text", [0, "note"]],
      ["invalid_text", [1, "n", "deep", 0]],
    ]);
  });
  await t.step("a NUL in a JSONL id is reported with its line", async () => {
    const text = '{"id":"a"}\n\n{"id":"a\\u0000"}\n';
    const r = await parseDatasetBytes(enc.encode(text), { format: "jsonl", id: "id" });
    const v = validateRows(r.rows, r.schema, { file: "t.jsonl", lineOf: r.lineOf });
    assert.deepEqual(v.issues.map((i) => [i.code, i.line]), [["invalid_id", 3]]);
  });
});

Deno.test("JSON array rows report the line of the field's value, JSONL rows their line, blank lines counted", async () => {
  const json =
    '[\n  {\n    "request_id": "a",\n    "n": 1\n  },\n\n  {\n    "request_id": "b",\n\n    "n": "x"\n  }\n]\n';
  const r = await parseDatasetBytes(enc.encode(json), { format: "json" });
  const schema = {
    columns: [{ name: "request_id", type: "string" as const }, {
      name: "n",
      type: "integer" as const,
    }],
  };
  const v = validateRows(r.rows, schema, { lineOf: r.lineOf });
  assert.deepEqual(v.issues.map((i) => [i.code, i.line]), [["wrong_type", 10]]);
  assert.equal(r.lineOf(1), 7, "the row's own line is where its object starts");
  const jsonl = '\n{"request_id":"a","n":1}\n\n\n{"request_id":"b","n":"x"}\n';
  const l = await parseDatasetBytes(enc.encode(jsonl), { format: "jsonl" });
  const w = validateRows(l.rows, schema, { lineOf: l.lineOf });
  assert.deepEqual(w.issues.map((i) => [i.code, i.line]), [["wrong_type", 5]]);
});

Deno.test("`datasets validate` and `import` agree on a 5,000-level value: exit 2, too_deep, the same line", async () => {
  const { cli, MALFORMED } = await import("./_helpers.ts");
  const { join } = await import("node:path");
  const file = join(MALFORMED, "deep_nesting.json");
  const v = await cli(["validate", file, "--schema", "loan", "--json"]);
  assert.equal(v.code, 2, v.stderr);
  const issue = JSON.parse(v.stdout).issues[0];
  assert.deepEqual([issue.code, issue.line, issue.path], ["too_deep", 3, [1, "notes"]]);
  assert.ok(!v.stderr.includes("Maximum call stack"), v.stderr);
});

Deno.test("valid JSON passes the strict scan unchanged: empty objects and arrays, literals, numbers, escapes", async () => {
  const text =
    '[\n {"request_id":"a","m":{},"l":[],"b":true,"c":false,"d":null,"n":-1.5e3,"z":0,"s":"\\"\\u00e9\\n"},\n {"request_id":"b","m":{"k":[{"x":[]}]}}\n]';
  const r = await parseDatasetBytes(enc.encode(text), { format: "json" });
  assert.deepEqual(r.rows, JSON.parse(text));
  assert.deepEqual([r.lineOf(0), r.lineOf(1)], [2, 3]);
  const l = await parseDatasetBytes(enc.encode('{"request_id":"a","m":{},"t":true}\n'), {
    format: "jsonl",
  });
  assert.deepEqual(l.rows, [{ request_id: "a", m: {}, t: true }]);
});
