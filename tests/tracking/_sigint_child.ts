/**
 * Child process of agent_tracker_test.ts: a CLI-like script that opts into Ctrl-C handling
 * (scripts/_cli.ts), starts a local run, logs, then waits for SIGINT.
 */
import { AgentTracker } from "../../lib/tracking/mod.ts";
import { endRunsOnInterrupt } from "../../scripts/_cli.ts";

const tracker = new AgentTracker("sigint_child", {
  storeDir: Deno.env.get("CHILD_STORE")!,
  localOnly: true,
});
using _interrupt = endRunsOnInterrupt(() => [tracker]);
const run = await tracker.startRun({ purpose: "serve" });
run.logMetrics({ alive: 1 });
console.log(`ready ${run.localRunId}`);
await new Promise((r) => setTimeout(r, 60_000)); // SIGINT ends the run KILLED and exits 130
console.log("not interrupted");
