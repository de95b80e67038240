// @ts-check
// l0-rx benchmark: ratios against a plain RxJS from()+map baseline measured in the same process.
// Workload as L0's benchmark (tests/benchmark.test.ts): zero-delay tokens cycling a 16-word
// sentence, from an async iterable. Method (issue #13): warm-up rounds, then at least 30 rounds in
// which every (configuration, size) runs once in a freshly shuffled order (a fixed order moved the
// baseline by 2x between runs), with no forced GC before a timed run; medians, and the spread
// (25th-75th percentile) of each ratio over the rounds. The shuffle is seeded: `--seed` repeats a run.
// Usage: npm run bench [-- --runs 30 --warmup 5 --seed 42 --only "full stack,fan-in" --no-fanin --fanin-rounds 3 --fanin-starts together|staggered|both --no-extras --clock cpu]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, prng, quantile } from './stats.mjs';
import { first, firstValueFrom, from, lastValueFrom, map, Observable, of } from 'rxjs';
import { accumulate, consensus, createMemoryEventStore, detectDrift, fallbackTo, fromStream, guard, l0, raceModels, recommendedGuardrails, recordEvents, retryWithBackoff, structured, textSimilarity, withTimeouts } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';

const WORDS = ['the ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog ', 'while ',
  'birds ', 'sing ', 'in ', 'morning ', 'light ', 'songs '];
const argText = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const arg = (name, fallback) => { const v = argText(name); return v === undefined ? fallback : Number(v); };
const flag = (name) => process.argv.includes(`--${name}`);
const RUNS = arg('runs', 30);
const WARMUP = arg('warmup', 5);
const SEED = arg('seed', Math.floor(Math.random() * 2 ** 31));
/** `--only a,b`: the rows whose names contain one of these (their baselines are measured too). */
const ONLY = argText('only')?.split(',').map((s) => s.trim()).filter(Boolean);
/** `--clock cpu`: time each run by this process's CPU time (all its threads) instead of the wall clock, which other jobs on a shared machine inflate at random. */
const CPU_CLOCK = argText('clock') === 'cpu';
const wanted = (name) => ONLY === undefined || ONLY.some((o) => name.includes(o));

async function* tokens(n) { for (let i = 0; i < n; i++) yield WORDS[i % WORDS.length]; }
/**
 * The same words with a counter every 16 tokens and a full stop every 8: text that does not loop
 * (the plain cycle is, rightly, runaway repetition to drift detection) for the content rows.
 */
async function* prose(n) { for (let i = 0; i < n; i++) yield i % 16 === 0 ? `${i}. ` : WORDS[i % WORDS.length]; }

/** About `n` tokens of one JSON document, `{"items": [{"id": 0, "name": "the"}, ...]}`, as a model streams it. */
function jsonTokens(n) {
  const out = ['{"items": ['];
  for (let i = 0; out.length < n - 7; i++) out.push(i === 0 ? '{"id": ' : ', {"id": ', String(i), ', "name": "', WORDS[i % WORDS.length].trim(), '"}');
  out.push(']}');
  return out;
}
async function* jsonStream(list) { for (const t of list) yield t; }
/** A Standard Schema that accepts anything: the figures measure parsing, partials and repair, not a validator. */
const anything = { '~standard': { version: /** @type {1} */ (1), vendor: 'bench', validate: (/** @type {unknown} */ value) => ({ value }) } };
const jsonCache = new Map();
const jsonOf = (n) => { if (!jsonCache.has(n)) jsonCache.set(n, jsonTokens(n)); return jsonCache.get(n); };

/** Consumes an observable, returning elapsed ms; counts items so no work can be optimised away. */
function drain(observable) {
  return new Promise((resolve, reject) => {
    let count = 0;
    const c0 = CPU_CLOCK ? process.cpuUsage() : undefined;
    const t0 = performance.now();
    observable.subscribe({
      next: () => { count++; },
      error: reject,
      complete: () => {
        const cpu = c0 && process.cpuUsage(c0);
        resolve({ ms: cpu ? (cpu.user + cpu.system) / 1000 : performance.now() - t0, count });
      },
    });
  });
}

const coreEvents = (n) => fromStream(() => tokens(n)).pipe(
  withTimeouts({ initialToken: 5000, interToken: 10_000 }),
  retryWithBackoff(),
  fallbackTo(fromStream(() => tokens(n))),
);
const logDir = mkdtempSync(join(tmpdir(), 'l0-bench-'));
process.on('exit', () => rmSync(logDir, { recursive: true, force: true }));

/** The core chain recording to `store()`; completes once the stream ended AND every envelope is written. */
const recorded = (store) => (n) => new Observable((subscriber) => {
  let ends = 0;
  const end = () => { if (++ends === 2) subscriber.complete(); };
  // zero-delay tokens outrun any file (a model streams ~100 tok/s), so the queue may hold the whole run
  const onRecordError = (e) => subscriber.error(e);
  return coreEvents(n).pipe(recordEvents(store(n), { streamId: 'bench', maxPending: 1_000_000, onRecordError, onRecorded: end }), accumulate())
    .subscribe({ next: (s) => subscriber.next(s), error: (e) => subscriber.error(e), complete: end });
});

