/**
 * What a new user's first commands do (issue #16): the task lines in deno.json, run as the user
 * runs them (`deno task …` in the project folder), recording into a temporary EVALKIT_HOME.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

async function task(args: string[], home: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: ROOT,
    env: { EVALKIT_HOME: home, NO_COLOR: "1", RUST_BACKTRACE: "0", MLFLOW_TRACKING_URI: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("deno task evaluate:drift with no flags: current_month against baseline_v1, drift found, exit 4", async () => {
  const home = await Deno.makeTempDir({ prefix: "evalkit-first-hour-" });
  try {
    const { code, text } = await task(["evaluate:drift"], home);
    assert.equal(code, 4, text);
    assert.match(text, /on current_month@2025\.10 \(2000 rows/);
    assert.match(text, /current_month@2025\.10 \(2000 rows\) vs baseline_v1@2025\.09/);
    assert.match(text, /DRIFT DETECTED: 3 of 9 features drifted/);
    const drifted = [...text.matchAll(/^ ! (\S+)/gm)].map((m) => m[1]).sort();
    // The drift documented in docs/datasets.md ("Drift in current_month").
    assert.deepEqual(drifted, ["annual_income", "credit_score", "loan_purpose"]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("--repeat intervals print sanely: zero spread is ± 0, latency bounds never below 0", async () => {
  const { aggregateTrials } = await import("../lib/evaluation/summary.ts");
  const f1 = 0.9236464088397791;
  const { summary } = aggregateTrials([
    { f1_score: f1, latency_p50_ms: 0.01 },
    { f1_score: f1, latency_p50_ms: 0.9 },
    { f1_score: f1, latency_p50_ms: 0.02 },
  ]);
  assert.deepEqual(summary!.f1_score, { mean: f1, std: 0, ciLow: f1, ciHigh: f1, n: 3 });
  const lat = summary!.latency_p50_ms!;
  assert.ok(lat.std > 0);
  assert.equal(lat.ciLow, 0, "the t-interval reaches below 0; the bound is cut at 0");
  assert.ok(lat.ciHigh > lat.mean);
});

Deno.test("deno task evaluate --repeat 3 prints '± 0' for the deterministic agent's scores", async () => {
  const home = await Deno.makeTempDir({ prefix: "evalkit-first-hour-" });
  try {
    const { code, text } = await task(["evaluate", "--repeat", "3"], home);
    assert.equal(code, 0, text);
    assert.match(text, /\| f1_score \| 0\.9236 ± 0 \(95% CI 0\.9236–0\.9236\) \|/);
    assert.doesNotMatch(text, /e-1[0-9]/, "no rounding noise printed");
    assert.doesNotMatch(text, /CI -/, "no negative lower bound");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("deno task evaluate:agent records the agent version the service reports", async () => {
  const home = await Deno.makeTempDir({ prefix: "evalkit-first-hour-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const token = "first-hour-test-token";
  const server = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "serve", "--port", String(port), "--quiet", "--no-metrics"],
    cwd: ROOT,
    env: { EVALKIT_API_TOKENS: token, EVALKIT_HOME: home, MLFLOW_TRACKING_URI: "", NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    for (let i = 0;; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        const health = await res.json();
        assert.equal(health.agent_version, "1.0.0", "the service reports its agent's version");
        break;
      } catch (err) {
        if (i > 300) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const ev = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "evaluate:agent", "--json"],
      cwd: ROOT,
      env: {
        EVALKIT_AGENT_URL: `http://127.0.0.1:${port}/api/v1/loan/decision`,
        EVALKIT_AGENT_TOKEN: token,
        EVALKIT_HOME: home,
        MLFLOW_TRACKING_URI: "",
        NO_COLOR: "1",
        RUST_BACKTRACE: "0",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(ev.stdout);
    assert.equal(ev.code, 0, out + new TextDecoder().decode(ev.stderr));
    const result = JSON.parse(out);
    assert.equal(result.agent.version, "1.0.0", "not 'unknown'");
    const { code, text } = await task(["runs", "show", result.runId, "--json"], home);
    assert.equal(code, 0, text);
    assert.equal(JSON.parse(text).params.agent_version, "1.0.0");
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await server.stderr.cancel();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("deno task runs show says where the run's files are and how to see them in one page", async () => {
  const home = await Deno.makeTempDir({ prefix: "evalkit-first-hour-" });
  try {
    const ev = await task(["evaluate"], home);
    assert.equal(ev.code, 0, ev.text);
    const id = ev.text.match(/run ([0-9a-f]{32})/)![1]!;
    const { code, text } = await task(["runs", "show", id], home);
    assert.equal(code, 0, text);
    const dir = text.match(/^Artifacts \(files in (.+)\)$/m)?.[1];
    assert.ok(dir, text);
    assert.ok((await Deno.stat(`${dir}/evaluation_report.html`)).isFile);
    assert.match(text, new RegExp(`deno task report ${id}`));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
