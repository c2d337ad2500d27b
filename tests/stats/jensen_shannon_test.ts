import assert from "node:assert/strict";
import { jensenShannon } from "../../lib/stats/jensen_shannon.ts";
import { loadDriftFixtures } from "./_stats_fixtures.ts";

const fx = loadDriftFixtures();

function close(a: number, b: number) {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.abs(b) || Math.abs(a - b) < 1e-15;
}

Deno.test("jensenShannon() matches scipy.spatial.distance.jensenshannon in base 2 and base e", () => {
  for (const c of fx.jensenshannon) {
    const b2 = jensenShannon(c.p, c.q, { base: 2 });
    const be = jensenShannon(c.p, c.q);
    assert.ok(close(b2, c.base2), `base 2: ${b2} vs ${c.base2}`);
    assert.ok(close(be, c.base_e), `base e: ${be} vs ${c.base_e}`);
  }
});

Deno.test("jensenShannon() is 1 in base 2 for disjoint supports and rejects mismatched lengths", () => {
  assert.equal(jensenShannon([1, 0, 0], [0, 0, 1], { base: 2 }), 1);
  assert.throws(() => jensenShannon([1], [1, 2]), RangeError);
  assert.throws(() => jensenShannon([1], [1], { base: 1 }), RangeError);
});
