/**
 * One definition of a loan application: `deno task datasets validate --schema loan` and the
 * Loan Agent API's decision endpoint refuse the same values (ranges and allowed values come
 * from loanApprovalSchema in lib/datasets/loan.ts).
 */
import assert from "node:assert/strict";
import { loanApprovalSchema, type Row, validateRows } from "../../lib/datasets/mod.ts";
import { createLoanAgentApp, TokenSet } from "../../lib/server/mod.ts";
import { application, ruleAgent, TOKENS } from "./_fixtures.ts";

const FEATURES = loanApprovalSchema.columns.filter((c) =>
  c.name !== loanApprovalSchema.target && c.name !== loanApprovalSchema.id &&
  c.name !== "applicant_name"
);

function row(overrides: Record<string, unknown>): Row {
  return { ...application(), expected_outcome: "approve", ...overrides };
}

async function apiAccepts(
  app: ReturnType<typeof createLoanAgentApp>,
  body: Record<string, unknown>,
): Promise<{ ok: boolean; fields: string[] }> {
  const res = await app.fetch(
    new Request("http://api.test/api/v1/loan/decision", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKENS[0]}` },
      body: JSON.stringify(body),
    }),
  );
  const json = await res.json();
  assert.ok(res.status === 200 || res.status === 400, `${res.status} ${JSON.stringify(json)}`);
  return {
    ok: res.status === 200,
    fields: (json.issues ?? []).map((i: { path: string[] }) => String(i.path[0])),
  };
}

Deno.test("datasets validate --schema loan refuses credit_score 900, debt_to_income 1.7 and loan_purpose boat, located, exactly as the API does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad: [string, unknown][] = [
      ["credit_score", 900],
      ["debt_to_income", 1.7],
      ["loan_purpose", "boat"],
    ];
    const rows = [
      row({ request_id: "ok-1" }),
      ...bad.map(([k, v], i) => row({ request_id: `bad-${i}`, [k]: v })),
    ];
    const file = `${dir}/apps.jsonl`;
    await Deno.writeTextFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/datasets.ts", "validate", file, "--schema", "loan", "--json"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, new TextDecoder().decode(out.stderr));
    const report = JSON.parse(new TextDecoder().decode(out.stdout));
    const located = report.issues.map((i: { line: number; path: unknown[]; code: string }) => [
      i.line,
      i.path[1],
      i.code,
    ]);
    assert.deepEqual(located, [
      [2, "credit_score", "out_of_range"],
      [3, "debt_to_income", "out_of_range"],
      [4, "loan_purpose", "invalid_value"],
    ]);
    assert.match(report.issues[0].message, /between 300 and 850 but found 900/);
    assert.match(report.issues[2].message, /"auto".*but found "boat"/);

    const app = createLoanAgentApp({ agent: ruleAgent(), tokens: await TokenSet.from(TOKENS) });
    assert.deepEqual(await apiAccepts(app, application()), { ok: true, fields: [] });
    for (const [k, v] of bad) {
      assert.deepEqual(await apiAccepts(app, application({ [k]: v })), { ok: false, fields: [k] });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every feature value at and around the loan schema's bounds is accepted by validateRows exactly when the API accepts it", async () => {
  const app = createLoanAgentApp({ agent: ruleAgent(), tokens: await TokenSet.from(TOKENS) });
  let compared = 0;
  for (const col of FEATURES) {
    const values: unknown[] = ["", "x", "boat", -1, 0, 0.5, 1, 1.5, 1.7, 2, 900, 1e10, true];
    for (const b of [col.minimum, col.maximum]) {
      if (b !== undefined) values.push(b, b - 1, b + 1, b - 1e-6, b + 1e-6);
    }
    for (const v of col.values ?? []) values.push(v, v.toUpperCase());
    for (const v of values) {
      const inDataset = validateRows([row({ [col.name]: v })], loanApprovalSchema).ok;
      const inApi = (await apiAccepts(app, application({ [col.name]: v }))).ok;
      assert.equal(
        inApi,
        inDataset,
        `${col.name} = ${JSON.stringify(v)}: api ${inApi}, dataset ${inDataset}`,
      );
      compared++;
    }
  }
  assert.ok(compared > 100, `${compared} values compared`);
  // and every feature of the dataset schema is a field of the API's schema (none left out)
  const doc = await (await app.fetch(new Request("http://api.test/api/v1/openapi.json"))).json();
  const props = doc.components.schemas.LoanApplication.properties;
  for (const col of FEATURES) {
    assert.ok(props[col.name], `${col.name} in the API schema`);
    assert.equal(props[col.name].minimum, col.minimum, `${col.name} minimum`);
    assert.equal(props[col.name].maximum, col.maximum, `${col.name} maximum`);
    assert.deepEqual(props[col.name].enum, col.values, `${col.name} values`);
  }
});
