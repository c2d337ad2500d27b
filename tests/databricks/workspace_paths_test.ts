import assert from "node:assert/strict";
import {
  agentExperimentPath,
  assertWorkspaceExperimentName,
  validateWorkspaceExperimentName,
} from "../../lib/mlflow/databricks/mod.ts";

Deno.test("workspace experiment paths: /Shared/… and /Users/<user>/… are accepted", () => {
  for (
    const name of [
      "/Shared/ai-agents/loan_approval",
      "/Users/ana@example.com/loan-eval",
      "/Workspace/Shared/ai-agents/x",
      "/Workspace/Users/ana@example.com/evals/2026",
    ]
  ) {
    assert.deepEqual(validateWorkspaceExperimentName(name), { ok: true, issues: [] }, name);
  }
});

Deno.test("workspace experiment paths: each mistake has its own issue code", async (t) => {
  const cases: [string, string][] = [
    ["", "empty"],
    ["loan_approval", "not_absolute"],
    ["/Repos/x/y", "unknown_root"],
    ["/Shared", "missing_name"],
    ["/Users/ana@example.com", "missing_user"],
    ["/Shared//x", "empty_segment"],
    ["/Shared/../Users/x", "relative_segment"],
    ["/Shared/x/", "trailing_slash"],
    ["/Shared/a\tb", "bad_character"],
  ];
  for (const [name, code] of cases) {
    await t.step(JSON.stringify(name), () => {
      const result = validateWorkspaceExperimentName(name);
      assert.equal(result.ok, false);
      assert.ok(result.issues.some((i) => i.code === code), JSON.stringify(result.issues));
      assert.throws(() => assertWorkspaceExperimentName(name), TypeError);
    });
  }
});

Deno.test("agentExperimentPath() gives the conventional /Shared/ai-agents/<agent> path", () => {
  assert.equal(agentExperimentPath("loan_approval"), "/Shared/ai-agents/loan_approval");
  assert.equal(
    agentExperimentPath("loan_approval", { user: "ana@example.com" }),
    "/Users/ana@example.com/ai-agents/loan_approval",
  );
  assert.throws(() => agentExperimentPath("a/b"), /without '\/'/);
});
