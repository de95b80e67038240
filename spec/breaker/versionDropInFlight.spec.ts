/** @test {circuitBreaker} @test {redisBreakerStore} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createCircuitBreaker, type BreakerRecord, type BreakerStore } from 'l0-rx';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { breakerCall } from '../helpers/breakerCall.js';
import { useRedisServer } from '../helpers/redisServer.js';

/*
 * A store whose `version`s went back while rounds were in flight (the key expired, and another server
 * versions by a clock behind). An atomic update sent before the round that reported the drop was
 * answered is ordered only by the record it wrote over. Two interleavings got that wrong:
 * - one that read, after the drop, a record newer than the one the drop reported (another server opened
 *   the breaker again) refused its call and reported nothing, until the next call. Its version is below
 *   the one reported when it was sent, which a record read after that one can only be once versions
 *   started again: it is now ordered by version with the records read since.
 * - a malformed version (another writer's) reported between the old versions and the new ones hid the
 *   drop (no number to compare), so a late answer from before the expiry looked newer than the records
 *   read after it and reported the state going backwards. A malformed version after a well-formed one
 *   now counts as a drop.
 * Every call below only reads (a closed record lets it through, an open one refuses it): one store round each.
 */

const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
const flush = () => new Promise((resolve) => setImmediate(resolve));

const record = (state: BreakerRecord['state'], version: unknown): BreakerRecord =>
  ({ state, failures: 0, openedAt: 0, period: state === 'open' ? 1 : 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0, version }) as BreakerRecord;

/** A store whose n-th read the test runs (`run(n)`: the store reads then) and answers (`answer(n)`) when it says, in any order. */
interface Harness {
  readonly store: BreakerStore;
  run(n: number): Promise<void>;
  answer(n: number): Promise<void>;
  put(rec: BreakerRecord): Promise<void>;
}

function byHand(read: (rounds: { run(): void; answer(): unknown }[]) => BreakerStore, put: Harness['put']): Harness {
  const rounds: { run(): void; answer(): unknown }[] = [];
  const round = async (n: number) => {
    for (let i = 0; rounds.length <= n; i++) if (i > 1_000) throw new Error(`expected ${n + 1} store rounds, got ${rounds.length}`); else await flush();
    return rounds[n]!;
  };
  return { store: read(rounds), run: async (n) => (await round(n)).run(), answer: async (n) => void (await (await round(n)).answer(), await flush(), await flush()), put };
}

/** A store with an atomic update, in memory. */
function memoryStore(): Harness {
  let stored: BreakerRecord | undefined;
  const store = (rounds: { run(): void; answer(): unknown }[]): BreakerStore => ({
    get: () => stored,
    set: (_key, rec) => void (stored = rec),
    update: (_key, change) => new Promise<void>((resolve) => rounds.push({ run: () => void (stored = change(stored)), answer: resolve })),
  });
  return byHand(store, async (rec) => void (stored = rec));
}

/** The Redis store on a real redis-server, behind a client whose GETs are sent and answered when the test says (a pool of connections). */
function redisStore(redis: ReturnType<typeof useRedisServer>): Harness {
  const store = (rounds: { run(): void; answer(): unknown }[]): BreakerStore =>
    redisBreakerStore({
      get: (key) =>
        new Promise((resolve) => {
          let reply: Promise<unknown> | undefined;
          rounds.push({ run: () => void (reply = redis.client.get(key)), answer: () => reply!.then(resolve) });
        }),
      set: (key, value, options) => redis.client.set(key, value, options),
      eval: (script, options) => redis.client.eval(script, options),
    });
  return byHand(store, async (rec) => void (await redis.client.set('l0-rx:breaker:m', JSON.stringify(rec))));
}

async function start({ store, run, answer, put }: Harness) {
  await put(record('open', 1_000));
  const seen: string[] = [];
  const b = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
  const first = breakerCall(b);
  await run(0);
  await answer(0);
  expect(await first.ended).toEqual(['CIRCUIT_OPEN']); // reported closed>open: version 1000
  return { b, seen };
}

/** An update sent before the drop was reported, run after it: it reads the breaker opened again. */
async function openedAgain(h: Harness) {
  const { b, seen } = await start(h);
  const late = breakerCall(b); // sent now, run later
  await h.put(record('closed', 20)); // the key expired; another server, its clock behind, wrote a closed record
  const reader = breakerCall(b);
  await h.run(2);
  await h.answer(2);
  expect(reader.source.observed).toBe(true); // reported open>closed: the version went back
  await h.put({ ...record('open', 41), openedAt: 40 }); // that server opened it again
  await h.run(1); // the late round reads it: refused
  await h.answer(1);
  expect(await late.ended).toEqual(['CIRCUIT_OPEN']);
  expect(seen).toEqual(['closed>open', 'open>closed', 'closed>open']); // was without the last: nothing until the next call
}

