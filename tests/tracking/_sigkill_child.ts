/**
 * Child process of sigkill_test.ts: logs STEPS metric points to a server through the
 * tracker, printing each step to stdout once `logMetrics` has returned. Pauses briefly every
 * 100 steps so the flusher delivers (and acknowledges) part of the run before the kill.
 */
import { AgentTracker } from "../../lib/tracking/mod.ts";

const uri = Deno.env.get("CHILD_URI")!;
const storeDir = Deno.env.get("CHILD_STORE")!;
const steps = Number(Deno.env.get("CHILD_STEPS") ?? "20000");
const tracker = new AgentTracker("sigkill_child", {
  trackingUri: uri,
  storeDir,
  experimentName: Deno.env.get("CHILD_EXPERIMENT"),
});
const run = await tracker.startRun({ purpose: "crash" });
const enc = new TextEncoder();
Deno.stdout.writeSync(enc.encode(`run ${run.localRunId} ${run.runId}\n`));
for (let step = 0; step < steps; step++) {
  run.logMetrics({ loss: 1 / (step + 1), step_copy: step }, { step });
  Deno.stdout.writeSync(enc.encode(`${step}\n`)); // the call returned: this step must survive
  if (step % 100 === 99) await new Promise((r) => setTimeout(r, 3));
}
Deno.stdout.writeSync(enc.encode("done\n"));
await run.end();
