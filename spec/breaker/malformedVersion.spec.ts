/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore } from 'l0-rx';
import { breakerCall } from '../helpers/breakerCall.js';

/*
 * A record another writer stored with a `version` that is no finite number from 0 to 2^53 - 1 (a
 * string, null, NaN, a negative or a huge one) was compared and counted on as it was: a string
 * compared as text with another ('10' below '9') and concatenated ('3' + 1 is '31'), null and a negative one read as
 * older than any record, NaN as neither older nor newer, and a version past 2^53 (or Infinity) never
 * grew (+ 1 is the same number), NaN spread to every write after it. A late answer read before that
 * record then looked newer and reported the state going backwards. Such a version now reads as
 * missing, as in a record written before versions existed (ordered by when the change was
 * computed), and the next write replaces it with a well-formed one.
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
const flush = () => new Promise((resolve) => setImmediate(resolve));

const record = (state: BreakerRecord['state'], version: unknown): BreakerRecord =>
  ({ state, failures: 0, openedAt: 0, period: state === 'open' ? 1 : 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0, version }) as BreakerRecord;

/** A store with an atomic update that runs at once (as Redis runs a command) and answers when the test releases it. */
function heldStore(initial: BreakerRecord) {
  let stored: BreakerRecord | undefined = initial;
  const held: (() => void)[] = [];
  const store: BreakerStore = {
    get: () => stored,
    set: (_key, rec) => void (stored = rec),
    update: (_key, change) => {
      stored = change(stored);
      return new Promise<void>((resolve) => held.push(resolve));
    },
  };
  const release = async (n: number) => {
    for (let i = 0; held.length <= n; i++) {
      if (i > 1_000) throw new Error(`expected ${n + 1} store rounds, got ${held.length}`);
      await flush();
    }
    held[n]!();
    await flush();
  };
  return { store, release, put: (rec: BreakerRecord) => void (stored = rec), stored: () => stored };
}

describe('circuitBreaker: a record whose version another writer made malformed', () => {
  it.each([
    ['null', null],
    ['negative', -1],
    ['a string', '3'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['past 2^53', 2 ** 53],
    ['huge', 1e300],
  ])('should order a late answer before it, and write a well-formed version over it (%s)', async (_name, version) => {
    const { store, release, put, stored } = heldStore(record('open', 5));
    const seen: string[] = [];
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const early = breakerCall(breaker); // reads the open record (version 5): its answer comes last
    put(record('closed', version)); // another writer closed it
    const late = breakerCall(breaker); // reads the closed one: let through
    await release(1);
    expect(late.source.observed).toBe(true);
    await release(0);
    expect(await early.ended).toEqual(['CIRCUIT_OPEN']); // its state is older than the reported one: nothing reported
    late.source.error(serverError); // opens the breaker over the malformed record
    await release(2);
    expect(await late.ended).toEqual(['closed>open', 'SERVER_ERROR']);
    expect(seen).toEqual(['closed>open']);
    const written = stored()!.version!;
    expect(Number.isSafeInteger(written) && written >= 1).toBe(true);
  });
});
