/**
 * @test {recordEvents} @test {replayEvents} @test {createStoreReplaySource}: a run of every event type, every field set
 * or left out, recorded through each store (memory, JSONL, Redis) and replayed gives back events deepEqual to the live
 * ones; a follower of the finished log joining at any `seq` sees each envelope from there once, in order, then completes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concat, from, lastValueFrom, materialize, tap, throwError, toArray, type Observable } from 'rxjs';
import { readFile } from 'node:fs/promises';
import { checkpointEvery, createMemoryEventStore, createStoreReplaySource, ProviderError, recordEvents, replayEvents, serializeError, type EventStore, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';
import { runs, runsTimeout } from '../helpers/propertyRuns.js';

/** JSON data as a store keeps it (no -0, no undefined, no NaN: what JSON cannot hold is no event field). */
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const text = fc.string({ unit: 'binary', maxLength: 12 });
const word = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const num = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const count = fc.nat({ max: 1e6 });
const severity = fc.constantFrom('warning' as const, 'error' as const, 'fatal' as const);
const state = fc.constantFrom('closed' as const, 'open' as const, 'half-open' as const);
const serialized = fc.record({ name: word, message: text, code: fc.constantFrom('SERVER_ERROR', 'NETWORK_ERROR', 'RATE_LIMITED') }, { requiredKeys: ['name', 'message'] });
const usage = fc.record({ inputTokens: count, outputTokens: count, totalTokens: count, reasoningTokens: count, cachedInputTokens: count }, { requiredKeys: [] });
const payload = fc.record(
  { contentType: fc.constantFrom('image', 'audio', 'file', 'json', 'text', 'x-own'), mimeType: word, url: word, base64: word, json, metadata: fc.dictionary(word, json, { maxKeys: 3 }) },
  { requiredKeys: ['contentType'] },
);

/** Every event type but `complete` (the run's end), each field set or left out. */
const event: fc.Arbitrary<L0Event> = fc.oneof(
  fc.record({ type: fc.constant('token' as const), value: word }),
  fc.record({ type: fc.constant('token' as const), value: word }),
  fc.record({ type: fc.constant('reasoning' as const), value: word }),
  fc.record({ type: fc.constant('tool-call' as const), id: word, name: word, arguments: text, approvalId: word, suspendPayload: json, truncated: fc.constant(true as const) }, { requiredKeys: ['type', 'id', 'name', 'arguments'] }),
  fc.record({ type: fc.constant('data' as const), payload }),
  fc.record({ type: fc.constant('progress' as const), percent: num, step: text, message: text }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('partial' as const), value: json }),
  fc.record({ type: fc.constant('result' as const), data: json, corrected: fc.boolean(), corrections: fc.array(text, { maxLength: 3 }), truncated: fc.boolean(), raw: text }),
  fc.record({ type: fc.constant('start' as const), attempt: fc.integer({ min: 1, max: 9 }), fallbackIndex: fc.nat(3), isRetry: fc.boolean(), isFallback: fc.boolean(), model: word }, { requiredKeys: ['type', 'attempt', 'fallbackIndex', 'isRetry', 'isFallback'] }),
  fc.record({ type: fc.constant('retry' as const), attempt: fc.integer({ min: 1, max: 9 }), delayMs: count, error: serialized, reason: fc.constantFrom('rate_limit', 'zero_output', 'network'), countsTowardAttempts: fc.boolean() }) as fc.Arbitrary<L0Event>,
  fc.record({ type: fc.constant('fallback' as const), fromIndex: fc.nat(3), toIndex: fc.nat(4), error: serialized }),
  fc.record({ type: fc.constant('resume' as const), checkpoint: text }),
  fc.record({ type: fc.constant('checkpoint' as const), content: text, tokenCount: count }),
  fc.record({ type: fc.constant('violation' as const), violation: fc.record({ ruleId: word, message: text, severity, recoverable: fc.boolean(), position: count, redacted: count }, { requiredKeys: ['ruleId', 'message', 'severity', 'recoverable'] }) }),
  fc.record({ type: fc.constant('drift' as const), types: fc.array(word, { maxLength: 3 }), confidence: num }),
  fc.record({ type: fc.constant('breaker' as const), key: word, from: state, to: state }),
);
const end = fc.record({ type: fc.constant('complete' as const), finishReason: fc.constantFrom('stop' as const, 'length' as const, 'content-filter' as const, 'tool-calls' as const, 'other' as const), usage }, { requiredKeys: ['type', 'finishReason'] });