/** The full stack of issue #13: every piece has landed (core, guardrails, drift, checkpoints, recording). */
const FULL_STACK = 'l0() (timeouts, zero-output, retry) + recommendedGuardrails + detectDrift + checkpoints every 10 tokens + recordEvents to a memory store + accumulate';
const configs = {
  baseline: (n) => from(tokens(n)).pipe(map((value) => ({ type: 'token', value }))),
  core: (n) => coreEvents(n).pipe(accumulate()),
  'l0 preset': (n) => l0({ stream: () => tokens(n) }),
  'json baseline': (n) => from(jsonStream(jsonOf(n))).pipe(map((value) => ({ type: 'token', value }))),
  structured: (n) => structured({ schema: anything, stream: () => jsonStream(jsonOf(n)) }),
  'record (memory)': recorded(() => createMemoryEventStore()),
  'record (jsonl)': recorded((n) => {
    const path = join(logDir, `events-${n}.jsonl`);
    rmSync(path, { force: true });
    return createJsonlEventStore(path);
  }),
  'baseline (prose)': (n) => from(prose(n)).pipe(map((value) => ({ type: 'token', value }))),
  guard: (n) => fromStream(() => prose(n)).pipe(guard(recommendedGuardrails)),
  drift: (n) => fromStream(() => prose(n)).pipe(detectDrift({ action: 'retry' })),
  'content stack': (n) => l0({
    stream: () => prose(n),
    guardrails: recommendedGuardrails,
    detectDrift: true,
    continueFromLastKnownGoodToken: true,
  }).pipe(accumulate()),
  'full stack': (n) => l0({
    stream: () => prose(n),
    guardrails: recommendedGuardrails,
    detectDrift: true,
    continueFromLastKnownGoodToken: true,
    checkpointInterval: 10,
    record: { store: createMemoryEventStore(), streamId: 'bench' },
  }).pipe(accumulate()),
};
/** Rows measured against `baseline`, and the content rows against `baseline (prose)`. */
const BASELINE = {
  core: 'baseline', 'l0 preset': 'baseline', 'record (memory)': 'baseline', 'record (jsonl)': 'baseline', structured: 'json baseline',
  guard: 'baseline (prose)', drift: 'baseline (prose)', 'content stack': 'baseline (prose)', 'full stack': 'baseline (prose)',
};
const ROWS = Object.keys(BASELINE).filter(wanted);
const MEASURED = [...new Set(ROWS.flatMap((r) => [BASELINE[r], r]))];

const random = prng(SEED);
const shuffle = (xs) => { for (let i = xs.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [xs[i], xs[j]] = [xs[j], xs[i]]; } return xs; };

/** Per (configuration, size): the ms of every round after warm-up, rounds in a shuffled order. */
async function measure(sizes) {
  const samples = {};
  const jobs = [];
  for (const size of sizes) for (const name of MEASURED) { samples[`${name}@${size}`] = []; jobs.push([name, size]); }
  for (let r = 0; r < WARMUP + RUNS; r++) {
    for (const [name, size] of shuffle(jobs)) {
      const { ms } = await drain(configs[name](size));
      if (r >= WARMUP) samples[`${name}@${size}`].push(ms);
    }
  }
  return samples;
}

