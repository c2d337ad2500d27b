import assert from "node:assert/strict";
import { type Agent, AgentError, runAgent } from "../../lib/evaluation/mod.ts";

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));

function delayed(ms: number, onStart?: () => void, onEnd?: () => void): Agent {
  return {
    name: "delayed",
    version: "1",
    config: {},
    decide: (_r, o) =>
      new Promise((resolve, reject) => {
        onStart?.();
        if (o?.signal?.aborted) {
          onEnd?.();
          return reject(o.signal.reason);
        }
        const t = setTimeout(() => {
          onEnd?.();
          resolve({ outcome: "ok" });
        }, ms);
        o?.signal?.addEventListener("abort", () => {
          clearTimeout(t);
          onEnd?.();
          reject(o.signal!.reason);
        }, { once: true });
      }),
  };
}

Deno.test("runAgent() never has more calls in flight than the concurrency", async () => {
  let active = 0, peak = 0;
  const out = await runAgent(
    delayed(2, () => peak = Math.max(peak, ++active), () => active--),
    rows(60),
    {
      concurrency: 5,
    },
  );
  assert.equal(out.records.length, 60);
  assert.equal(peak, 5);
  assert.deepEqual(
    out.records.map((r) => r.index),
    rows(60).map((r) => r.i),
    "records are in request order",
  );
});

Deno.test("a call that outlives timeoutMs is aborted and counted as a timeout", async () => {
  let aborted = 0;
  const agent: Agent = {
    name: "a",
    version: "1",
    config: {},
    decide: (_r, o) =>
      new Promise((_res, rej) =>
        o?.signal?.addEventListener("abort", () => {
          aborted++;
          rej(o.signal!.reason);
        })
      ),
  };
  const out = await runAgent(agent, rows(3), { timeoutMs: 20, retries: 0 });
  assert.deepEqual(out.records.map((r) => r.errorType), ["timeout", "timeout", "timeout"]);
  assert.equal(aborted, 3, "the agent's signal was aborted");
  assert.match(out.records[0]!.errorMessage!, /timed out after 20 ms/);
});

Deno.test("retryable failures are retried with backoff, others are not", async () => {
  const attempts = new Map<number, number>();
  const agent: Agent = {
    name: "a",
    version: "1",
    config: {},
    decide: (r) => {
      const i = r.i as number;
      const n = (attempts.get(i) ?? 0) + 1;
      attempts.set(i, n);
      if (i === 0 && n < 3) {
        return Promise.reject(new AgentError("503", { kind: "agent_exception", retryable: true }));
      }
      if (i === 1) {
        return Promise.reject(new AgentError("400", { kind: "agent_exception", retryable: false }));
      }
      return Promise.resolve({ outcome: "ok" });
    },
  };
  const t0 = performance.now();
  const out = await runAgent(agent, rows(3), { retries: 2, backoffMs: 20 });
  assert.equal(out.records[0]!.decision?.outcome, "ok");
  assert.equal(out.records[0]!.attempts, 3);
  assert.equal(out.records[1]!.errorType, "agent_exception");
  assert.equal(out.records[1]!.attempts, 1);
  assert.equal(out.retries, 2);
  assert.ok(performance.now() - t0 >= 20, "waited for the backoff");
});

Deno.test("requestsPerSecond caps the call rate", async () => {
  const starts: number[] = [];
  const agent: Agent = {
    name: "a",
    version: "1",
    config: {},
    decide: () => {
      starts.push(performance.now());
      return Promise.resolve({ outcome: "ok" });
    },
  };
  const t0 = performance.now();
  await runAgent(agent, rows(30), { concurrency: 10, rateLimit: { requestsPerSecond: 100 } });
  const elapsed = performance.now() - t0;
  // a burst of 10, then 20 more at 100/s ≈ 200 ms
  assert.ok(elapsed >= 180, `took ${elapsed.toFixed(0)} ms`);
  assert.ok(elapsed < 1500, `took ${elapsed.toFixed(0)} ms`);
});

Deno.test("tokensPerMinute holds calls back once the budget is spent", async () => {
  const agent: Agent = {
    name: "a",
    version: "1",
    config: {},
    decide: () =>
      Promise.resolve({ outcome: "ok", usage: { m: { inputTokens: 50, outputTokens: 50 } } }),
  };
  const t0 = performance.now();
  // 6000 tokens/min = 100 tokens/s; 6000 burst, then 100 tokens per call: 80 calls = 8000 tokens → ≈ 20 s
  // keep it short: 62 calls = 6200 tokens → about 2 s beyond the burst
  await runAgent(agent, rows(62), { concurrency: 1, rateLimit: { tokensPerMinute: 6000 } });
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 1500, `took ${elapsed.toFixed(0)} ms`);
});

Deno.test("a 429 pauses for Retry-After, halves concurrency and is retried", async () => {
  let calls = 0, active = 0, peakAfter429 = 0, limited = false;
  const agent: Agent = {
    name: "a",
    version: "1",
    config: {},
    decide: async () => {
      const n = ++calls;
      active++;
      if (limited) peakAfter429 = Math.max(peakAfter429, active);
      try {
        await new Promise((r) => setTimeout(r, 2));
        if (n === 5) {
          limited = true;
          throw new AgentError("429", { kind: "rate_limited", retryAfterMs: 100 });
        }
        return { outcome: "ok" };
      } finally {
        active--;
      }
    },
  };
  const t0 = performance.now();
  const out = await runAgent(agent, rows(40), { concurrency: 8 });
  assert.equal(out.rateLimited, 1);
  assert.ok(out.records.every((r) => r.decision), "every row ends well");
  assert.equal(out.minConcurrency, 4);
  assert.ok(performance.now() - t0 >= 100, "waited Retry-After");
  assert.ok(peakAfter429 <= 8);
});

Deno.test("an aborted run stops starting calls and reports what finished", async () => {
  const ctl = new AbortController();
  let n = 0;
  const out = await runAgent(
    delayed(3, () => {
      if (++n === 10) ctl.abort();
    }),
    rows(100),
    { concurrency: 2, signal: ctl.signal },
  );
  assert.equal(out.cancelled, true);
  assert.ok(out.records.length < 10, `finished ${out.records.length}`);
});

Deno.test("progress is reported with rows/s and an ETA, and once at the end", async () => {
  const seen: number[] = [];
  await runAgent(delayed(1), rows(50), {
    concurrency: 5,
    progressIntervalMs: 0,
    onProgress: (p) => {
      seen.push(p.done);
      assert.equal(p.total, 50);
      if (p.done > 0) assert.ok(p.etaMs !== undefined && p.rowsPerSecond > 0);
    },
  });
  assert.equal(seen.at(-1), 50);
  assert.ok(seen.length >= 10);
});
