// @ts-check
// Fan-in (issue #13): 10,000 concurrent slow streams (a token every 100 ms, 30 tokens: ~3 s of
// streaming) in one process. Each configuration runs in its own child process (`node --expose-gc`),
// so heaps never mix; rounds run the configurations in a seeded shuffled order.
//   baseline  plain RxJS: from(asyncIterable) + map + scan (the text so far)
//   l0        l0({stream, guardrails: recommendedGuardrails}) + accumulate(): timeouts, zero-output
//             detection, retry and guard active
//   l0 (no guard)  l0() + accumulate(): the configuration measured before guard existed
// Starts: `together` subscribes every stream in one macrotask, so their 100 ms timers share a start and
// every token, and every completion, of 10,000 streams lands in one burst (the worst case: the p99 reads
// those bursts); `staggered` spreads the subscriptions evenly over one token period (100 a millisecond),
// as requests arriving over time do, so each millisecond carries a hundredth of the streams.
// Figures: heap per open stream (a forced GC mid-stream, when every stream is open, minus the heap
// before the first subscription), event-loop delay p99 (perf_hooks.monitorEventLoopDelay at 10 ms
// resolution over the whole run, paused around that one GC), CPU time per token (process.cpuUsage:
// what causes the lag, and far less sensitive to other jobs on the machine), wall time from the
// first subscription to the last completion.
// Then one line of heap per open stream for each layer of l0() (fromStream, + withTimeouts, ...).
// Before measuring, each child warms the JIT on --warm streams of its configuration (2,000 by
// default) whose tokens come without waiting.
// Usage: node bench/fanin.mjs [--streams 10000 --rounds 30 --seed 42 --warm 2000 --starts together|staggered|both --no-layers] (after npm run
// build), or part of npm run bench. Internal: --child <configuration> runs one measurement and prints JSON.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, prng } from './stats.mjs';

const WORDS = ['the ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog ', 'while ',
  'birds ', 'sing ', 'in ', 'morning ', 'light ', 'songs '];
const TOKENS = 30;
const EVERY_MS = 100;
/** Streams each child runs before measuring, tokens without waiting (see child). */
const WARM = 2000;

/** A slow model: a token every `every` ms, or without waiting at 0 (a counter every 16 tokens, so the text does not loop). */
async function* slowTokens(n, every) {
  for (let i = 0; i < n; i++) {
    if (every > 0) await sleep(every);
    yield i % 16 === 0 ? `${i}. ` : WORDS[i % WORDS.length];
  }
}

/**
 * The configuration `name`, its streams' tokens `every` ms apart (0 for the warm-up).
 * @param {string} name @param {number} every @returns {Promise<() => import('rxjs').Observable<unknown>>}
 */
async function configuration(name, every) {
  const { from, map, scan } = await import('rxjs');
  const { l0, accumulate, recommendedGuardrails } = await import('l0-rx');
  const tokens = () => slowTokens(TOKENS, every);
  if (name === 'baseline') return () => from(tokens()).pipe(map((value) => ({ type: 'token', value })), scan((text, e) => text + e.value, ''));
  if (name === 'l0') return () => l0({ stream: tokens, guardrails: recommendedGuardrails }).pipe(accumulate());
  if (name === 'l0 (no guard)') return () => l0({ stream: tokens }).pipe(accumulate());
  // the layers of l0(), for the heap-by-layer lines
  const { fromStream, withTimeouts, retryWithBackoff, detectZeroOutput } = await import('l0-rx');
  const timeouts = () => withTimeouts({ initialToken: 5000, interToken: 10_000 });
  if (name === 'fromStream') return () => fromStream(tokens);
  if (name === '+ withTimeouts') return () => fromStream(tokens).pipe(timeouts());
  if (name === '+ retryWithBackoff') return () => fromStream(tokens).pipe(timeouts(), retryWithBackoff());
  if (name === '+ detectZeroOutput') return () => fromStream(tokens).pipe(timeouts(), detectZeroOutput(), retryWithBackoff());
  if (name === 'l0()') return () => l0({ stream: tokens });
  throw new Error(`unknown fan-in configuration ${name}`);
}

