/** Private concurrency and rate-limit primitives of the runner. */
import { delay } from "../_internal/retry.ts";

/** A semaphore whose limit can move (AIMD on 429). */
export class AdjustableSemaphore {
  #active = 0;
  #limit: number;
  readonly max: number;
  #waiters: (() => void)[] = [];
  constructor(limit: number) {
    this.#limit = limit;
    this.max = limit;
  }
  get limit(): number {
    return this.#limit;
  }
  get active(): number {
    return this.#active;
  }
  setLimit(n: number): void {
    this.#limit = Math.max(1, Math.min(this.max, n));
    this.#wake();
  }
  /** Waits for a slot. Never rejects; callers re-check cancellation afterwards. */
  acquire(): Promise<void> | undefined {
    if (this.#active < this.#limit) {
      this.#active++;
      return undefined;
    }
    return new Promise((resolve) => {
      this.#waiters.push(() => {
        this.#active++;
        resolve();
      });
    });
  }
  release(): void {
    this.#active--;
    this.#wake();
  }
  /** Releases every waiter (cancellation): they get a slot and must release it. */
  drain(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
  #wake(): void {
    while (this.#active < this.#limit && this.#waiters.length > 0) this.#waiters.shift()!();
  }
}

/**
 * A token bucket refilled continuously at `ratePerSecond` up to `capacity`. `take(n)` waits
 * until `n` tokens are there; `charge(n)` takes tokens after the fact (may go negative: debt).
 */
export class TokenBucket {
  #rate: number;
  readonly capacity: number;
  #level: number;
  #last: number;
  readonly #now: () => number;
  constructor(
    ratePerSecond: number,
    capacity: number,
    now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) {
      throw new RangeError(`Expected a rate > 0 but found ${ratePerSecond}`);
    }
    this.#rate = ratePerSecond;
    this.capacity = Math.max(1, capacity);
    this.#level = this.capacity;
    this.#now = now;
    this.#last = now();
  }
  get rate(): number {
    return this.#rate;
  }
  set rate(r: number) {
    this.#refill();
    this.#rate = Math.max(1e-3, r);
  }
  #refill(): void {
    const t = this.#now();
    this.#level = Math.min(this.capacity, this.#level + ((t - this.#last) / 1000) * this.#rate);
    this.#last = t;
  }
  /** Milliseconds until `n` tokens are available (0 when they are). */
  waitMs(n: number): number {
    this.#refill();
    const need = Math.min(n, this.capacity) - this.#level;
    return need <= 0 ? 0 : (need / this.#rate) * 1000;
  }
  async take(n: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const w = this.waitMs(n);
      if (w <= 0) break;
      await delay(Math.ceil(w), { signal });
    }
    this.#level -= n;
  }
  charge(n: number): void {
    this.#refill();
    this.#level -= n;
  }
}
