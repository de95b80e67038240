// @ts-check
// The content stack taken apart: what each guardrail rule and each drift detector adds per token to
// `l0()`, and what continuation adds, in CPU nanoseconds per token (process CPU time, so a busy
// machine moves the figures less than the wall clock would). Every configuration runs once per
// round in a freshly shuffled order (seeded), after warm-up rounds; medians over the rounds.
// Each row is `l0({ stream, <one piece> })` on the content rows' prose; `+` is the row's median
// less `l0()`'s, so the pieces of one layer add up to about that layer's cost (the layer's own
// subscriber is in every one of its rows: `guard (engine only)` and `drift (no detectors)` show it).
// Usage: npm run build && node bench/parts.mjs [-- --runs 20 --warmup 3 --tokens 20000 --seed 42]
import { from, map } from 'rxjs';
import { accumulate, DRIFT_DETECTORS, jsonRule, l0, latexRule, markdownRule, patternRule, recommendedGuardrails, zeroOutputRule } from 'l0-rx';
import { onePassFloor } from './floor.mjs';
import { median, prng } from './stats.mjs';

const WORDS = ['the ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog ', 'while ',
  'birds ', 'sing ', 'in ', 'morning ', 'light ', 'songs '];
/** The content rows' prose of bench/run.mjs: the 16-word cycle with a counter every 16 tokens. */
async function* prose(n) { for (let i = 0; i < n; i++) yield i % 16 === 0 ? `${i}. ` : WORDS[i % WORDS.length]; }
const argText = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const arg = (name, fallback) => { const v = argText(name); return v === undefined ? fallback : Number(v); };
const RUNS = arg('runs', 20);
const WARMUP = arg('warmup', 3);
const TOKENS = arg('tokens', 20_000);
const SEED = arg('seed', Math.floor(Math.random() * 2 ** 31));

/** @type {import('l0-rx').DriftType[]} */
const DRIFT_TYPES = ['meta_commentary', 'repetition', 'format_collapse', 'tone_shift', 'markdown_collapse', 'hedging', 'entropy_spike'];
/** @type {Record<string, (n: number) => import('rxjs').Observable<unknown>>} */
const configs = {
  'l0()': (n) => l0({ stream: () => prose(n) }),
  // zeroOutputRule only decides at completion and stops looking at the first letter: its row is the guard's own cost
  'guard (engine only): zeroOutputRule': (n) => l0({ stream: () => prose(n), guardrails: [zeroOutputRule()] }),
};
for (const [name, rule] of Object.entries({ jsonRule, markdownRule, latexRule, patternRule })) {
  configs[`guard: ${name}`] = (n) => l0({ stream: () => prose(n), guardrails: [rule()] });
}
configs['guard: recommendedGuardrails'] = (n) => l0({ stream: () => prose(n), guardrails: recommendedGuardrails });
configs['drift (no detectors)'] = (n) => l0({ stream: () => prose(n), detectDrift: { action: 'retry', types: [] } });
for (const type of DRIFT_TYPES) configs[`drift: ${type}`] = (n) => l0({ stream: () => prose(n), detectDrift: { action: 'retry', types: [type] } });
configs['drift: all (detectDrift: true)'] = (n) => l0({ stream: () => prose(n), detectDrift: true });
configs['continuation'] = (n) => l0({ stream: () => prose(n), continueFromLastKnownGoodToken: true });
configs['guard + drift'] = (n) => l0({ stream: () => prose(n), guardrails: recommendedGuardrails, detectDrift: true });
configs['content stack (bench/run.mjs, without accumulate)'] = (n) => l0({ stream: () => prose(n), guardrails: recommendedGuardrails, detectDrift: true, continueFromLastKnownGoodToken: true });
configs['accumulate() on l0()'] = (n) => l0({ stream: () => prose(n) }).pipe(accumulate());
configs['content stack with accumulate (bench/run.mjs)'] = (n) => l0({ stream: () => prose(n), guardrails: recommendedGuardrails, detectDrift: true, continueFromLastKnownGoodToken: true }).pipe(accumulate());
// the baseline of bench/run.mjs's content rows, and the one-pass floor (bench/floor.mjs): the checks with no pipeline around them
configs['baseline: from() + map'] = (n) => from(prose(n)).pipe(map((value) => ({ type: 'token', value })));
const DETECTORS = Object.values(DRIFT_DETECTORS);
configs['one-pass floor: no checks'] = (n) => onePassFloor(() => prose(n), {});
configs['one-pass floor: recommendedGuardrails'] = (n) => onePassFloor(() => prose(n), { rules: recommendedGuardrails });
configs['one-pass floor: the seven drift detectors'] = (n) => onePassFloor(() => prose(n), { detectors: DETECTORS });
configs['one-pass floor: both'] = (n) => onePassFloor(() => prose(n), { rules: recommendedGuardrails, detectors: DETECTORS });

/** CPU microseconds to drain one run. */
function drain(observable) {
  return new Promise((resolve, reject) => {
    const c0 = process.cpuUsage();
    observable.subscribe({ error: reject, complete: () => { const c = process.cpuUsage(c0); resolve(c.user + c.system); } });
  });
}

const random = prng(SEED);
const names = Object.keys(configs);
/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < WARMUP + RUNS; r++) {
  const order = [...names];
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  for (const name of order) {
    const us = await drain(configs[name](TOKENS));
    if (r >= WARMUP) samples[name].push((us * 1000) / TOKENS);
  }
}
const base = median(samples['l0()']);
console.log(`l0-rx bench/parts: CPU ns per token, ${TOKENS.toLocaleString('en-US')} tokens, median of ${RUNS} rounds after ${WARMUP} (seed ${SEED}); + is over l0()`);
for (const name of names) {
  const ns = median(samples[name]);
  console.log(`${name.padEnd(52)} ${ns.toFixed(0).padStart(5)}${name === 'l0()' ? '' : `  +${(ns - base).toFixed(0)}`}`);
}
// the ratios bench/run.mjs reports, here in CPU time: the baseline's per-token cost over the row's
const baseline = median(samples['baseline: from() + map']);
console.log(`against the baseline (${baseline.toFixed(0)} ns): ${['content stack with accumulate (bench/run.mjs)', 'one-pass floor: both']
  .map((name) => `${name} ${(baseline / median(samples[name])).toFixed(2)}x`).join(', ')} (target 0.40x)`);