/** One measurement in this process: the figures as JSON on stdout. `starts`: 'together' or 'staggered' (see above). */
async function child(name, streams, warm, starts) {
  const make = await configuration(name, EVERY_MS);
  // warm the JIT: a path taken once per stream (a completion, a guard round) is optimised only
  // after a few thousand streams, and the bursts below would otherwise time the interpreter; the
  // heap baseline then holds the loaded modules too
  const warmUp = await configuration(name, 0);
  await Promise.all(Array.from({ length: warm }, () => new Promise((resolve, reject) => warmUp().subscribe({ error: reject, complete: () => resolve(undefined) }))));
  const gc = /** @type {() => void} */ (globalThis.gc);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let open = streams;
  let errors = 0;
  let items = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = new Promise((resolve) => {
    const end = () => { if (--open === 0) resolve(performance.now() - t0); };
    const start = () => make().subscribe({ next: () => { items++; }, error: () => { errors++; end(); }, complete: end });
    if (starts === 'together') for (let i = 0; i < streams; i++) start();
    else void (async () => {
      // one batch a millisecond over one token period
      const batch = Math.ceil(streams / EVERY_MS);
      for (let i = 0; i < streams; await sleep(1)) for (const last = Math.min(streams, i + batch); i < last; i++) start();
    })();
  });
  // mid-stream (every stream open, ~15 tokens in): the retained heap per open stream
  await sleep((TOKENS * EVERY_MS) / 2);
  lag.disable();
  const openAtSnapshot = open;
  gc();
  const heapDuring = process.memoryUsage().heapUsed;
  lag.enable();
  const wallMs = await done;
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  return {
    name, starts, streams, openAtSnapshot, errors, items, wallMs,
    heapPerStreamBytes: (heapDuring - heapBefore) / openAtSnapshot,
    // CPU per token over the whole run (the one forced GC included): the cause of lag, and much less load-sensitive than lag
    cpuPerTokenUs: (cpu.user + cpu.system) / (streams * TOKENS),
    lagP50Ms: lag.percentile(50) / 1e6, lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6,
  };
}

/** Runs one configuration in a fresh child process and returns its figures. */
function runChild(name, streams, warm = WARM, starts = 'together') {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ['--child', name, '--streams', String(streams), '--warm', String(warm), '--starts', starts], {
      execArgv: ['--expose-gc', '--max-old-space-size=4096'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    p.on('message', (m) => resolve(m));
    p.on('error', reject);
    p.on('exit', (code) => { if (code !== 0) reject(new Error(`fan-in child ${name} exited with ${code}`)); });
  });
}

const range = (xs, digits) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;


/**
 * Measures every configuration `rounds` times for each way of starting (each in its own process, in
 * a shuffled order per round) and prints the figures: medians, [min-max over the rounds], ratios
 * against the baseline's medians with the same starts.
 */