/** Median ms from subscribing to the first `token` event (the subscription is then dropped, aborting the rest). */
async function timeToFirstToken(make, runs) {
  const xs = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await firstValueFrom(make().pipe(first((e) => e.type === 'token')));
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const tps = (n, ms) => Math.round((n / ms) * 1000);
const fmt = (x) => x.toLocaleString('en-US');
/** The 25th-75th percentile of a per-round figure. */
const spread = (xs, digits = 2) => `${quantile(xs, 0.25).toFixed(digits)}-${quantile(xs, 0.75).toFixed(digits)}`;

const small = 2000;
const large = 100_000;
console.log(`l0-rx bench: ${RUNS} rounds after ${WARMUP} warm-up, configurations in a shuffled order each round (seed ${SEED}; repeat with --seed ${SEED}), no forced GC, ${CPU_CLOCK ? 'process CPU time' : 'wall clock'} per run; medians, [25th-75th percentile of the per-round ratio]`);
if (ROWS.includes('full stack')) console.log(`full stack = ${FULL_STACK} (all landed)`);
const samples = await measure([small, large]);
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
/** Per-round ratio of a row against its baseline (same round, so the same load). */
const ratios = (name, size) => samples[`${name}@${size}`].map((ms, i) => samples[`${BASELINE[name]}@${size}`][i] / ms);
for (const name of ROWS) {
  for (const size of name in { core: 1, 'l0 preset': 1 } ? [small] : [small, large]) {
    const ours = tps(size, m[`${name}@${size}`]);
    const base = tps(size, m[`${BASELINE[name]}@${size}`]);
    console.log(`${name}${size === small ? '' : ` @${fmt(size)}`}: ${(ours / base).toFixed(2)}x (${fmt(ours)} tok/s vs ${fmt(base)} tok/s) [${spread(ratios(name, size))}]`);
  }
}
for (const name of ROWS) {
  const growth = (m[`${name}@${large}`] / large) / (m[`${name}@${small}`] / small);
  const baseGrowth = (m[`${BASELINE[name]}@${large}`] / large) / (m[`${BASELINE[name]}@${small}`] / small);
  // per round: the row's growth over the baseline's growth, from the same round's four timings
  const perRound = samples[`${name}@${large}`].map((ms, i) => (ms / samples[`${name}@${small}`][i]) / (samples[`${BASELINE[name]}@${large}`][i] / samples[`${BASELINE[name]}@${small}`][i]));
  console.log(`per-token growth (${name}): ${(growth / baseGrowth).toFixed(2)}x (${fmt(tps(large, m[`${name}@${large}`]))} tok/s at ${fmt(large)} tokens vs ${fmt(tps(small, m[`${name}@${small}`]))} at ${fmt(small)}) [${spread(perRound)}]`);
}
const extra = (name) => !flag('no-extras') && wanted(name);
if (extra('time to first token')) {
  const rawFirst = await timeToFirstToken(configs.baseline.bind(null, small), RUNS * 3);
  const l0First = await timeToFirstToken(configs['l0 preset'].bind(null, small), RUNS * 3);
  console.log(`time to first token: +${(l0First - rawFirst).toFixed(3)} ms (${l0First.toFixed(3)} ms vs ${rawFirst.toFixed(3)} ms raw source)`);
}

if (extra('consensus')) {
  // consensus: two 16,000-character outputs (L0: 13 s and 3 GB with its full Levenshtein matrix)
  const text16k = (seed) => {
    let r = seed;
    let t = '';
    while (t.length < 16_000) { r = (r * 1103515245 + 12345) % 2147483648; t += WORDS[r % WORDS.length]; }
    return t.slice(0, 16_000);
  };
  const [ta, tb] = [text16k(1), text16k(2)];
  /** @param {string} t @returns {import('rxjs').Observable<import('l0-rx').L0Event>} */
  const answer = (t) => of(/** @type {import('l0-rx').L0Event} */ ({ type: 'token', value: t }), /** @type {import('l0-rx').L0Event} */ ({ type: 'complete', finishReason: 'stop' }));
  const simMs = [];
  const consMs = [];
  let heapPeak = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let t0 = performance.now();
    textSimilarity(ta, tb);
    const s = performance.now() - t0;
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed - before);
    t0 = performance.now();
    await lastValueFrom(consensus([answer(ta), answer(tb)], { minimumAgreement: 0 }));
    const c = performance.now() - t0;
    if (i >= WARMUP) { simMs.push(s); consMs.push(c); }
}
console.log(`consensus of two 16,000-character outputs: ${median(consMs).toFixed(1)} ms (textSimilarity ${median(simMs).toFixed(1)} ms, heap growth at most ${(heapPeak / 1e6).toFixed(1)} MB; targets < 100 ms, < 50 MB)`);
}

if (extra('raceModels')) {
  // race: three sources against the winner alone
  const raceMs = [];
  const aloneMs = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const alone = await drain(fromStream(() => tokens(small)));
    const race = await drain(raceModels([fromStream(() => tokens(small)), fromStream(() => tokens(small)), fromStream(() => tokens(small))]));
    if (i >= WARMUP) { aloneMs.push(alone.ms); raceMs.push(race.ms); }
}
console.log(`raceModels over three sources: ${(median(raceMs) / median(aloneMs)).toFixed(2)}x the winner alone (${median(raceMs).toFixed(2)} ms vs ${median(aloneMs).toFixed(2)} ms for ${fmt(small)} tokens)`);
}
if (extra('SSE')) {
  const sse = await (await import('./sse.mjs')).measureSseRoundTrip();
  console.log(`SSE round trip (toServerSentEvents -> loopback HTTP -> fromServerSentEvents): ${fmt(Math.round(sse.eventsPerSecond))} events/s; added latency per token ${sse.latencyMs.toFixed(3)} ms median, ${sse.p99LatencyMs.toFixed(3)} ms p99`);
}
if (!flag('no-fanin') && wanted('fan-in')) {
  const fanIn = await import('./fanin.mjs');
  // 30 rounds as the method asks: a 3-round median of a p99 moved from 0.97x to 1.29x between runs (about 20 minutes with both starts; --fanin-rounds 3 for a quick look)
  await fanIn.reportFanIn({ seed: SEED, rounds: arg('fanin-rounds', 30), starts: fanIn.startsOf(argText('fanin-starts')) });
  await fanIn.reportLayers();
}
const os = await import('node:os');
console.log(`(node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end; seed ${SEED})`);
