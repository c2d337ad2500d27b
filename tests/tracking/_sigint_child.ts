/** Child process of agent_tracker_test.ts: starts a local run, logs, then waits for SIGINT. */
import { AgentTracker } from "../../lib/tracking/mod.ts";

const tracker = new AgentTracker("sigint_child", {
  storeDir: Deno.env.get("CHILD_STORE")!,
  localOnly: true,
});
const run = await tracker.startRun({ purpose: "serve" });
run.logMetrics({ alive: 1 });
console.log(`ready ${run.localRunId}`);
await new Promise((r) => setTimeout(r, 60_000)); // SIGINT ends the run KILLED and exits 130
console.log("not interrupted");
