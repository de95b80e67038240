/**
 * Where breaker records live. Every method may answer synchronously (the memory store does, so
 * marble tests are exact) or with a promise (Redis).
 *
 * A store shared between processes implements `update` as one atomic read-modify-write (the Redis
 * store: a compare-and-set script, retried on conflict), so concurrent servers never lose a count
 * or open the breaker twice. A store without `update` is read then written by the breaker, one
 * round at a time per breaker (an asynchronous round waits for the one under way), which is atomic
 * only within one process. A store that fails is treated as closed.
 */
import type { BreakerRecord } from './breakerState.js';

export type { BreakerRecord, BreakerState } from './breakerState.js';

/** The storage behind a {@link CircuitBreaker}: one record per breaker key. */
export interface BreakerStore {
  get(key: string): BreakerRecord | undefined | PromiseLike<BreakerRecord | undefined>;
  set(key: string, record: BreakerRecord): void | PromiseLike<void>;
  /**
   * Optional atomic read-modify-write: reads the record, calls `change` with it and stores the
   * result unless it is the very object passed in (no write), all as one step; when another writer
   * got in between, reads again and calls `change` again (so `change` must be pure).
   */
  update?(key: string, change: (stored: BreakerRecord | undefined) => BreakerRecord): void | PromiseLike<void>;
}

/**
 * A breaker store in this process's memory: the default. Share one store (or one breaker) between
 * every call to the same model.
 *
 * @example
 * import { createCircuitBreaker, memoryBreakerStore } from 'l0-rx';
 * const store = memoryBreakerStore();
 * const gpt = createCircuitBreaker({ key: 'gpt-4o', store });
 */
export function memoryBreakerStore(): BreakerStore {
  const records = new Map<string, BreakerRecord>();
  return { get: (key) => records.get(key), set: (key, record) => void records.set(key, record) };
}
