import assert from "node:assert/strict";
import { z } from "zod";
import {
  assertValidRows,
  DatasetError,
  type DatasetSchema,
  loanApprovalSchema,
  schemaFromZod,
  validateRows,
} from "../../lib/datasets/mod.ts";

const schema: DatasetSchema = schemaFromZod(
  z.object({
    request_id: z.string(),
    age: z.int(),
    income: z.number(),
    note: z.string().optional(),
    expected_outcome: z.enum(["approve", "reject"]),
  }),
  { target: "expected_outcome", id: "request_id" },
);
const ok = { request_id: "a", age: 30, income: 1000.5, expected_outcome: "approve" };

Deno.test("schemaFromZod() declares columns, types, optionality, values, target and id", () => {
  assert.deepEqual(schema, {
    columns: [
      { name: "request_id", type: "string", required: true, role: "id" },
      { name: "age", type: "integer", required: true },
      { name: "income", type: "number", required: true },
      { name: "note", type: "string", required: false },
      {
        name: "expected_outcome",
        type: "string",
        required: true,
        values: ["approve", "reject"],
        role: "target",
      },
    ],
    target: "expected_outcome",
    id: "request_id",
  });
});

Deno.test("validateRows() reports each problem as {code, path: [row, field], message}", async (t) => {
  const cases: [string, Record<string, unknown>, string, string, RegExp][] = [
    [
      "wrong type",
      { ...ok, age: "thirty" },
      "wrong_type",
      "age",
      /Expected age to be an integer but found "thirty"/,
    ],
    ["not an integer", { ...ok, age: 30.5 }, "wrong_type", "age", /integer/],
    ["NaN", { ...ok, income: Number.NaN }, "non_finite", "income", /finite number but found NaN/],
    ["Infinity", { ...ok, income: -Infinity }, "non_finite", "income", /-Infinity/],
    ["huge integer", { ...ok, age: 2 ** 60 }, "out_of_range", "age", /safe integer/],
    [
      "missing field",
      { request_id: "a", income: 1, expected_outcome: "reject" },
      "missing_field",
      "age",
      /Missing/,
    ],
    [
      "missing target",
      { request_id: "a", age: 1, income: 1 },
      "missing_target",
      "expected_outcome",
      /Missing/,
    ],
    [
      "bad class",
      { ...ok, expected_outcome: "maybe" },
      "invalid_value",
      "expected_outcome",
      /"approve", "reject"/,
    ],
  ];
  for (const [label, row, code, field, message] of cases) {
    await t.step(label, () => {
      const r = validateRows([ok, row].map((x, i) => ({ ...x, request_id: `r${i}` })), schema);
      assert.equal(r.ok, false);
      assert.equal(r.issues.length, 1, JSON.stringify(r.issues));
      const issue = r.issues[0]!;
      assert.equal(issue.code, code);
      assert.deepEqual(issue.path, [1, field]);
      assert.match(issue.message, message);
    });
  }
});

Deno.test("validateRows() reports an empty dataset, duplicate ids and a target absent from every row", () => {
  assert.deepEqual(validateRows([], schema).issues, [{
    code: "empty_dataset",
    path: [],
    message: "The dataset has no rows",
  }]);
  const dup = validateRows([ok, { ...ok }], schema).issues;
  assert.deepEqual(dup, [{
    code: "duplicate_id",
    path: [1, "request_id"],
    message: 'Duplicate request_id "a" (first seen at row 0)',
  }]);
  const noTarget = validateRows(
    [{ request_id: "a", age: 1, income: 2 }, { request_id: "b", age: 1, income: 2 }],
    schema,
  ).issues;
  assert.equal(noTarget.length, 1);
  assert.equal(noTarget[0]!.code, "missing_target");
});

Deno.test("validateRows() stops at maxIssues and says it truncated, with file and line when given", () => {
  const rows = Array.from({ length: 500 }, (_, i) => ({ ...ok, request_id: `r${i}`, age: "x" }));
  const r = validateRows(rows, schema, { maxIssues: 10, file: "a.csv", lineOf: (row) => row + 2 });
  assert.equal(r.issues.length, 10);
  assert.equal(r.truncated, true);
  assert.equal(r.issues[3]!.file, "a.csv");
  assert.equal(r.issues[3]!.line, 5);
});

Deno.test("assertValidRows() throws a DatasetError carrying the issues", () => {
  assert.throws(() => assertValidRows([{ ...ok, income: Infinity }], schema), (err: unknown) => {
    assert.ok(err instanceof DatasetError);
    assert.equal(err.issues[0]!.code, "non_finite");
    assert.match(err.message, /Invalid dataset: 1 issue/);
    return true;
  });
  assertValidRows([ok], schema);
});

Deno.test("the shipped loan schema marks applicant_name as personal data and declares the classes", () => {
  const name = loanApprovalSchema.columns.find((c) => c.name === "applicant_name");
  assert.equal(name?.personalData, "hash");
  assert.deepEqual(loanApprovalSchema.columns.find((c) => c.name === "expected_outcome")?.values, [
    "approve",
    "reject",
  ]);
  assert.deepEqual(loanApprovalSchema.columns.map((c) => c.name), [
    "request_id",
    "applicant_name",
    "age",
    "annual_income",
    "credit_score",
    "loan_amount",
    "loan_term_months",
    "debt_to_income",
    "employment_years",
    "loan_purpose",
    "home_ownership",
    "expected_outcome",
  ]);
});