/** A run's failure (its end instead of `complete`): a typed error, every option set or left out. */
const failure = fc
  .record({ message: text, status: fc.integer({ min: 400, max: 599 }), retryable: fc.boolean(), code: fc.constantFrom('SERVER_ERROR' as const, 'RATE_LIMITED' as const) }, { requiredKeys: ['message', 'code', 'retryable'] })
  .map(({ message, ...options }) => new ProviderError(message, { category: 'server', ...options }));

/** A run: the events, then its `complete` or its failure. */
interface Run {
  readonly events: L0Event[];
  readonly error?: ProviderError;
}
const run = fc
  .tuple(fc.array(event, { maxLength: 25 }), fc.oneof(end, failure))
  .map(([events, last]): Run => (last instanceof ProviderError ? { events, error: last } : { events: [...events, last] }));

/**
 * Records `run` as `streamId`, through `checkpointEvery(2)` (its checkpoints are proved prefixes of the attempt
 * text, so the durable stores write them as a length), and waits for the log to be written: the live events.
 */
async function record(store: EventStore, streamId: string, { events, error }: Run): Promise<{ live: L0Event[]; info: RecordedInfo }> {
  let done!: (info: RecordedInfo) => void;
  const recorded = new Promise<RecordedInfo>((resolve) => (done = resolve));
  const live: L0Event[] = [];
  const source = error ? concat(from(events), throwError(() => error)) : from(events);
  source.pipe(checkpointEvery(2), tap((e) => live.push(structuredClone(e))), recordEvents(store, { streamId, runTag: () => 'r1', onRecorded: done })).subscribe({ error: () => undefined });
  return { live, info: await recorded };
}

/** What an observable gave: its values, then how it ended (an error as `serializeError` gives it, so typed errors compare by their fields). */
async function outcome<T>(source: Observable<T>): Promise<{ values: T[]; error?: unknown }> {
  const notes = await lastValueFrom(source.pipe(materialize(), toArray()));
  const values = notes.flatMap((n) => (n.kind === 'N' ? [n.value as T] : []));
  const failed = notes.find((n) => n.kind === 'E');
  return failed ? { values, error: serializeError(failed.error) } : { values };
}

/** Records, replays and follows one run through `store`, each property run on a stream of its own. */
async function roundTrip(store: EventStore, recorded: Run, id: number): Promise<void> {
  const streamId = `run-${id}`;
  const { live, info } = await record(store, streamId, recorded);
  const ended = recorded.error ? { error: serializeError(recorded.error) } : {};
  const envelopes = live.length + (recorded.error ? 1 : 0);
  expect(info).toMatchObject({ count: envelopes, error: undefined });
  expect(await outcome(replayEvents(store, streamId))).toEqual({ values: live, ...ended });
  if (!store.follow) return;
  for (let seq = 0; seq <= envelopes; seq++) {
    const followed = await lastValueFrom(store.follow(streamId, seq).pipe(toArray()));
    expect(followed.map((e) => e.seq)).toEqual(Array.from({ length: Math.max(0, envelopes - seq) }, (_, i) => seq + i));
    const end = recorded.error && seq <= live.length ? [{ type: 'error', error: serializeError(recorded.error) }] : [];
    expect(followed.map((e) => e.event)).toEqual([...live.slice(seq), ...end]);
  }
  const source = createStoreReplaySource(store);
  for (let after = 0; after <= envelopes + 1; after++) {
    const from = Math.min(after, live.length);
    expect(await outcome(source.replay(streamId, after))).toEqual({ values: live.slice(from).map((event, i) => ({ seq: from + i + 1, event, run: 'r1' })), ...ended });
  }
}

describe('a recorded run of every event type, replayed and followed', () => {
  const tmp = useTempDir('l0-roundtrip-');
  const redis = useRedisServer();

  it('should give back the live events through the memory store', async () => {
    const store = createMemoryEventStore();
    let id = 0;
    await fc.assert(fc.asyncProperty(run, (events) => roundTrip(store, events, id++)), { numRuns: runs(100) });
  }, runsTimeout(60_000));

  it('should give back the live events through the JSONL store', async () => {
    const store = createJsonlEventStore(tmp.path);
    let id = 0;
    await fc.assert(fc.asyncProperty(run, (events) => roundTrip(store, events, id++)), { numRuns: runs(60) });
    // the generator proves checkpoints: some were written as a length, and read back whole
    expect(await readFile(tmp.path, 'utf8')).toContain('"contentLength"');
  }, runsTimeout(60_000));

  it('should give back the live events through the Redis store', async () => {
    const store = createRedisEventStore(redis.client);
    let id = 0;
    await fc.assert(fc.asyncProperty(run, (events) => roundTrip(store, events, id++)), { numRuns: runs(40) });
  }, runsTimeout(60_000));
});
