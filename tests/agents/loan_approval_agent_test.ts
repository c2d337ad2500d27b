import assert from "node:assert/strict";
import { LOAN_APPROVAL_CONFIG, LoanApprovalAgent } from "../../lib/agents/mod.ts";
import { DatasetManager, loanRuleDecision } from "../../lib/datasets/mod.ts";

const DATASETS = new URL("../../datasets", import.meta.url).pathname;

Deno.test("the loan agent v1.0.0 applies the documented underwriting rules on every shipped row", async () => {
  const agent = new LoanApprovalAgent();
  const manager = new DatasetManager({ basePath: DATASETS });
  for (
    const [name, version] of [["loan_approval_test_set", "1.0.0"], ["baseline_v1", "2025.09"], [
      "current_month",
      "2025.10",
    ]]
  ) {
    const ds = await manager.load(name!, { version: version! });
    for (const row of ds.rows) {
      const d = agent.decideSync(row);
      const rules = loanRuleDecision(row);
      assert.equal(d.outcome, rules.outcome, `${name} ${row.request_id}`);
      assert.equal(d.outcome === "reject" ? d.reasons!.length : 0, rules.reasons.length);
      assert.ok(d.riskScore! >= 0 && d.riskScore! <= 1);
      assert.equal(d.riskScore! >= 0.5, d.outcome === "reject", "reject ⇔ risk ≥ 0.5");
    }
  }
});

Deno.test("the loan agent's reasons name each failed rule", async (t) => {
  const agent = new LoanApprovalAgent();
  const ok = {
    annual_income: 90000,
    credit_score: 720,
    loan_amount: 20000,
    debt_to_income: 0.2,
    employment_years: 5,
  };
  const cases: [string, Record<string, number>, RegExp | null][] = [
    ["a sound application is approved", {}, null],
    ["credit score below 580", { credit_score: 579 }, /^credit_score 579 < 580$/],
    ["debt-to-income above 0.45", { debt_to_income: 0.46 }, /^debt_to_income 0.46 > 0.45$/],
    [
      "loan above 60% of income",
      { loan_amount: 60000 },
      /^loan_amount\/annual_income 0.667 > 0.6$/,
    ],
    [
      "short employment with credit below 680",
      { employment_years: 0.5, credit_score: 650 },
      /^employment_years 0.5 < 1 with credit_score 650 < 680$/,
    ],
  ];
  for (const [name, change, reason] of cases) {
    await t.step(name, async () => {
      const d = await agent.decide({ ...ok, ...change });
      assert.equal(d.outcome, reason ? "reject" : "approve");
      if (reason) assert.match(d.reasons![0]!, reason);
    });
  }
  await t.step("short employment with good credit passes", () => {
    assert.equal(
      agent.decideSync({ ...ok, employment_years: 0, credit_score: 700 }).outcome,
      "approve",
    );
  });
});

Deno.test("thresholds are versioned config: overrides change decisions and the version", () => {
  const strict = new LoanApprovalAgent({ version: "1.1.0", minCreditScore: 650 });
  assert.equal(strict.version, "1.1.0");
  assert.equal(strict.config.minCreditScore, 650);
  assert.equal(LOAN_APPROVAL_CONFIG.minCreditScore, 580, "the default is untouched");
  const row = {
    annual_income: 90000,
    credit_score: 600,
    loan_amount: 20000,
    debt_to_income: 0.2,
    employment_years: 5,
  };
  assert.equal(new LoanApprovalAgent().decideSync(row).outcome, "approve");
  assert.equal(strict.decideSync(row).outcome, "reject");
});

Deno.test("a missing field rejects with a TypeError naming it", async () => {
  await assert.rejects(new LoanApprovalAgent().decide({ credit_score: 700 }), {
    name: "TypeError",
    message: /Expected annual_income to be a finite number but found undefined/,
  });
});
