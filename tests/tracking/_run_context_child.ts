/** Child process of run_context_test.ts: a script that starts a run on the server and prints its id. */
import { AgentTracker } from "../../lib/tracking/mod.ts";

const tracker = new AgentTracker("run_context_child", {
  trackingUri: Deno.env.get("CHILD_URI")!,
  storeDir: Deno.env.get("CHILD_STORE")!,
  experimentName: Deno.env.get("CHILD_EXPERIMENT")!,
});
const run = await tracker.startRun({ purpose: "evaluate" });
await run.end();
tracker.close();
console.log(run.runId);
