/**
 * Where breaker records live. Both methods may answer synchronously (the memory store does, so
 * marble tests are exact) or with a promise (Redis).
 *
 * A store does read-then-write: two servers settling the same key at the same moment may lose one
 * update (a failure counted once instead of twice). That only delays or hastens a trip by a call;
 * it never blocks traffic, and a store that fails is treated as a closed breaker.
 */
import type { BreakerRecord } from './breakerState.js';

export type { BreakerRecord, BreakerState } from './breakerState.js';

/** The storage behind a {@link CircuitBreaker}: one record per breaker key. */
export interface BreakerStore {
  get(key: string): BreakerRecord | undefined | PromiseLike<BreakerRecord | undefined>;
  set(key: string, record: BreakerRecord): void | PromiseLike<void>;
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
