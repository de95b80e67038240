// Imports the BUILT package by its name, as ESM, and runs a tiny pipeline.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { accumulate, AttemptText, detectDrift, fromStream, isL0Error, l0, InvalidStreamError } from 'l0-rx';
import { retryWithBackoff, withTimeouts } from 'l0-rx/operators';
import { fakeModel, startFaultServer } from 'l0-rx/testing';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { withSentry } from 'l0-rx/sentry';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisBreakerStore } from 'l0-rx/breakers/redis';

assert.equal(typeof l0, 'function');
assert.equal(typeof retryWithBackoff, 'function');
assert.equal(typeof withTimeouts, 'function');
assert.equal(typeof startFaultServer, 'function');
assert.equal(typeof createRedisEventStore, 'function');
assert.equal(typeof withOpenTelemetry, 'function');
assert.equal(typeof withSentry, 'function');
assert.ok(isL0Error(new InvalidStreamError('x')));
assert.equal(typeof redisBreakerStore({ get: async () => null, set: async () => 'OK', eval: async () => 1 }).update, 'function');

async function* words() { yield 'Hello'; yield ' world'; }
const states = await lastValueFrom(fromStream(() => words()).pipe(accumulate(), toArray()));
assert.equal(states.at(-1).content, 'Hello world');
assert.equal(states.at(-1).status, 'complete');

const events = await lastValueFrom(l0({ stream: fakeModel(['ab|']) }).pipe(toArray()));
assert.deepEqual(events.map((e) => e.type), ['start', 'token', 'token', 'complete']);
assert.ok(await lastValueFrom(of(1)));

const jsonl = createJsonlEventStore(join(mkdtempSync(join(tmpdir(), 'l0-smoke-')), 'events.jsonl'));
await jsonl.append([{ v: 1, streamId: 's', seq: 0, ts: 0, event: { type: 'token', value: 'a' } }]);
assert.deepEqual((await jsonl.read('s')).map((e) => e.event.value), ['a']);
// The per-token slots on globalThis (the attempt text's last change, the unchecked tail, the
// checkpoint refs) are shared by the ESM and CJS copies: a process loading both (an ESM app with a
// CJS dependency on l0-rx) builds one text per token and narrows checkpoints across the copies.
const cjs = createRequire(import.meta.url)('l0-rx');
assert.notEqual(cjs.AttemptText, AttemptText);
const mine = new AttemptText();
const theirs = new cjs.AttemptText();
for (let i = 0; i < 20; i++) {
  const token = { type: 'token', value: `t${i} ` };
  mine.observe(token);
  theirs.observe(token);
  assert.equal(theirs.version, mine.version);
}
assert.equal(theirs.text, mine.text);
const start = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const words5 = [start, ...Array.from({ length: 6 }, () => ({ type: 'token', value: 'word ' }))];
// 30 characters, under drift's 64-character batch: nothing is judged, so no checkpoint of the CJS copy holds it
const checked = await lastValueFrom(from(words5).pipe(detectDrift({ action: 'retry' }), cjs.checkpointEvery(1), toArray()));
assert.equal(checked.filter((e) => e.type === 'checkpoint').length, 0);
const plain = await lastValueFrom(from(words5).pipe(cjs.checkpointEvery(1), toArray()));
assert.equal(plain.filter((e) => e.type === 'checkpoint').length, 6);
console.log('smoke (esm): ok');
