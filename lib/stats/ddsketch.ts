/**
 * DDSketch: a mergeable quantile sketch with a relative-error guarantee
 * (Masson, Rim, Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019).
 *
 * @module
 */

/** Options for {@linkcode DDSketch}. */
export interface DDSketchOptions {
  /**
   * Relative accuracy α, in (0, 1). Every quantile returned is within α relative error
   * of the true value at the same rank (see {@linkcode DDSketch.quantile}).
   *
   * @default {0.01}
   */
  relativeAccuracy?: number;
  /**
   * Most buckets kept by each of the two stores (positive values, negative values).
   * When a store would span more keys, its lowest buckets are collapsed into one,
   * which keeps memory bounded and leaves the upper quantiles exact to α.
   *
   * @default {2048}
   */
  maxBuckets?: number;
}

/** One store in {@linkcode DDSketchJson}: `counts[i]` is the count of bucket key `offset + i`. */
export interface DDSketchStoreJson {
  /** Key of the first bucket in `counts` (0 when `counts` is empty). */
  offset: number;
  /** Bucket counts from key `offset` upwards, without leading or trailing zeros. */
  counts: number[];
}

/**
 * The stable JSON form of a {@linkcode DDSketch} (`format: "evalkit.ddsketch"`,
 * `version: 1`), suitable to save as an MLflow artifact and read back with
 * {@linkcode DDSketch.fromJSON}.
 *
 * A value `v > 0` is in key `k = ceil(ln(v) / ln(γ))` of `positive`, `v < 0` in key
 * `ceil(ln(-v) / ln(γ))` of `negative`, and `v = 0` in `zeroCount`, with
 * `γ = (1 + relativeAccuracy) / (1 - relativeAccuracy)`.
 */
export interface DDSketchJson {
  /** Always `"evalkit.ddsketch"`. */
  format: "evalkit.ddsketch";
  /** Format version, `1`. */
  version: 1;
  /** Relative accuracy α the sketch was built with. */
  relativeAccuracy: number;
  /** Bucket limit per store. */
  maxBuckets: number;
  /** Total count (sum of weights) added. */
  count: number;
  /** Sum of `value × count` over everything added (compensated summation). */
  sum: number;
  /** Smallest value added, or `null` when empty. */
  min: number | null;
  /** Largest value added, or `null` when empty. */
  max: number | null;
  /** Count of zeros. */
  zeroCount: number;
  /** Store for values > 0. */
  positive: DDSketchStoreJson;
  /** Store for values < 0, keyed by magnitude. */
  negative: DDSketchStoreJson;
}

const INITIAL_BUCKETS = 128;

/**
 * A dense bucket store: `counts[i]` is the count of key `offset + i`. Keys never span more
 * than `maxBuckets`; beyond that the lowest keys are folded into the lowest kept key, so the
 * state depends only on the multiset of keys added (which makes merging exact).
 */
class DenseStore {
  counts: Float64Array = new Float64Array(0);
  offset = 0;
  readonly maxBuckets: number;

  constructor(maxBuckets: number) {
    this.maxBuckets = maxBuckets;
  }

  add(key: number, count: number): void {
    const i = key - this.offset;
    if (i >= 0 && i < this.counts.length) {
      this.counts[i]! += count;
    } else {
      this.addSlow(key, count);
    }
  }

  /** Lowest and highest non-empty keys, or undefined when empty. */
  range(): [number, number] | undefined {
    const c = this.counts;
    let lo = 0;
    while (lo < c.length && c[lo] === 0) lo++;
    if (lo === c.length) return undefined;
    let hi = c.length - 1;
    while (c[hi] === 0) hi--;
    return [lo + this.offset, hi + this.offset];
  }

  /** True when the store is empty. */
  isEmpty(): boolean {
    return this.range() === undefined;
  }

