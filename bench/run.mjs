// @ts-check
// l0-rx benchmark: ratios against a plain RxJS from()+map baseline measured in the same process.
// Workload as L0's benchmark (tests/benchmark.test.ts): zero-delay tokens cycling a 16-word
// sentence, from an async iterable. Warm-up, then interleaved runs; medians are reported.
// Usage: npm run bench [-- --runs 30]
import { performance } from 'node:perf_hooks';
import { first, firstValueFrom, from, map } from 'rxjs';
import { accumulate, fallbackTo, fromStream, l0, retryWithBackoff, withTimeouts } from 'l0-rx';

const WORDS = ['the ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog ', 'while ',
  'birds ', 'sing ', 'in ', 'morning ', 'light ', 'songs '];
const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : fallback; };
const RUNS = arg('runs', 30);
const WARMUP = arg('warmup', 5);

async function* tokens(n) { for (let i = 0; i < n; i++) yield WORDS[i % WORDS.length]; }

/** Consumes an observable, returning elapsed ms; counts items so no work can be optimised away. */
function drain(observable) {
  return new Promise((resolve, reject) => {
    let count = 0;
    const t0 = performance.now();
    observable.subscribe({ next: () => { count++; }, error: reject, complete: () => resolve({ ms: performance.now() - t0, count }) });
  });
}

const configs = {
  baseline: (n) => from(tokens(n)).pipe(map((value) => ({ type: 'token', value }))),
  core: (n) => fromStream(() => tokens(n)).pipe(
    withTimeouts({ initialToken: 5000, interToken: 10_000 }),
    retryWithBackoff(),
    fallbackTo(fromStream(() => tokens(n))),
    accumulate(),
  ),
  'l0 preset': (n) => l0({ stream: () => tokens(n) }),
};

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function measure(sizes) {
  const samples = {};
  for (const size of sizes) for (const name of Object.keys(configs)) samples[`${name}@${size}`] = [];
  for (let r = 0; r < WARMUP + RUNS; r++) {
    for (const size of sizes) {
      for (const [name, make] of Object.entries(configs)) {
        globalThis.gc?.();
        const { ms } = await drain(make(size));
        if (r >= WARMUP) samples[`${name}@${size}`].push(ms);
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
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

const small = 2000;
const large = 100_000;
const m = await measure([small, large]);
for (const name of ['core', 'l0 preset']) {
  const ours = tps(small, m[`${name}@${small}`]);
  const base = tps(small, m[`baseline@${small}`]);
  console.log(`${name}: ${(ours / base).toFixed(2)}x (${fmt(ours)} tok/s vs ${fmt(base)} tok/s)`);
}
for (const name of ['core', 'l0 preset']) {
  const growth = (m[`${name}@${large}`] / large) / (m[`${name}@${small}`] / small);
  const baseGrowth = (m[`baseline@${large}`] / large) / (m[`baseline@${small}`] / small);
  console.log(`per-token growth (${name}): ${(growth / baseGrowth).toFixed(2)}x (${fmt(tps(large, m[`${name}@${large}`]))} tok/s at ${fmt(large)} tokens vs ${fmt(tps(small, m[`${name}@${small}`]))} at ${fmt(small)})`);
}
const rawFirst = await timeToFirstToken(configs.baseline.bind(null, small), RUNS * 3);
const l0First = await timeToFirstToken(configs['l0 preset'].bind(null, small), RUNS * 3);
console.log(`time to first token: +${(l0First - rawFirst).toFixed(3)} ms (${l0First.toFixed(3)} ms vs ${rawFirst.toFixed(3)} ms raw source)`);
console.log(`(${RUNS} interleaved runs after ${WARMUP} warm-up, medians; node ${process.version}, ${(await import('node:os')).cpus().length} cores)`);
const sse = await (await import('./sse.mjs')).measureSseRoundTrip();
console.log(`SSE round trip (toServerSentEvents -> loopback HTTP -> fromServerSentEvents): ${fmt(Math.round(sse.eventsPerSecond))} events/s; added latency per token ${sse.latencyMs.toFixed(3)} ms median, ${sse.p99LatencyMs.toFixed(3)} ms p99`);
