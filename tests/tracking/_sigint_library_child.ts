/**
 * Child process of run_end_test.ts: a library user (like a notebook kernel) with a run open
 * and its own SIGINT listener. The library must neither end the run nor exit the process.
 */
import { AgentTracker } from "../../lib/tracking/mod.ts";

const tracker = new AgentTracker("sigint_library_child", {
  storeDir: Deno.env.get("CHILD_STORE")!,
  localOnly: true,
});
let interrupted!: () => void;
const gotSigint = new Promise<void>((r) => interrupted = r);
const onSigint = () => interrupted();
Deno.addSignalListener("SIGINT", onSigint);
const run = await tracker.startRun({ purpose: "serve" });
run.logMetrics({ alive: 1 });
console.log(`ready ${run.localRunId}`);
await gotSigint;
await new Promise((r) => setTimeout(r, 500)); // time for a library handler to (wrongly) act
run.logMetrics({ after_interrupt: 1 }); // throws if the library ended the run
const end = await run.end("FINISHED");
Deno.removeSignalListener("SIGINT", onSigint);
console.log(`survived ${end.status}`);