export async function reportFanIn({ seed = 1, rounds = 30, streams = 10_000, warm = WARM, names = ['baseline', 'l0', 'l0 (no guard)'], starts = ['together', 'staggered'] } = {}) {
  if (rounds < 1) return {};
  const random = prng(seed + 1);
  const runs = starts.flatMap((s) => names.map((name) => ({ name, starts: s, key: `${name} (${s})` })));
  /** @type {Record<string, any[]>} */
  const results = Object.fromEntries(runs.map((r) => [r.key, []]));
  for (let r = 0; r < rounds; r++) {
    const order = [...runs];
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    for (const run of order) results[run.key].push(await runChild(run.name, streams, warm, run.starts));
  }
  const fig = (key, figure) => median(results[key].map((x) => x[figure]));
  const spread = (key, figure, digits) => range(results[key].map((x) => x[figure]), digits);
  const fmt = (x) => x.toLocaleString('en-US');
  console.log(`fan-in: ${fmt(streams)} concurrent streams, a token every ${EVERY_MS} ms, ${TOKENS} tokens each (${(TOKENS * EVERY_MS) / 1000} s of streaming), ${starts.map((s) => (s === 'together' ? 'started together (one burst per token)' : `staggered over ${EVERY_MS} ms`)).join(' and ')}; each configuration in its own process after a warm-up of ${fmt(warm)} streams, ${rounds} rounds, medians [min-max]`);
  for (const { name, starts: s, key } of runs) {
    const b = `baseline (${s})`;
    const kb = fig(key, 'heapPerStreamBytes') / 1024;
    const failed = results[key].reduce((n, x) => n + x.errors, 0);
    const vs = name === 'baseline' ? '' : ` = ${(fig(key, 'heapPerStreamBytes') / fig(b, 'heapPerStreamBytes')).toFixed(2)}x heap, ${(fig(key, 'lagP99Ms') / fig(b, 'lagP99Ms')).toFixed(2)}x lag p99, ${(fig(key, 'cpuPerTokenUs') / fig(b, 'cpuPerTokenUs')).toFixed(2)}x CPU`;
    console.log(`fan-in ${key}: ${kb.toFixed(1)} KB heap per open stream [${range(results[key].map((x) => x.heapPerStreamBytes / 1024), 1)}], event-loop lag p99 ${fig(key, 'lagP99Ms').toFixed(1)} ms [${spread(key, 'lagP99Ms', 1)}] (p50 ${fig(key, 'lagP50Ms').toFixed(1)} ms), CPU ${fig(key, 'cpuPerTokenUs').toFixed(1)} us per token [${spread(key, 'cpuPerTokenUs', 1)}], wall ${(fig(key, 'wallMs') / 1000).toFixed(2)} s [${range(results[key].map((x) => x.wallMs / 1000), 2)}]${vs}${failed ? `; ${failed} streams failed` : ''}`);
  }
  console.log('fan-in targets: heap per stream <= 1.5x the baseline\'s, lag p99 <= 1.2x');
  return results;
}

/** Heap per open stream of each layer of l0() (one process each, 3,000 streams): where the fan-in heap goes. */
export async function reportLayers({ streams = 3000 } = {}) {
  const names = ['baseline', 'fromStream', '+ withTimeouts', '+ retryWithBackoff', '+ detectZeroOutput', 'l0()', 'l0 (no guard)', 'l0'];
  const parts = [];
  for (const name of names) parts.push(`${name === 'l0 (no guard)' ? 'l0() + accumulate' : name === 'l0' ? 'l0(guard) + accumulate' : name} ${((await runChild(name, streams)).heapPerStreamBytes / 1024).toFixed(1)} KB`);
  console.log(`fan-in heap per open stream by layer (${streams.toLocaleString('en-US')} streams, one process each): ${parts.join(', ')}`);
}

const argv = process.argv;
/** `--starts together|staggered|both` (both by default). */
export const startsOf = (value = 'both') => {
  if (!['together', 'staggered', 'both'].includes(value)) throw new Error(`--starts takes together, staggered or both, not ${value}`);
  return value === 'both' ? ['together', 'staggered'] : [value];
};
const opt = (name) => { const i = argv.indexOf(`--${name}`); return i > 0 ? argv[i + 1] : undefined; };
if (opt('child') !== undefined) {
  const result = await child(String(opt('child')), Number(opt('streams') ?? 10_000), Number(opt('warm') ?? WARM), opt('starts') ?? 'together');
  process.send?.(result);
  process.disconnect?.();
} else if (import.meta.url === `file://${argv[1]}`) {
  await reportFanIn({ seed: Number(opt('seed') ?? 1), rounds: Number(opt('rounds') ?? 30), streams: Number(opt('streams') ?? 10_000), warm: Number(opt('warm') ?? WARM), names: opt('names')?.split(','), starts: startsOf(opt('starts')) });
  if (!argv.includes('--no-layers')) await reportLayers();
}
