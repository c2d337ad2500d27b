/**
 * Loan Agent API under load: decisions/s and p99 latency at concurrency 64 from a second
 * process (autocannon) on loopback, with the MetricsCollector on (flushing to a real MLflow
 * server every 5 s, twice per measurement) and off. Target: collector overhead under 5%.
 *
 * Run: deno task bench server_load   (env BENCH_SECONDS, default 10; BENCH_ROUNDS, default 2)
 */
import { startMlflowServer } from "../lib/testing/mod.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 10);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 2);
const CONNECTIONS = 64;
const TOKEN = "bench-token-0123456789abcdef";
const BODY = JSON.stringify({
  age: 41,
  annual_income: 85000,
  credit_score: 720,
  loan_amount: 20000,
  loan_term_months: 36,
  debt_to_income: 0.25,
  employment_years: 6,
  loan_purpose: "home_improvement",
  home_ownership: "mortgage",
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}

async function measure(
  collector: boolean,
  trackingUri: string,
  storeDir: string,
): Promise<LoadResult> {
  const port = freePort();
  const args = [
    "run",
    "-A",
    "scripts/serve.ts",
    "--port",
    String(port),
    "--quiet",
    "--flush-interval-ms",
    "5000",
  ];
  if (!collector) args.push("--no-metrics");
  const server = new Deno.Command(Deno.execPath(), {
    args,
    env: { EVALKIT_API_TOKENS: TOKEN, MLFLOW_TRACKING_URI: trackingUri, EVALKIT_HOME: storeDir },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    for (let i = 0;; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        await res.body?.cancel();
        if (res.ok) break;
      } catch {
        if (i > 300) throw new Error("server did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        "deno.dev.json",
        "-A",
        "bench/_load.ts",
        `http://127.0.0.1:${port}/api/v1/loan/decision`,
        String(CONNECTIONS),
        String(SECONDS),
        BODY,
        TOKEN,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
    return JSON.parse(text) as LoadResult;
  } finally {
    server.kill("SIGTERM");
    await server.status;
  }
}

await using mlflow = await startMlflowServer();
const storeDir = await Deno.makeTempDir();
console.log(
  `Loan Agent API, POST /api/v1/loan/decision, ${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} rounds`,
);
const on: LoadResult[] = [];
const off: LoadResult[] = [];
for (let r = 0; r < ROUNDS; r++) {
  off.push(await measure(false, mlflow.uri, storeDir));
  on.push(await measure(true, mlflow.uri, storeDir));
}
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const row = (name: string, rs: LoadResult[]) => {
  const rps = avg(rs.map((r) => r.requests.average));
  const p99 = avg(rs.map((r) => r.latency.p99));
  const bad = rs.reduce((a, r) => a + r.non2xx + r.errors, 0);
  console.log(
    `${name.padEnd(14)} ${rps.toFixed(0).padStart(8)} decisions/s   p50 ${
      avg(rs.map((r) => r.latency.p50)).toFixed(1)
    } ms   p99 ${p99.toFixed(1)} ms   non-2xx/errors ${bad}`,
  );
  return { rps, p99 };
};
const a = row("collector off", off);
const b = row("collector on", on);
const overhead = (a.rps - b.rps) / a.rps * 100;
console.log(
  `collector overhead: ${overhead.toFixed(1)}% throughput (target < 5%), p99 ${
    b.p99.toFixed(1)
  } vs ${a.p99.toFixed(1)} ms`,
);
await Deno.remove(storeDir, { recursive: true });