  addSlow(key: number, count: number): void {
    const c = this.counts;
    if (key < this.offset && c.length === this.maxBuckets && c[c.length - 1] !== 0) {
      // collapsed (or full) store whose top bucket is used: `key` folds into the lowest one
      c[0]! += count;
      return;
    }
    const r = this.range();
    const lo = r === undefined ? key : Math.min(r[0], key);
    const hi = r === undefined ? key : Math.max(r[1], key);
    const low = this.ensureRange(lo, hi);
    this.counts[Math.max(key, low) - this.offset]! += count;
  }

  /**
   * Makes the array cover keys [lo, hi], collapsing the lowest keys when the span exceeds
   * maxBuckets. Returns the lowest key kept (keys below it must be added to it).
   */
  ensureRange(lo: number, hi: number): number {
    const max = this.maxBuckets;
    let low = lo;
    if (hi - lo + 1 > max) low = hi - max + 1;
    const len = this.counts.length;
    if (low >= this.offset && hi < this.offset + len) {
      // fits already; still fold what lies below `low`
      this.foldBelow(low);
      return low;
    }
    const span = hi - low + 1;
    let newLen = Math.max(INITIAL_BUCKETS, span + Math.max(64, span >> 2));
    if (newLen > max) newLen = max;
    // centre the used range in the new array, keeping room on both sides
    let newOffset = low - Math.floor((newLen - span) / 2);
    if (span === max) newOffset = low;
    const next = new Float64Array(newLen);
    const old = this.counts;
    const oldOffset = this.offset;
    for (let i = 0; i < old.length; i++) {
      const c = old[i]!;
      if (c === 0) continue;
      const k = Math.max(i + oldOffset, low);
      next[k - newOffset]! += c;
    }
    this.counts = next;
    this.offset = newOffset;
    return low;
  }

  foldBelow(low: number): void {
    const c = this.counts;
    const end = Math.min(low - this.offset, c.length);
    if (end <= 0) return;
    let folded = 0;
    for (let i = 0; i < end; i++) {
      folded += c[i]!;
      c[i] = 0;
    }
    c[low - this.offset]! += folded;
  }

  /** Adds every bucket of `other` (same maxBuckets) so the result equals one store over both. */
  merge(other: DenseStore): void {
    const r = other.range();
    if (r === undefined) return;
    const mine = this.range();
    const lo = mine === undefined ? r[0] : Math.min(mine[0], r[0]);
    const hi = mine === undefined ? r[1] : Math.max(mine[1], r[1]);
    const low = this.ensureRange(lo, hi);
    const oc = other.counts;
    for (let i = r[0] - other.offset; i <= r[1] - other.offset; i++) {
      const c = oc[i]!;
      if (c === 0) continue;
      this.counts[Math.max(i + other.offset, low) - this.offset]! += c;
    }
  }

  toJSON(): DDSketchStoreJson {
    const r = this.range();
    if (r === undefined) return { offset: 0, counts: [] };
    return {
      offset: r[0],
      counts: Array.from(this.counts.subarray(r[0] - this.offset, r[1] - this.offset + 1)),
    };
  }

  static fromJSON(json: DDSketchStoreJson, maxBuckets: number, where: string): DenseStore {
    const s = new DenseStore(maxBuckets);
    if (!Number.isSafeInteger(json?.offset) || !Array.isArray(json.counts)) {
      throw new TypeError(`Expected ${where} to be {offset: integer, counts: number[]}`);
    }
    const n = json.counts.length;
    if (n === 0) return s;
    if (n > maxBuckets) {
      throw new RangeError(
        `Expected ${where}.counts to have at most ${maxBuckets} buckets but found ${n}`,
      );
    }
    s.counts = new Float64Array(n);
    s.offset = json.offset;
    for (let i = 0; i < n; i++) {
      const c = json.counts[i];
      if (typeof c !== "number" || !(c >= 0) || c === Infinity) {
        throw new RangeError(
          `Expected ${where}.counts[${i}] to be a finite number >= 0 but found ${c}`,
        );
      }
      s.counts[i] = c;
    }
    return s;
  }
}

