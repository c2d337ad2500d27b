import assert from "node:assert/strict";
import {
  backoff,
  delay,
  isRetriableStatus,
  isTransientError,
  parseRetryAfter,
  RETRIABLE_STATUSES,
  retry,
} from "../../lib/_internal/retry.ts";

/** An error as a transport would throw it for an HTTP status. */
function statusError(status: number, retryAfterMs?: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status, retryAfterMs });
}

type Caught = Error & { status?: number; attempt?: number };

/** The error a promise rejects with (fails the test if it resolves). */
function failure(p: Promise<unknown>): Promise<Caught> {
  return p.then(
    () => assert.fail("expected a rejection"),
    (e) => e as Caught,
  );
}

/** A fake clock whose sleep advances it, recording each wait. */
function fakeClock() {
  let t = 1_000_000; // not 0: elapsed time is now() − start, never now() alone
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: (ms: number) => {
      waits.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("the retried statuses are exactly 408, 429, 500, 502, 503 and 504", () => {
  assert.deepEqual([...RETRIABLE_STATUSES].sort(), [408, 429, 500, 502, 503, 504]);
  for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetriableStatus(s), String(s));
  for (const s of [200, 400, 401, 403, 404, 409, 413, 422, 501, 505]) {
    assert.ok(!isRetriableStatus(s), String(s));
  }
});

Deno.test("retry() retries every transient status once and then succeeds", async (t) => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await t.step(`HTTP ${status}`, async () => {
      const clock = fakeClock();
      let calls = 0;
      const value = await retry(() => {
        if (++calls === 1) throw statusError(status);
        return Promise.resolve("ok");
      }, { sleep: clock.sleep, now: clock.now });
      assert.equal(value, "ok");
      assert.equal(calls, 2);
      assert.equal(clock.waits.length, 1);
    });
  }
});

Deno.test("retry() retries network errors, no answer (status 0) and timeouts", async (t) => {
  const cases: [string, () => unknown][] = [
    ["fetch TypeError", () => new TypeError("error sending request: Connection refused")],
    ["status 0", () => statusError(0)],
    ["TimeoutError", () => new DOMException("attempt timed out", "TimeoutError")],
  ];
  for (const [name, make] of cases) {
    await t.step(name, async () => {
      const clock = fakeClock();
      let calls = 0;
      await retry(() => {
        if (++calls < 3) throw make();
        return Promise.resolve();
      }, { sleep: clock.sleep, now: clock.now });
      assert.equal(calls, 3);
    });
  }
});

Deno.test("retry() gives up at once on answers that are not transient", async (t) => {
  for (const status of [400, 401, 403, 404, 409, 501]) {
    await t.step(`HTTP ${status}`, async () => {
      let calls = 0;
      const err = await failure(retry(() => {
        calls++;
        throw statusError(status);
      }, { sleep: () => Promise.resolve() }));
      assert.equal(err.status, status);
      assert.equal(calls, 1);
    });
  }
  await t.step("an AbortError or a plain Error", () => {
    assert.ok(!isTransientError(new DOMException("stop", "AbortError")));
    assert.ok(!isTransientError(new Error("bug")));
    assert.ok(!isTransientError(new RangeError("bad")));
    assert.ok(!isTransientError(null));
    assert.ok(!isTransientError(undefined));
    assert.ok(!isTransientError("HTTP 503"));
    assert.ok(!isTransientError({ status: "503" }), "a status that is not a number");
  });
});

Deno.test("retry() copes with thrown non-errors (null, strings) when the caller retries them", async () => {
  const clock = fakeClock();
  let calls = 0;
  const value = await retry(() => {
    calls++;
    if (calls === 1) return Promise.reject(null);
    if (calls === 2) return Promise.reject("busy");
    return Promise.resolve(calls);
  }, { isRetriable: () => true, baseMs: 8, random: () => 0.5, sleep: clock.sleep, now: clock.now });
  assert.equal(value, 3);
  assert.deepEqual(clock.waits, [4, 8], "no Retry-After read from a non-object");
});

Deno.test("retry() boundaries: maxRetries 0 is one attempt; Retry-After 0 means no wait", async () => {
  let calls = 0;
  const err = await failure(retry(() => {
    calls++;
    throw statusError(503);
  }, { maxRetries: 0, sleep: () => Promise.resolve() }));
  assert.equal(err.status, 503);
  assert.equal(calls, 1);
  const clock = fakeClock();
  calls = 0;
  await retry(() => {
    if (++calls === 1) throw statusError(429, 0);
    return Promise.resolve();
  }, { baseMs: 1000, jitter: "none", sleep: clock.sleep, now: clock.now });
  assert.deepEqual(clock.waits, [0], "Retry-After: 0 is honoured, not replaced by the backoff");
});

Deno.test("retry() throws the abort reason when the signal aborts during an attempt", async () => {
  const controller = new AbortController();
  const reason = new Error("user stopped");
  const err = await failure(retry(() => {
    controller.abort(reason);
    throw statusError(503);
  }, { signal: controller.signal, sleep: () => Promise.resolve() }));
  assert.equal(err, reason);
});

