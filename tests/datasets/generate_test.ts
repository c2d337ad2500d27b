import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DatasetManager,
  generateLoanRows,
  loanRuleDecision,
  SHIPPED_DATASETS,
  validateRows,
} from "../../lib/datasets/mod.ts";
import { cli, ROOT, tempDir } from "./_helpers.ts";

async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  async function walk(d: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.set(p.slice(dir.length), await Deno.readFile(p));
    }
  }
  await walk(dir);
  return out;
}

Deno.test("`deno task datasets generate` is byte-identical on rerun and equals the committed datasets/", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  const ra = await cli(["generate", "--base-path", a.path, "--json"]);
  const rb = await cli(["generate", "--base-path", b.path, "--json"]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  const ta = await readTree(a.path), tb = await readTree(b.path);
  assert.deepEqual([...ta.keys()].sort(), [...tb.keys()].sort());
  for (const [k, v] of ta) assert.deepEqual(v, tb.get(k), `${k} differs between runs`);
  const committed = await readTree(join(ROOT, "datasets"));
  for (const [k, v] of ta) {
    assert.deepEqual(committed.get(k), v, `${k} differs from the committed copy`);
  }
  // A third run over an existing folder changes nothing and says so.
  const rc = await cli(["generate", "--base-path", a.path, "--json"]);
  assert.deepEqual(JSON.parse(rc.stdout).datasets.map((d: { created: boolean }) => d.created), [
    false,
    false,
    false,
  ]);
});

Deno.test("the shipped datasets are valid, large enough, and labelled by the rules with some noise", async () => {
  const dm = new DatasetManager({ basePath: join(ROOT, "datasets") });
  for (const spec of SHIPPED_DATASETS) {
    const ds = await dm.load(spec.name);
    assert.equal(ds.version, spec.version);
    assert.ok(ds.rows.length >= 1000, `${spec.name} has ${ds.rows.length} rows`);
    assert.equal(validateRows(ds.rows, ds.schema).ok, true);
    const agree = ds.rows.filter((r) => loanRuleDecision(r).outcome === r.expected_outcome).length /
      ds.rows.length;
    // 5% of labels are flipped: a rule-following agent scores high but not 100%.
    assert.ok(agree > 0.92 && agree < 0.98, `${spec.name}: rules agree on ${agree}`);
    const approve = ds.rows.filter((r) => r.expected_outcome === "approve").length / ds.rows.length;
    assert.ok(approve > 0.4 && approve < 0.8, `${spec.name}: approve share ${approve}`);
  }
});

Deno.test("current_month drifts from baseline_v1 as documented", async () => {
  const dm = new DatasetManager({ basePath: join(ROOT, "datasets") });
  const base = await dm.load("baseline_v1"), cur = await dm.load("current_month");
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = (xs: number[]) =>
    Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
  const inc = (d: typeof base) => d.rows.map((r) => r.annual_income as number);
  const cs = (d: typeof base) => d.rows.map((r) => r.credit_score as number);
  const ratio = median(inc(cur)) / median(inc(base));
  assert.ok(ratio > 0.8 && ratio < 0.92, `income median ratio ${ratio}`);
  assert.ok(mean(cs(base)) - mean(cs(cur)) > 25, "credit scores are lower");
  assert.ok(sd(cs(cur)) - sd(cs(base)) > 10, "credit scores are more spread");
  const purposes = (d: typeof base) => new Set(d.rows.map((r) => r.loan_purpose));
  assert.equal(purposes(base).has("green_energy"), false);
  assert.equal(purposes(cur).has("green_energy"), true);
  const green = cur.rows.filter((r) => r.loan_purpose === "green_energy").length / cur.rows.length;
  assert.ok(green > 0.09 && green < 0.15, `green_energy share ${green}`);
});

Deno.test("generateLoanRows() depends only on its options", () => {
  const a = generateLoanRows({ rows: 50, seed: 3, idPrefix: "X" });
  assert.deepEqual(a, generateLoanRows({ rows: 50, seed: 3, idPrefix: "X" }));
  assert.notDeepEqual(a, generateLoanRows({ rows: 50, seed: 4, idPrefix: "X" }));
});

Deno.test("loanRuleDecision() applies each documented rule", async (t) => {
  const good = {
    credit_score: 720,
    debt_to_income: 0.3,
    loan_amount: 10000,
    annual_income: 60000,
    employment_years: 3,
  };
  const cases: [string, Record<string, number>, string | undefined][] = [
    ["all fine", good, undefined],
    ["credit 579", { ...good, credit_score: 579 }, "credit_score_below_580"],
    ["credit 580 passes", { ...good, credit_score: 580 }, undefined],
    ["dti 0.451", { ...good, debt_to_income: 0.451 }, "debt_to_income_above_0.45"],
    ["dti 0.45 passes", { ...good, debt_to_income: 0.45 }, undefined],
    ["loan > 60% income", { ...good, loan_amount: 36001 }, "loan_amount_above_60pct_income"],
    [
      "new job, credit 679",
      { ...good, employment_years: 0.5, credit_score: 679 },
      "short_employment_with_credit_below_680",
    ],
    [
      "new job, credit 680 passes",
      { ...good, employment_years: 0.5, credit_score: 680 },
      undefined,
    ],
  ];
  for (const [label, row, reason] of cases) {
    await t.step(label, () => {
      const d = loanRuleDecision(row);
      assert.equal(d.outcome, reason ? "reject" : "approve");
      assert.deepEqual(d.reasons, reason ? [reason] : []);
    });
  }
});