/** The same, its read run before the expiry: still nothing. */
async function readBefore(h: Harness) {
  const { b, seen } = await start(h);
  const late = breakerCall(b);
  await h.run(1); // reads the open record (version 1000), answered last
  await h.put(record('closed', 20));
  const reader = breakerCall(b);
  await h.run(2);
  await h.answer(2);
  expect(reader.source.observed).toBe(true);
  await h.answer(1);
  expect(await late.ended).toEqual(['CIRCUIT_OPEN']);
  expect(seen).toEqual(['closed>open', 'open>closed']);
}

/** A malformed version between the one before the expiry and the ones after it, a read from before answered last. */
async function malformedBetween(h: Harness, malformed: unknown) {
  const { b, seen } = await start(h);
  const late = breakerCall(b);
  await h.run(1); // reads the open record (version 1000): its answer comes last
  await h.put(record('closed', malformed)); // the key expired; another writer stored a closed record with a malformed version
  const foreign = breakerCall(b);
  await h.run(2);
  await h.answer(2);
  expect(foreign.source.observed).toBe(true); // reported open>closed
  await h.put(record('closed', 20)); // a writer with a clock behind replaced it: version 20
  const reader = breakerCall(b);
  await h.run(3);
  await h.answer(3);
  expect(reader.source.observed).toBe(true);
  await h.answer(1);
  expect(await late.ended).toEqual(['CIRCUIT_OPEN']);
  expect(seen).toEqual(['closed>open', 'open>closed']); // was closed>open again: 1000 read as newer than 20
}

/**
 * The interleaving left silent. Two reads sent together: the one answered first read the record from
 * before the expiry (version 1000), the other the closed one written after it (version 20), answered
 * second. A store where that closed record came first and a server whose clock is ahead opened the
 * breaker over it (version 1000) gives the breaker the very same records, sent and answered in the same
 * order: reporting the second read's closed record there would report the state going backwards. So
 * neither reports it; after the expiry the next call does.
 */
async function twoReads(h: Harness, expiredBetween: boolean) {
  const open = record('open', 1_000);
  const closed = record('closed', 20);
  await h.put(expiredBetween ? open : closed);
  const seen: string[] = [];
  const b = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store: h.store, onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
  const first = breakerCall(b);
  const second = breakerCall(b);
  for (const [n, then] of expiredBetween ? ([[0, closed], [1, undefined]] as const) : ([[1, open], [0, undefined]] as const)) {
    await h.run(n);
    if (then) await h.put(then);
  }
  await h.answer(0);
  await h.answer(1);
  expect(await first.ended).toEqual(['CIRCUIT_OPEN']);
  expect(second.source.observed).toBe(true); // its ticket: the closed record
  expect(seen).toEqual(['closed>open']);
  const next = breakerCall(b);
  await h.run(2);
  await h.answer(2);
  if (expiredBetween) expect(next.source.observed).toBe(true);
  else expect(await next.ended).toEqual(['CIRCUIT_OPEN']);
  expect(seen).toEqual(expiredBetween ? ['closed>open', 'open>closed'] : ['closed>open']);
}

describe('circuitBreaker: an update sent before a reported version drop, answered after it', () => {
  it('should report the newer record it reads in its own call', async () => {
    await openedAgain(memoryStore());
  });

  it('should still report nothing for a read from before the expiry', async () => {
    await readBefore(memoryStore());
  });

  it('should report nothing backwards for two reads sent together whose answers cannot tell an expiry from an opening', async () => {
    await twoReads(memoryStore(), false);
    await twoReads(memoryStore(), true);
  });

  it.each([
    ['null', null],
    ['a string', '7'],
    ['NaN', Number.NaN],
  ])('should not report a read from before the expiry after a malformed version (%s)', async (_name, malformed) => {
    await malformedBetween(memoryStore(), malformed);
  });
});

describe('circuitBreaker with the Redis store: an update sent before a reported version drop, answered after it', () => {
  const redis = useRedisServer();

  it('should report the newer record it reads in its own call, with a real redis-server', async () => {
    await openedAgain(redisStore(redis));
  });

  it('should still report nothing for a read from before the expiry, with a real redis-server', async () => {
    await readBefore(redisStore(redis));
  });

  it('should not report a read from before the expiry after a malformed version, with a real redis-server', async () => {
    await malformedBetween(redisStore(redis), null);
  });
});