/**
 * A DDSketch: streaming quantiles with a relative-error guarantee, exact merging and
 * bounded memory.
 *
 * Values are mapped to logarithmically spaced buckets with `γ = (1 + α) / (1 − α)`: a
 * value `v > 0` goes to key `k = ⌈log_γ v⌉`, i.e. the bucket `(γ^(k−1), γ^k]`, whose
 * representative `2γ^k / (γ + 1)` is within α relative error of every value in it.
 * Negative values use a second store keyed by `|v|`; zeros are counted apart. Buckets are
 * a dense `Float64Array` with an offset, so `add()` is a logarithm, a subtraction and an
 * increment.
 *
 * **Guarantee.** For `n` values sorted ascending `x₀ ≤ … ≤ xₙ₋₁` (integer counts),
 * `quantile(q)` returns `x̂` with `|x̂ − x_r| ≤ α·|x_r|` where `r = ⌊q·(n − 1)⌋`, the
 * 0-based "lower" rank (NumPy's `np.quantile(x, q, method="lower")`), up to
 * floating-point rounding at bucket edges (measured: α + 6e-15). The guarantee holds
 * unless the rank falls in a collapsed bucket: a store keeps at most `maxBuckets` keys,
 * and when values span more (about 8 decades per 1000 buckets at α = 1%) its lowest
 * keys are folded into one, so only the lowest quantiles of that store lose accuracy.
 *
 * **Special values.** `add()` throws a `RangeError` for `NaN`, `±Infinity`, or a count
 * that is not a finite number > 0. Zero and `-0` are counted in the zero bucket and are
 * returned exactly. Negative values are supported with the same guarantee.
 *
 * **Merging** needs the same `relativeAccuracy` and `maxBuckets` and is exact: buckets,
 * count, min and max of merged sketches equal those of one sketch over all the data
 * (so `toJSON()` is identical). `sum` uses compensated (Neumaier) summation and agrees
 * to the last bit except in the rare case where the exact sum lies within about `n²ε²`
 * of a rounding midpoint.
 *
 * @example Latency percentiles
 * ```ts
 * import { DDSketch } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const sketch = new DDSketch({ relativeAccuracy: 0.01 });
 * for (let ms = 1; ms <= 1000; ms++) sketch.add(ms);
 * assert.equal(sketch.count, 1000);
 * const p99 = sketch.quantile(0.99); // true value at rank ⌊0.99 × 999⌋ = 989 is 990
 * assert.ok(Math.abs(p99 - 990) <= 0.01 * 990);
 * assert.equal(sketch.max, 1000);
 * ```
 *
 * @example Merging and saving
 * ```ts
 * import { DDSketch } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const a = new DDSketch();
 * const b = new DDSketch();
 * a.add(12.5);
 * b.add(40, 3);
 * a.merge(b);
 * const restored = DDSketch.fromJSON(JSON.parse(JSON.stringify(a)));
 * assert.equal(restored.count, 4);
 * assert.deepEqual(restored.toJSON(), a.toJSON());
 * ```
 */
export class DDSketch {
  readonly #alpha: number;
  readonly #gamma: number;
  readonly #multiplier: number;
  readonly #maxBuckets: number;
  #pos: DenseStore;
  #neg: DenseStore;
  #zero = 0;
  #count = 0;
  #sum = 0;
  #comp = 0;
  #min = Infinity;
  #max = -Infinity;

