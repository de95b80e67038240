// Imports the BUILT package by its name, as ESM, and runs a tiny pipeline.
import assert from 'node:assert/strict';
import { lastValueFrom, of, toArray } from 'rxjs';
import { accumulate, fromStream, isL0Error, l0, InvalidStreamError } from 'l0-rx';
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
console.log('smoke (esm): ok');