Deno.test("retry() stops after maxRetries and throws the last error as is", async () => {
  const clock = fakeClock();
  const attempts: number[] = [];
  const err = await failure(retry((attempt) => {
    attempts.push(attempt);
    throw Object.assign(statusError(503), { attempt });
  }, { maxRetries: 4, sleep: clock.sleep, now: clock.now }));
  assert.deepEqual(attempts, [1, 2, 3, 4, 5]);
  assert.equal(err.attempt, 5);
  assert.equal(clock.waits.length, 4);
});

Deno.test("backoff() doubles from baseMs up to maxMs with full jitter in [0, ceiling)", () => {
  const none = { baseMs: 100, maxMs: 1000, jitter: "none" } as const;
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoff(n, none)), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
  assert.equal(backoff(3, { baseMs: 100, random: () => 0.5 }), 200);
  assert.equal(backoff(3, { baseMs: 100, random: () => 0 }), 0);
  for (let i = 0; i < 200; i++) {
    const d = backoff(4, { baseMs: 100 });
    assert.ok(d >= 0 && d < 800, String(d));
  }
});

Deno.test("retry() waits the jittered backoff between attempts", async () => {
  const clock = fakeClock();
  let calls = 0;
  await retry(() => {
    if (++calls < 4) throw statusError(502);
    return Promise.resolve();
  }, { baseMs: 100, random: () => 0.5, sleep: clock.sleep, now: clock.now });
  assert.deepEqual(clock.waits, [50, 100, 200]);
});

Deno.test("retry() honours the server's Retry-After instead of the backoff", async () => {
  const clock = fakeClock();
  let calls = 0;
  await retry(() => {
    if (++calls === 1) throw statusError(429, 7000);
    return Promise.resolve();
  }, { baseMs: 1, sleep: clock.sleep, now: clock.now });
  assert.deepEqual(clock.waits, [7000]);
  // and through an explicit extractor
  const clock2 = fakeClock();
  calls = 0;
  await retry(() => {
    if (++calls === 1) throw new Error("slow down");
    return Promise.resolve();
  }, {
    isRetriable: () => true,
    retryAfterMs: () => parseRetryAfter("3"),
    sleep: clock2.sleep,
    now: clock2.now,
  });
  assert.deepEqual(clock2.waits, [3000]);
});

Deno.test("retry() never starts a wait that would end past the total budget", async () => {
  const clock = fakeClock();
  let calls = 0;
  const err = await failure(retry(() => {
    calls++;
    throw statusError(429, 30_000);
  }, { totalBudgetMs: 1000, sleep: clock.sleep, now: clock.now }));
  assert.equal(err.status, 429);
  assert.equal(calls, 1);
  assert.deepEqual(clock.waits, []);

  const clock2 = fakeClock();
  calls = 0;
  await retry(() => {
    calls++;
    throw statusError(503);
  }, {
    maxRetries: 100,
    baseMs: 100,
    jitter: "none",
    totalBudgetMs: 700,
    sleep: clock2.sleep,
    now: clock2.now,
  }).catch((e) => e);
  // 100 + 200 + 400 = 700 ends exactly at the budget (allowed); the next (800) would pass it
  assert.deepEqual(clock2.waits, [100, 200, 400]);
  assert.equal(calls, 4);
});

Deno.test("retry() with an aborted signal throws its reason and does not call again", async () => {
  const controller = new AbortController();
  let calls = 0;
  const started = Date.now();
  const pending = retry(() => {
    calls++;
    throw statusError(503);
  }, { baseMs: 60_000, jitter: "none", signal: controller.signal });
  setTimeout(() => controller.abort(new Error("user stopped")), 20);
  const err = await failure(pending);
  assert.equal(err.message, "user stopped");
  assert.equal(calls, 1);
  assert.ok(Date.now() - started < 5000, "the backoff wait was cut short");
  const before = new AbortController();
  before.abort(new Error("already"));
  let called = false;
  const err2 = await failure(retry(() => {
    called = true;
    return Promise.resolve();
  }, { signal: before.signal }));
  assert.equal(err2.message, "already");
  assert.equal(called, false);
});

Deno.test("retry() hands its signal to each attempt and reports each retry", async () => {
  const controller = new AbortController();
  const seen: (AbortSignal | undefined)[] = [];
  const events: number[] = [];
  let calls = 0;
  await retry((_attempt, signal) => {
    seen.push(signal);
    if (++calls < 3) throw statusError(504);
    return Promise.resolve();
  }, {
    signal: controller.signal,
    sleep: () => Promise.resolve(),
    onRetry: (e) => events.push(e.attempt),
  });
  assert.ok(seen.every((s) => s === controller.signal));
  assert.deepEqual(events, [1, 2]);
});

Deno.test("retry() refuses a maxRetries that makes no sense", async () => {
  await assert.rejects(() => retry(() => Promise.resolve(), { maxRetries: -1 }), RangeError);
  await assert.rejects(() => retry(() => Promise.resolve(), { maxRetries: 1.5 }), RangeError);
});

Deno.test("delay() resolves after the time and rejects when aborted, leaving no timer", async () => {
  await delay(1);
  const controller = new AbortController();
  const pending = delay(60_000, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
  await assert.rejects(delay(5, { signal: controller.signal }), /stop/);
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates and ignores the rest", () => {
  assert.equal(parseRetryAfter("2"), 2000);
  assert.equal(parseRetryAfter("0"), 0);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(parseRetryAfter(new Date(1_000).toUTCString(), 4_000), 0);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter(""), undefined);
  assert.equal(parseRetryAfter("soon"), undefined);
});