  /**
   * Creates an empty sketch.
   *
   * @param options Relative accuracy (default 0.01) and bucket limit per store (default 2048).
   * @throws {RangeError} when `relativeAccuracy` is not in (0, 1) or `maxBuckets` is not an
   * integer ≥ 2.
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const s = new DDSketch({ relativeAccuracy: 0.005, maxBuckets: 4096 });
   * assert.equal(s.relativeAccuracy, 0.005);
   * ```
   */
  constructor(options: DDSketchOptions = {}) {
    const alpha = options.relativeAccuracy ?? 0.01;
    const maxBuckets = options.maxBuckets ?? 2048;
    if (typeof alpha !== "number" || !(alpha > 0 && alpha < 1)) {
      throw new RangeError(`Expected relativeAccuracy to be in (0, 1) but found ${alpha}`);
    }
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) {
      throw new RangeError(`Expected maxBuckets to be an integer >= 2 but found ${maxBuckets}`);
    }
    this.#alpha = alpha;
    this.#gamma = (1 + alpha) / (1 - alpha);
    this.#multiplier = 1 / Math.log(this.#gamma);
    this.#maxBuckets = maxBuckets;
    this.#pos = new DenseStore(maxBuckets);
    this.#neg = new DenseStore(maxBuckets);
  }

  /**
   * Adds `value` with weight `count`.
   *
   * @param value Any finite number; zero and negatives are supported.
   * @param count Weight, a finite number > 0 (default 1).
   * @throws {RangeError} when `value` is `NaN` or infinite, or `count` is not finite and > 0.
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const s = new DDSketch();
   * s.add(3.5);
   * s.add(-2, 2);
   * s.add(0);
   * assert.equal(s.count, 4);
   * assert.equal(s.sum, -0.5);
   * assert.throws(() => s.add(NaN), RangeError);
   * ```
   */
  add(value: number, count = 1): void {
    if (value - value !== 0 || !(count > 0 && count < Infinity)) this.#invalid(value, count);
    if (value > 0) {
      this.#pos.add(Math.ceil(Math.log(value) * this.#multiplier), count);
    } else if (value < 0) {
      this.#neg.add(Math.ceil(Math.log(-value) * this.#multiplier), count);
    } else {
      this.#zero += count;
    }
    this.#count += count;
    const x = count === 1 ? value : value * count;
    const s = this.#sum;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.#comp += (s - t) + x;
    else this.#comp += (x - t) + s;
    this.#sum = t;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  #invalid(value: number, count: number): never {
    if (value - value !== 0) {
      throw new RangeError(`Expected value to be a finite number but found ${value}`);
    }
    throw new RangeError(`Expected count to be a finite number > 0 but found ${count}`);
  }

  /**
   * The value at quantile `q`: within `relativeAccuracy` of the true value at the 0-based
   * rank `⌊q·(n − 1)⌋` of the sorted data (see the class documentation). `quantile(0)` is
   * exactly `min` and `quantile(1)` exactly `max`; estimates are clamped to `[min, max]`.
   *
   * @param q Quantile in [0, 1].
   * @returns The estimate, or `NaN` when the sketch is empty.
   * @throws {RangeError} when `q` is not in [0, 1].
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const s = new DDSketch();
   * for (const v of [1, 2, 3, 4, 100]) s.add(v);
   * assert.ok(Math.abs(s.quantile(0.5) - 3) <= 0.03);
   * assert.equal(s.quantile(1), 100);
   * assert.ok(Number.isNaN(new DDSketch().quantile(0.5)));
   * ```
   */
  quantile(q: number): number {
    if (typeof q !== "number" || !(q >= 0 && q <= 1)) {
      throw new RangeError(`Expected q to be a number in [0, 1] but found ${q}`);
    }
    if (this.#count === 0) return NaN;
    if (q === 0) return this.#min;
    if (q === 1) return this.#max;
    const rank = q * (this.#count - 1);
    let v: number;
    // order: negative store from the largest magnitude down, zeros, positive store upwards
    let cum = 0;
    found: {
      const nc = this.#neg.counts;
      for (let i = nc.length - 1; i >= 0; i--) {
        cum += nc[i]!;
        if (cum > rank) {
          v = -this.#value(i + this.#neg.offset);
          break found;
        }
      }
      cum += this.#zero;
      if (cum > rank) {
        v = 0;
        break found;
      }
      const pc = this.#pos.counts;
      for (let i = 0; i < pc.length; i++) {
        cum += pc[i]!;
        if (cum > rank) {
          v = this.#value(i + this.#pos.offset);
          break found;
        }
      }
      v = this.#max; // only reached through rounding of non-integer weights
    }
    return v < this.#min ? this.#min : v > this.#max ? this.#max : v;
  }

  /**
   * Several quantiles at once (see {@linkcode DDSketch.quantile}).
   *
   * @param qs Quantiles in [0, 1].
   * @returns One estimate per entry of `qs`, in the same order.
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const s = new DDSketch();
   * for (let i = 1; i <= 100; i++) s.add(i);
   * const [p50, p95] = s.quantiles([0.5, 0.95]);
   * assert.ok(Math.abs(p50! - 50) <= 0.5 && Math.abs(p95! - 95) <= 0.95);
   * ```
   */
  quantiles(qs: readonly number[]): number[] {
    return qs.map((q) => this.quantile(q));
  }

  /** Representative value of positive key k: 2γ^k/(γ+1) = γ^(k−1)(1+α). */
  #value(key: number): number {
    return Math.exp((key - 1) / this.#multiplier) * (1 + this.#alpha);
  }

  /**
   * Adds everything in `other` to this sketch, exactly: the result equals one sketch fed
   * all the values of both. `other` is not modified.
   *
   * @param other A sketch with the same `relativeAccuracy` and `maxBuckets`.
   * @returns This sketch.
   * @throws {RangeError} when the relative accuracies or bucket limits differ.
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const a = new DDSketch();
   * const b = new DDSketch();
   * a.add(1);
   * b.add(1000);
   * assert.equal(a.merge(b).count, 2);
   * assert.equal(a.max, 1000);
   * assert.throws(() => a.merge(new DDSketch({ relativeAccuracy: 0.02 })), RangeError);
   * ```
   */
  merge(other: DDSketch): this {
    if (other.#alpha !== this.#alpha) {
      throw new RangeError(
        `Expected sketches with the same relativeAccuracy but found ${this.#alpha} and ${other.#alpha}`,
      );
    }
    if (other.#maxBuckets !== this.#maxBuckets) {
      throw new RangeError(
        `Expected sketches with the same maxBuckets but found ${this.#maxBuckets} and ${other.#maxBuckets}`,
      );
    }
    if (other.#count === 0) return this;
    if (other === this) {
      // merging with itself: double every count
      return this.merge(DDSketch.fromJSON(this.toJSON()));
    }
    this.#pos.merge(other.#pos);
    this.#neg.merge(other.#neg);
    this.#zero += other.#zero;
    this.#count += other.#count;
    const s = this.#sum;
    const x = other.#sum;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.#comp += (s - t) + x;
    else this.#comp += (x - t) + s;
    this.#sum = t;
    this.#comp += other.#comp;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /** Relative accuracy α. */
  get relativeAccuracy(): number {
    return this.#alpha;
  }

  /** Bucket limit per store. */
  get maxBuckets(): number {
    return this.#maxBuckets;
  }

  /** Total count (sum of weights) added. */
  get count(): number {
    return this.#count;
  }

  /** Sum of `value × count` over everything added (compensated summation); 0 when empty. */
  get sum(): number {
    return this.#sum + this.#comp;
  }

  /** Smallest value added, or `NaN` when empty. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  /** Largest value added, or `NaN` when empty. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /** `sum / count`, or `NaN` when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.sum / this.#count;
  }

  /** Count of zeros added. */
  get zeroCount(): number {
    return this.#zero;
  }

  /**
   * Keys spanned by the non-empty buckets of both stores (each store spans at most
   * `maxBuckets`).
   */
  get bucketCount(): number {
    let n = 0;
    for (const s of [this.#pos, this.#neg]) {
      const r = s.range();
      if (r !== undefined) n += r[1] - r[0] + 1;
    }
    return n;
  }

  /** Bytes held by the bucket arrays (at most `2 × 8 × maxBuckets`). */
  get byteLength(): number {
    return this.#pos.counts.byteLength + this.#neg.counts.byteLength;
  }

  /**
   * The stable JSON form ({@linkcode DDSketchJson}); `JSON.stringify(sketch)` uses it.
   *
   * @returns A plain object with sorted-by-position keys and trimmed bucket arrays.
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const s = new DDSketch();
   * s.add(1);
   * s.add(0);
   * const json = s.toJSON();
   * assert.equal(json.format, "evalkit.ddsketch");
   * assert.deepEqual(json.positive, { offset: 0, counts: [1] });
   * assert.equal(json.zeroCount, 1);
   * ```
   */
  toJSON(): DDSketchJson {
    const empty = this.#count === 0;
    return {
      format: "evalkit.ddsketch",
      version: 1,
      relativeAccuracy: this.#alpha,
      maxBuckets: this.#maxBuckets,
      count: this.#count,
      sum: this.sum,
      min: empty ? null : this.#min,
      max: empty ? null : this.#max,
      zeroCount: this.#zero,
      positive: this.#pos.toJSON(),
      negative: this.#neg.toJSON(),
    };
  }

  /**
   * Rebuilds a sketch from {@linkcode DDSketch.toJSON} output (or its parsed JSON text).
   *
   * @param json A {@linkcode DDSketchJson} object.
   * @returns A sketch equal to the one saved.
   * @throws {TypeError} when `json` is not an evalkit DDSketch document.
   * @throws {RangeError} when a field is out of range.
   *
   * @example
   * ```ts
   * import { DDSketch } from "@evalkit/evalkit/stats";
   * import assert from "node:assert/strict";
   *
   * const s = new DDSketch();
   * s.add(42);
   * const copy = DDSketch.fromJSON(JSON.parse(JSON.stringify(s)));
   * assert.equal(copy.quantile(0.5), 42);
   * ```
   */
  static fromJSON(json: DDSketchJson): DDSketch {
    if (json === null || typeof json !== "object" || json.format !== "evalkit.ddsketch") {
      throw new TypeError(`Expected an object with format "evalkit.ddsketch"`);
    }
    if (json.version !== 1) {
      throw new RangeError(`Expected DDSketch JSON version 1 but found ${json.version}`);
    }
    const s = new DDSketch({
      relativeAccuracy: json.relativeAccuracy,
      maxBuckets: json.maxBuckets,
    });
    const num = (name: string, v: unknown, min: number): number => {
      if (typeof v !== "number" || !(v >= min) || v === Infinity) {
        throw new RangeError(`Expected ${name} to be a finite number >= ${min} but found ${v}`);
      }
      return v;
    };
    s.#count = num("count", json.count, 0);
    s.#zero = num("zeroCount", json.zeroCount, 0);
    if (typeof json.sum !== "number" || !Number.isFinite(json.sum)) {
      throw new RangeError(`Expected sum to be a finite number but found ${json.sum}`);
    }
    s.#sum = json.sum;
    s.#pos = DenseStore.fromJSON(json.positive, json.maxBuckets, "positive");
    s.#neg = DenseStore.fromJSON(json.negative, json.maxBuckets, "negative");
    let total = s.#zero;
    for (const c of s.#pos.counts) total += c;
    for (const c of s.#neg.counts) total += c;
    if (Math.abs(total - s.#count) > 1e-9 * Math.max(1, s.#count)) {
      throw new RangeError(
        `Expected count to equal the bucket counts plus zeroCount (${total}) but found ${s.#count}`,
      );
    }
    if (s.#count > 0) {
      s.#min = num("min", json.min, -Number.MAX_VALUE);
      s.#max = num("max", json.max, s.#min);
    }
    return s;
  }
}
