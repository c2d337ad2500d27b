/**
 * A kernel interrupt during an evaluation in a notebook: the Deno kernel (signal-mode
 * interrupts, as `deno jupyter --install` registers it) gets SIGINT while a cell awaits
 * `evaluateDataset`. The library must not exit the process: the notebook's own SIGINT
 * listener aborts the evaluation, the run ends KILLED with the rows answered so far, and the
 * following cell runs with the kernel's state intact. Driven by jupyter_client from .venv.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { readLocalRun } from "../../lib/tracking/mod.ts";
import { installKernel } from "../../tools/notebooks.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

const DRIVER = `
import json, sys, time
from jupyter_client.manager import start_new_kernel

cells = json.loads(sys.argv[1])
km, kc = start_new_kernel(kernel_name="deno", startup_timeout=180, cwd=sys.argv[2])

def collect(msg_id, timeout, until=None):
    out = {"text": "", "errors": [], "idle": False}
    end = time.time() + timeout
    while time.time() < end:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Exception:
            if not km.is_alive():
                return out
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = msg["msg_type"], msg["content"]
        if t == "stream":
            out["text"] += c["text"]
        elif t == "execute_result":
            out["text"] += c["data"].get("text/plain", "")
        elif t == "error":
            out["errors"].append(c["ename"] + ": " + c["evalue"])
        elif t == "status" and c["execution_state"] == "idle":
            out["idle"] = True
            return out
        if until and until in out["text"]:
            return out
    return out

report = {}
try:
    report["setup"] = collect(kc.execute(cells["setup"]), 180)
    run_id = kc.execute(cells["evaluate"])
    report["started"] = collect(run_id, 120, until="evaluation started")
    time.sleep(1.5)
    km.interrupt_kernel()  # SIGINT to the kernel process
    report["evaluate"] = collect(run_id, 120)
    report["alive_after_interrupt"] = km.is_alive()
    if km.is_alive():
        report["after"] = collect(kc.execute(cells["after"]), 60)
finally:
    km.shutdown_kernel(now=True)
print(json.dumps(report))
`;

const CELLS = (storeDir: string) => ({
  setup: `
import { AgentTracker } from "@evalkit/evalkit/tracking";
import { ModelEvaluator } from "@evalkit/evalkit/evaluation";
globalThis.kept = 41;
// the notebook's own choice: Ctrl-C / the stop button aborts the evaluation
const controller = new AbortController();
Deno.addSignalListener("SIGINT", () => controller.abort());
const tracker = new AgentTracker("nb_interrupt", { storeDir: ${
    JSON.stringify(storeDir)
  }, localOnly: true });
const slowAgent = {
  name: "nb_interrupt", version: "1.0.0", config: {},
  decide: (_request, options) => new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve({ outcome: "approve" }), 25);
    options?.signal?.addEventListener("abort", () => { clearTimeout(t); reject(options.signal.reason); }, { once: true });
  }),
};
const dataset = {
  name: "nb_interrupt", version: "1.0.0",
  rows: Array.from({ length: 2000 }, (_, i) => ({ request_id: "R" + i, x: i, expected_outcome: "approve" })),
  schema: { columns: [
    { name: "request_id", type: "string", role: "id" },
    { name: "x", type: "integer" },
    { name: "expected_outcome", type: "string", role: "target" },
  ], target: "expected_outcome", id: "request_id" },
  digest: "0".repeat(64), mlflowDigest: "00000000", meta: {},
};
"ready"
`,
  evaluate: `
console.log("evaluation started");
const result = await new ModelEvaluator("nb_interrupt", slowAgent)
  .evaluateDataset(dataset, { tracker, signal: controller.signal, concurrency: 1 });
console.log("evaluation returned " + result.status);
`,
  after:
    `console.log(JSON.stringify({ kept: globalThis.kept + 1, status: result.status, runId: result.runId, open: tracker.openRuns.length }))`,
});

Deno.test({
  name: "a kernel interrupt stops an evaluation in a notebook and the kernel lives on",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await installKernel();
    const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
    const storeDir = await Deno.makeTempDir({ prefix: "evalkit-nb-interrupt-" });
    try {
      const out = await new Deno.Command(python, {
        args: ["-c", DRIVER, JSON.stringify(CELLS(storeDir)), ROOT],
        cwd: ROOT,
        env: { NO_COLOR: "1", PATH: `${dirname(python)}:${Deno.env.get("PATH") ?? ""}` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.ok(out.success, `driver failed: ${stderr.slice(-3000)}`);
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
      const report = JSON.parse(lines.at(-1)!);
      assert.deepEqual(report.setup.errors, [], JSON.stringify(report.setup));
      assert.match(report.started.text, /evaluation started/);
      assert.equal(report.alive_after_interrupt, true, "the kernel survived the interrupt");
      assert.ok(report.evaluate.idle, `the cell finished: ${JSON.stringify(report.evaluate)}`);
      assert.deepEqual(report.evaluate.errors, []);
      assert.match(report.evaluate.text, /evaluation returned KILLED/);
      assert.deepEqual(report.after.errors, [], "the following cell runs");
      const after = JSON.parse(report.after.text.trim().split("\n").at(-1));
      assert.equal(after.kept, 42, "the kernel's state is intact");
      assert.equal(after.status, "KILLED");
      assert.equal(after.open, 0);
      const local = await readLocalRun(after.runId, { storeDir });
      assert.equal(local?.status, "KILLED");
      assert.equal(
        local?.tags["mlflow.source.type"],
        "NOTEBOOK",
        "the run says it came from a notebook",
      );
      assert.ok(local?.tags["mlflow.user"], "and who ran it");
      const answered = local?.latestMetrics.row_count ?? local?.latestMetrics.example_count;
      assert.ok(answered !== undefined && answered > 0 && answered < 2000, `rows: ${answered}`);
    } finally {
      await Deno.remove(storeDir, { recursive: true });
    }
  },
});
