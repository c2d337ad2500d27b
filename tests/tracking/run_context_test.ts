/**
 * What MLflow's own Python client reads back about who made a run and from what data: the
 * standard tags `mlflow.user`, `mlflow.source.name`, `mlflow.source.type` ("Created by" and
 * "Source" in the UI), the run's `user_id`, absolute dataset sources, and a drift run's
 * reference dataset as an input with context `reference`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AgentTracker } from "../../lib/tracking/mod.ts";
import { currentUser } from "../../lib/tracking/_run_context.ts";
import { DatasetManager } from "../../lib/datasets/mod.ts";
import { logDriftReport, runDriftCheck } from "../../lib/drift/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { mlflowPython } from "../_helpers/mlflow_python.ts";
import { tempHome } from "./_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface PyRun {
  user_id: string;
  tags: Record<string, string>;
  inputs: { name: string; source_type: string; source: string; context: string | null }[];
}

function readRun(uri: string, runId: string): Promise<PyRun> {
  return mlflowPython<PyRun>(
    uri,
    `
run = mlflow.get_run("${runId}")
inputs = [{
  "name": d.dataset.name, "source_type": d.dataset.source_type, "source": d.dataset.source,
  "context": next((t.value for t in d.tags if t.key == "mlflow.data.context"), None),
} for d in run.inputs.dataset_inputs]
print(json.dumps({"user_id": run.info.user_id, "tags": run.data.tags, "inputs": inputs}))
`,
  );
}

Deno.test("a script's run has mlflow.user, mlflow.source.name (the script's absolute path) and mlflow.source.type LOCAL", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const child = new URL("./_run_context_child.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", child],
    env: {
      CHILD_URI: uri,
      CHILD_STORE: `${home}/store`,
      CHILD_EXPERIMENT: `/Shared/ai-agents/${uniqueName("run_context")}`,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const runId = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
  const run = await readRun(uri, runId);
  assert.equal(run.tags["mlflow.source.name"], child);
  assert.equal(run.tags["mlflow.source.type"], "LOCAL");
  assert.equal(run.tags["mlflow.user"], currentUser());
  assert.notEqual(run.tags["mlflow.user"], "");
  assert.equal(run.user_id, currentUser(), "the UI's 'Created by' reads the run's user_id");
  await Deno.remove(home, { recursive: true });
});

Deno.test("dataset inputs have absolute sources; a drift run records its reference dataset with context 'reference'", async () => {
  const uri = testMlflowUri();
  const home = await tempHome();
  const tracker = new AgentTracker("run_context", {
    trackingUri: uri,
    storeDir: `${home}/store`,
    experimentName: `/Shared/ai-agents/${uniqueName("run_context")}`,
  });
  // a manager over a relative base path, as the CLI uses it ("datasets")
  const cwd = Deno.cwd();
  Deno.chdir(ROOT);
  let manager: DatasetManager;
  let current, reference;
  try {
    manager = new DatasetManager({ basePath: "datasets" });
    current = await manager.load("loan_approval_test_set");
    reference = await manager.load("baseline_v1");
  } finally {
    Deno.chdir(cwd);
  }
  const fileOf = (name: string, version: string) =>
    pathToFileURL(join(ROOT, "datasets", name, version, "data.jsonl")).href;
  let runId: string;
  {
    await using run = await tracker.startRun({ purpose: "evaluate" });
    runId = run.runId;
    await run.logDataset(current, { context: "evaluation" });
    await run.logDataset([{ x: 1, applicant_name: "Ada Lovelace" }], {
      name: "records",
      source: "some/relative/file.csv",
      context: "training",
    });
    await run.logDataset([{ x: 2 }], { name: "in_memory", context: "validation" });
    await logDriftReport(run, runDriftCheck({ reference, current }), { reference });
  }
  tracker.close();
  const read = await readRun(uri, runId);
  const byName = new Map(read.inputs.map((i) => [i.name, i]));
  const evaluation = byName.get("loan_approval_test_set")!;
  assert.equal(evaluation.context, "evaluation");
  assert.equal(evaluation.source_type, "local");
  assert.deepEqual(JSON.parse(evaluation.source), {
    uri: fileOf("loan_approval_test_set", current.version),
  });
  const ref = byName.get("baseline_v1");
  assert.ok(ref, `reference input missing: ${JSON.stringify(read.inputs)}`);
  assert.equal(ref.context, "reference");
  assert.deepEqual(JSON.parse(ref.source), { uri: fileOf("baseline_v1", reference.version) });
  const records = byName.get("records")!;
  assert.deepEqual(JSON.parse(records.source), {
    uri: pathToFileURL(join(Deno.cwd(), "some/relative/file.csv")).href,
  });
  const memory = byName.get("in_memory")!;
  assert.equal(memory.source_type, "code");
  assert.deepEqual(JSON.parse(memory.source), { tags: { "evalkit.dataset": "in_memory" } });
  for (const i of read.inputs) {
    if (i.source_type === "local") assert.match(JSON.parse(i.source).uri, /^file:\/\/\//);
  }
  assert.ok(!JSON.stringify(read.inputs).includes("Ada"), "no personal data in the input");
  await Deno.remove(home, { recursive: true });
});
