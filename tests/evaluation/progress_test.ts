import assert from "node:assert/strict";
import { formatProgress } from "../../lib/evaluation/mod.ts";

Deno.test("formatProgress() shows rows done/total, rows/s, ETA and errors in one line", () => {
  const line = formatProgress({
    done: 600,
    total: 1200,
    errors: 3,
    retries: 1,
    elapsedMs: 2000,
    rowsPerSecond: 300,
    etaMs: 2000,
  }, 80);
  assert.equal(line, "[###############---------------] 600/1200 50% 300 rows/s ETA 2s errors 3");
  assert.ok(line.length <= 80);
});

Deno.test("formatProgress() names the trial when repeating and says ? before the first row", () => {
  const line = formatProgress({
    done: 0,
    total: 10,
    errors: 0,
    retries: 0,
    elapsedMs: 5,
    rowsPerSecond: 0,
    trial: 2,
    trials: 3,
  });
  assert.match(line, /0\/10 0% 0 rows\/s ETA \? errors 0 trial 2\/3$/);
  assert.match(
    formatProgress({
      done: 1,
      total: 2,
      errors: 0,
      retries: 0,
      elapsedMs: 1,
      rowsPerSecond: 1,
      etaMs: 3_725_000,
    }),
    /ETA 1h02m/,
  );
});
