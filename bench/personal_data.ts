/**
 * `deno task bench personal_data`: the one personal-data rule (`createProtector` in
 * lib/_internal/personal_data.ts) on 50,000 generated loan rows (applicant_name hashed), side
 * by side in one run with the walker as first landed (a frozen copy below, "before") and the
 * evaluator's older flat copy (spread, delete, a cache per value). Checks that all three give
 * identical rows, then prints the median of 15 passes each (a fresh protector per pass, as one
 * evaluation makes one) and the ratios.
 */
import { createProtector, type FieldRules, pseudonymize } from "../lib/_internal/personal_data.ts";
import { generateLoanRows } from "../lib/datasets/loan.ts";
import type { Row } from "../lib/datasets/types.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  // re-run with --expose-gc: a collection before each pass, so one's garbage is not billed to the next
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", new URL(import.meta.url).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}

const N = 50_000;
const PASSES = 15;
const rules: FieldRules = { hash: ["applicant_name"], drop: [] };
const rows = generateLoanRows({ rows: N, seed: 7, idPrefix: "B" });

/** createProtector as first landed (b0239e6): Object.entries, a walkable check per value. */
function protectorBefore(rules: FieldRules): (value: unknown) => unknown {
  const hash = new Set(rules.hash ?? []);
  const drop = new Set(rules.drop ?? []);
  const salt = rules.salt ?? "";
  const memo = new Map<unknown, string>();
  const pseudonym = (v: unknown): string => {
    const key = typeof v === "object" ? JSON.stringify(v) : v;
    let h = memo.get(key);
    if (h === undefined) {
      h = pseudonymize(v, salt);
      if (memo.size < 100_000) memo.set(key, h);
    }
    return h;
  };
  const walkable = (v: unknown): v is object => {
    if (v === null || typeof v !== "object") return false;
    if (Array.isArray(v)) return true;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  };
  return (root) => {
    if (!walkable(root)) return root;
    const copyOf = (v: object): unknown[] | Record<string, unknown> =>
      Array.isArray(v) ? new Array(v.length) : {};
    const out = copyOf(root);
    const stack: [object, unknown[] | Record<string, unknown>][] = [[root, out]];
    while (stack.length > 0) {
      const [src, dst] = stack.pop()!;
      if (Array.isArray(src)) {
        const arr = dst as unknown[];
        for (let i = 0; i < src.length; i++) {
          const v = src[i];
          if (walkable(v)) {
            const c = copyOf(v);
            arr[i] = c;
            stack.push([v, c]);
          } else arr[i] = v;
        }
        continue;
      }
      const obj = dst as Record<string, unknown>;
      for (const [k, v] of Object.entries(src)) {
        if (drop.has(k)) continue;
        if (hash.has(k) && v !== null && v !== undefined) obj[k] = pseudonym(v);
        else if (walkable(v)) {
          const c = copyOf(v);
          obj[k] = c;
          stack.push([v, c]);
        } else obj[k] = v;
      }
    }
    return out;
  };
}

/** The evaluator's flat copy before the one rule (6bc0373^): top-level fields only. */
function flatBefore(rules: FieldRules): (row: Row) => Row {
  const hash = [...(rules.hash ?? [])], drop = [...(rules.drop ?? [])];
  const cache = new Map<string, string>();
  return (row) => {
    const out: Row = { ...row };
    for (const c of drop) delete out[c];
    for (const c of hash) {
      const v = out[c];
      if (v === null || v === undefined) continue;
      const key = String(v);
      let h = cache.get(key);
      if (h === undefined) {
        h = pseudonymize(v);
        cache.set(key, h);
      }
      out[c] = h;
    }
    return out;
  };
}

const contenders: [string, () => (row: Row) => unknown][] = [
  ["createProtector (now)", () => createProtector(rules)],
  ["createProtector (before)", () => protectorBefore(rules)],
  ["flat copy (old evaluator)", () => flatBefore(rules)],
];

const reference = JSON.stringify(rows.map(createProtector(rules)));
for (const [name, make] of contenders) {
  if (JSON.stringify(rows.map(make())) !== reference) throw new Error(`${name}: other output`);
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
const times = new Map<string, number[]>(contenders.map(([n]) => [n, []]));
for (let pass = 0; pass < PASSES; pass++) {
  for (const [name, make] of contenders) {
    const protect = make();
    gc!();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) protect(rows[i]!);
    times.get(name)!.push(performance.now() - t0);
  }
}
const now = median(times.get(contenders[0]![0])!);
console.log(`${N} loan rows, applicant_name hashed; median of ${PASSES} passes, identical output`);
for (const [name] of contenders) {
  const t = median(times.get(name)!);
  console.log(
    `  ${name.padEnd(27)} ${t.toFixed(1).padStart(7)} ms  ${(t / now).toFixed(2)}× of now`,
  );
}
