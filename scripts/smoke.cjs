// Requires the BUILT package by its name, as CommonJS, and runs a tiny pipeline.
const assert = require('node:assert/strict');
const { lastValueFrom, toArray } = require('rxjs');
const { accumulate, fromStream, isL0Error, ProviderError } = require('l0-rx');
const { fallbackTo } = require('l0-rx/operators');
const { fakeModel } = require('l0-rx/testing');
const { createJsonlEventStore } = require('l0-rx/stores/jsonl');
const { createRedisEventStore } = require('l0-rx/stores/redis');
const { withOpenTelemetry } = require('l0-rx/opentelemetry');
const { withSentry } = require('l0-rx/sentry');
const { redisBreakerStore } = require('l0-rx/breakers/redis');
assert.equal(typeof redisBreakerStore, 'function');

assert.equal(typeof fallbackTo, 'function');
assert.equal(typeof fakeModel, 'function');
assert.equal(typeof createJsonlEventStore, 'function');
assert.equal(typeof createRedisEventStore, 'function');
assert.equal(typeof withOpenTelemetry, 'function');
assert.equal(typeof withSentry, 'function');
assert.ok(isL0Error(new ProviderError('x', { code: 'SERVER_ERROR', category: 'server', retryable: true })));

(async () => {
  const states = await lastValueFrom(fromStream(async function* () { yield 'a'; yield 'b'; }).pipe(accumulate(), toArray()));
  assert.equal(states.at(-1).content, 'ab');
  console.log('smoke (cjs): ok');
})().catch((e) => { console.error(e); process.exit(1); });
