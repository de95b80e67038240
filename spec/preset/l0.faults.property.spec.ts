/** @test {l0} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budget, l0, type BackoffKind, type L0Options } from 'l0-rx';
import { fakeModel, type FakeErrorSpec, type FakeItem } from 'l0-rx/testing';
import { finalState } from '../helpers/runScenario.js';
import { testScheduler } from '../helpers/testScheduler.js';
import { runWatched, watchedRequests } from '../helpers/watchedRequests.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Property: for any fault script per attempt (each error kind of the taxonomy, with and without a
 * Retry-After, stalls before the first token and between tokens, zero-output completions, hangs)
 * and any retry, timeout and fallback options, l0() makes exactly the attempts its budgets allow, at
 * the frames the backoff (or the Retry-After) says, times out at the exact deadline frame, ends with
 * the last successful attempt's text or the documented error, and leaves nothing subscribed or
 * scheduled. A model written from the README predicts every frame. (l0.property.spec.ts covers
 * continuation; this one covers timing, error kinds and budgets.)
 */

interface Fault {
  readonly spec: FakeErrorSpec;
  /** What the README says of it: never retried (auth, bad request), or retried with `maxRetries` only. */
  readonly never: boolean;
  readonly code: string;
  /** The server's delay, in ms, when the error carries one. */
  readonly retryAfterMs?: number;
}

const FAULTS: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant<Fault>({ spec: { network: 'ECONNRESET' }, never: false, code: 'NETWORK_ERROR' }),
  fc.constant<Fault>({ spec: { status: 500 }, never: false, code: 'SERVER_ERROR' }),
  fc.constant<Fault>({ spec: { status: 529 }, never: false, code: 'SERVER_ERROR' }),
  fc.constant<Fault>({ spec: { status: 429 }, never: false, code: 'RATE_LIMITED' }),
  fc.constant<Fault>({ spec: { status: 400 }, never: true, code: 'BAD_REQUEST' }),
  fc.constant<Fault>({ spec: { status: 401 }, never: true, code: 'AUTH_ERROR' }),
  fc.integer({ min: 0, max: 3 }).map((s): Fault => ({ spec: { status: 429, headers: { 'retry-after': String(s) } }, never: false, code: 'RATE_LIMITED', retryAfterMs: s * 1000 })),
  fc.integer({ min: 0, max: 90 }).map((ms): Fault => ({ spec: { status: 429, headers: { 'retry-after-ms': String(ms) } }, never: false, code: 'RATE_LIMITED', retryAfterMs: ms })),
  fc.integer({ min: 0, max: 90 }).map((ms): Fault => ({ spec: { status: 503, headers: { 'retry-after-ms': String(ms) } }, never: false, code: 'SERVER_ERROR', retryAfterMs: ms })),
);

type End = { readonly kind: 'complete' | 'zero' | 'hang' } | { readonly kind: 'error'; readonly fault: Fault };
interface Script {
  /** Delay before each token (the first one's is the stall before the first token). */
  readonly tokens: readonly (readonly [delay: number, text: string])[];
  /** Delay before the end. */
  readonly tail: number;
  readonly end: End;
}

const WORDS = ['ab', ' cd', 'ef ', 'Gh'];
const NOISE = ['.', ' ', '!'];
const delayArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }));
const scriptArb: fc.Arbitrary<Script> = fc.oneof(
  fc.record({
    tokens: fc.array(fc.tuple(delayArb, fc.constantFrom(...WORDS)), { maxLength: 4 }),
    tail: delayArb,
    end: fc.oneof(fc.constant<End>({ kind: 'complete' }), fc.constant<End>({ kind: 'hang' }), FAULTS.map((fault): End => ({ kind: 'error', fault }))),
  }),
  fc.record({ tokens: fc.array(fc.tuple(delayArb, fc.constantFrom(...NOISE)), { maxLength: 3 }), tail: delayArb, end: fc.constant<End>({ kind: 'zero' }) }),
);

interface Case {
  readonly streams: readonly (readonly Script[])[];
  readonly attempts: number;
  readonly maxRetries: number;
  readonly backoff: BackoffKind;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly respectRetryAfter: boolean;
  readonly maxRetryAfter: number;
  readonly initialToken: number;
  readonly interToken: number;
  readonly total: number | undefined;
  readonly randoms: readonly number[];
  /** A budget of `max` tokens (one per delta) on each attempt's stream (in `attemptOperators`) or on the run (in `runOperators`). */
  readonly budget: { readonly max: number; readonly complete: boolean; readonly where: 'attempt' | 'run' } | undefined;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    streams: fc.array(fc.array(scriptArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    attempts: fc.integer({ min: 0, max: 3 }),
    maxRetries: fc.integer({ min: 0, max: 4 }),
    backoff: fc.constantFrom<BackoffKind>('fixed', 'linear', 'exponential', 'full-jitter', 'fixed-jitter', 'decorrelated-jitter'),
    baseDelay: fc.integer({ min: 0, max: 30 }),
    extra: fc.integer({ min: 0, max: 100 }),
    respectRetryAfter: fc.boolean(),
    maxRetryAfter: fc.constantFrom(0, 50, 1000, 60000),
    initialToken: fc.integer({ min: 1, max: 60 }),
    interToken: fc.integer({ min: 1, max: 60 }),
    total: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
    randoms: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 5 }),
    budget: fc.option(fc.record({ max: fc.integer({ min: 0, max: 8 }), complete: fc.boolean(), where: fc.constantFrom('attempt' as const, 'run' as const) }), { nil: undefined }),
  })
  .map(({ extra, ...c }) => ({ ...c, maxDelay: c.baseDelay + extra }));

/** The events a script's attempt plays, as fakeModel items. */
function items(s: Script): FakeItem[] {
  const out: FakeItem[] = [];
  for (const [delay, text] of s.tokens) out.push({ delay }, text);
  out.push({ delay: s.tail });
  if (s.end.kind === 'error') out.push({ error: s.end.fault.spec });
  if (s.end.kind === 'hang') out.push({ hang: true });
  return out;
}

type Outcome =
  | { readonly ok: true; readonly at: number; readonly text: string; readonly cut?: { readonly complete: boolean; readonly used: number } }
  | { readonly ok: false; readonly at: number; readonly code: string; readonly never: boolean; readonly content: boolean; readonly retryAfterMs?: number };

/** One attempt subscribed at `s`, under the timeouts (a deadline is the last frame an event may come at). */
function playAttempt(script: Script, s: number, c: Case, tokens: { used: number }): Outcome {
  const end = s + (c.total ?? Infinity);
  let last: number | undefined;
  let text = '';
  let t = s;
  const timeout = (deadline: number): Outcome => ({
    ok: false, at: deadline, never: false, content: false,
    code: deadline === end ? 'TOTAL_TIMEOUT' : last === undefined ? 'INITIAL_TOKEN_TIMEOUT' : 'INTER_TOKEN_TIMEOUT',
  });
  const deadline = () => Math.min(end, last === undefined ? s + c.initialToken : last + c.interToken);
  for (const [delay, token] of script.tokens) {
    t += delay;
    if (t > deadline()) return timeout(deadline());
    // the delta that would cross the budget is not passed: the run ends there, as a `length` completion or a BudgetExceededError
    if (c.budget && tokens.used + 1 > c.budget.max) return { ok: true, at: t, text, cut: { complete: c.budget.complete, used: tokens.used } };
    tokens.used++;
    last = t;
    text += token;
  }
  t += script.tail;
  if (script.end.kind === 'hang' || t > deadline()) return timeout(deadline());
  if (script.end.kind === 'error') {
    const { code, never, retryAfterMs } = script.end.fault;
    return { ok: false, at: t, code, never, content: false, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (!/[A-Za-z]/.test(text)) return { ok: false, at: t, code: 'ZERO_OUTPUT', never: false, content: true };
  return { ok: true, at: t, text };
}

interface Expected {
  readonly starts: [frame: number, attempt: number, fallbackIndex: number][];
  readonly retries: [frame: number, attempt: number, delayMs: number][];
  readonly calls: number[];
  readonly outcome: Outcome;
  readonly failures: number;
}

/** The README's retry rules, per stream, then the next stream. */
function predict(c: Case): Expected {
  const starts: Expected['starts'] = [];
  const retries: Expected['retries'] = [];
  const calls: number[] = [];
  let draws = 0;
  const random = () => c.randoms[draws++ % c.randoms.length]!;
  let at = 0;
  let failures = 0;
  let outcome: Outcome | undefined;
  const run = { used: 0 };
  for (const [index, scripts] of c.streams.entries()) {
    // a budget in attemptOperators counts each stream's attempts afresh (each fallback has its own copy), one on the run counts them all
    const tokens = c.budget?.where === 'attempt' ? { used: 0 } : run;
    let retried = 0;
    let counted = 0;
    let previous: number | undefined;
    for (let attempt = 1; ; attempt++) {
      // a run (inside the loop: an attempt) that could not stream one token is never sent
      if ((c.budget?.where === 'attempt' || (index === 0 && attempt === 1)) && c.budget && tokens.used + 1 > c.budget.max) {
        return { starts, retries, calls: attempt > 1 ? [...calls, attempt - 1] : calls, outcome: { ok: true, at, text: '', cut: { complete: c.budget.complete, used: tokens.used } }, failures };
      }
      starts.push([at, attempt, index]);
      outcome = playAttempt(scripts[Math.min(attempt - 1, scripts.length - 1)]!, at, c, tokens);
      at = outcome.at;
      if (outcome.ok) return { starts, retries, calls: [...calls, attempt], outcome, failures };
      failures++;
      const after = c.respectRetryAfter ? outcome.retryAfterMs : undefined;
      const giveUp = outcome.never || retried >= c.maxRetries || (outcome.content && counted >= c.attempts) || (after !== undefined && after > c.maxRetryAfter);
      // after the loops, the `retry` or `fallback` that announces an attempt which could not stream one token ends the run there
      const cut = c.budget?.where === 'run' && (!giveUp || index < c.streams.length - 1) && tokens.used + 1 > c.budget.max;
      const ended = (): Expected => ({ starts, retries, calls, outcome: { ok: true, at, text: '', cut: { complete: c.budget!.complete, used: tokens.used } }, failures });
      if (giveUp) {
        calls.push(attempt);
        if (cut) return ended();
        break;
      }
      // inside the loop, a retry whose attempt could not stream one token ends the run as the attempt fails: no wait (with
      // onExceeded complete the retry passes with delayMs 0 before the length completion, with the error none does)
      if (c.budget?.where === 'attempt' && tokens.used + 1 > c.budget.max) {
        if (c.budget.complete) retries.push([at, attempt, 0]);
        calls.push(attempt);
        return ended();
      }
      const delay = after ?? backoffDelay(c, retried, previous, random);
      if (cut) {
        // with onExceeded complete the retry passes (retracting the attempt) before the length completion
        if (c.budget!.complete) retries.push([at, attempt, delay]);
        calls.push(attempt);
        return ended();
      }
      retries.push([at, attempt, delay]);
      retried++;
      if (outcome.content) counted++;
      previous = delay;
      at += delay;
    }
  }
  return { starts, retries, calls, outcome: outcome!, failures };
}

/** The README's table of waits, each capped at `maxDelay`. */
function backoffDelay(c: Case, i: number, previous: number | undefined, random: () => number): number {
  const { baseDelay: base, maxDelay: max } = c;
  const raw =
    c.backoff === 'fixed' ? base
    : c.backoff === 'linear' ? base * (i + 1)
    : c.backoff === 'exponential' ? base * 2 ** i
    : c.backoff === 'full-jitter' ? Math.floor(random() * Math.min(max, base * 2 ** i))
    : c.backoff === 'fixed-jitter' ? Math.floor(base + (random() * base) / 2)
    : Math.floor(base + random() * Math.max(0, 3 * (previous ?? base) - base));
  return Math.min(max, raw);
}

/** l0() over the case's fake models, on a fresh TestScheduler, left at `unsubscribeAt` if given. */
function run(c: Case, unsubscribeAt?: number) {
  const models = c.streams.map((scripts) => fakeModel(scripts.map((s) => ({ items: items(s) }))));
  const { watch, open } = watchedRequests();
  let draws = 0;
  const build = () => {
    const options: L0Options = {
      stream: watch(models[0]!),
      fallbackStreams: models.slice(1).map(watch),
      timeout: { initialToken: c.initialToken, interToken: c.interToken, ...(c.total === undefined ? {} : { total: c.total }) },
      retry: {
        attempts: c.attempts, maxRetries: c.maxRetries, backoff: c.backoff, baseDelay: c.baseDelay, maxDelay: c.maxDelay,
        respectRetryAfter: c.respectRetryAfter, maxRetryAfter: c.maxRetryAfter, random: () => c.randoms[draws++ % c.randoms.length]!,
      },
    };
    if (c.budget) {
      const limit = budget({ maxOutputTokens: c.budget.max, onExceeded: c.budget.complete ? 'complete' : 'error', estimateTokens: () => 1 });
      Object.assign(options, c.budget.where === 'attempt' ? { attemptOperators: [limit] } : { runOperators: [limit] });
    }
    return l0(options);
  };
  return { run: runWatched(testScheduler(), build, open, unsubscribeAt), models };
}

const ends = { cut: 0, ok: 0, error: 0 };
function check(c: Case): void {
  const expected = predict(c);
  const { run: r, models } = run(c);
  expect(models.map((m) => m.callCount).filter((n) => n > 0)).toEqual(expected.calls);
  const starts = r.timeline.filter(([, e]) => e.type === 'start').map(([f, e]) => e.type === 'start' && [f, e.attempt, e.fallbackIndex]);
  expect(starts).toEqual(expected.starts);
  const retries = r.timeline.filter(([, e]) => e.type === 'retry').map(([f, e]) => e.type === 'retry' && [f, e.attempt, e.delayMs]);
  expect(retries).toEqual(expected.retries);
  // each `retry` and `fallback` carries the failed attempt's error, serialised with its attempt and stream
  for (const [, e] of r.timeline) {
    if (e.type === 'retry') expect(e.error).toMatchObject({ attempt: e.attempt });
    if (e.type === 'fallback') expect(e.error).toMatchObject({ fallbackIndex: e.fromIndex });
  }
  expect(r.end).toBe(expected.outcome.at);
  expect(r.leftover).toEqual({ actions: 0, open: 0 });
  const cut = expected.outcome.ok ? expected.outcome.cut : undefined;
  ends[cut ? 'cut' : expected.outcome.ok ? 'ok' : 'error']++;
  if (cut && !cut.complete) {
    expect(r.error).toMatchObject({ name: 'BudgetExceededError', info: { limit: 'maxOutputTokens', max: c.budget!.max, reached: cut.used + 1 } });
    return;
  }
  if (expected.outcome.ok) {
    expect(r.error).toBeUndefined();
    if (cut) expect(r.timeline.at(-1)?.[1]).toMatchObject({ type: 'complete', finishReason: 'length', usage: { outputTokens: cut.used } });
    expect(r.timeline.at(-1)?.[1].type).toBe('complete');
    expect(finalState(r.timeline.map(([, e]) => e))).toMatchObject({ content: expected.outcome.text, status: 'complete' });
    return;
  }
  // every attempt's error, oldest first, each naming its attempt and stream as its `start` did
  const numbered = (errors: readonly unknown[]) => errors.map((e) => [(e as { attempt: number }).attempt, (e as { fallbackIndex: number }).fallbackIndex]);
  const attemptsMade = expected.starts.map(([, attempt, index]) => [attempt, index]);
  if (c.streams.length > 1) {
    expect(r.error).toMatchObject({ name: 'AllStreamsExhaustedError', code: 'ALL_STREAMS_EXHAUSTED', fallbackIndex: c.streams.length - 1 });
    const errors = (r.error as { errors: unknown[] }).errors;
    expect(numbered(errors)).toEqual(attemptsMade);
    expect(errors.at(-1)).toMatchObject({ code: expected.outcome.code });
  } else {
    expect(r.error).toMatchObject({ code: expected.outcome.code, attempt: expected.calls[0], fallbackIndex: 0 });
    expect(numbered((r.error as { attemptErrors: unknown[] }).attemptErrors)).toEqual(attemptsMade);
  }
}

/** Leaving at any frame: nothing after, nothing left scheduled, every request aborted. */
function checkLeave(c: Case, at: number): void {
  const { run: r } = run(c, at);
  expect(r.timeline.every(([f]) => f <= at)).toBe(true);
  expect(r.leftover).toEqual({ actions: 0, open: 0 });
}

const numRuns = runs(300);

describe('l0() under faults: attempts, waits, deadlines, the end (property)', () => {
  it('should make the attempts the budgets allow, at the frames the backoff and Retry-After say, and end as documented', () => {
    fc.assert(fc.property(caseArb, check), { numRuns });
    // every ending was checked, not only errors: about 9% of the cases end well, 37% cut by the budget, 54% in an error
    expect(ends.ok, 'cases that ended well').toBeGreaterThan(runs(8));
    expect(ends.cut, 'cases the budget cut').toBeGreaterThan(runs(40));
    expect(ends.error, 'cases that ended in an error').toBeGreaterThan(runs(60));
  });

  it('should leave nothing subscribed or scheduled when the consumer leaves at any frame', () => {
    fc.assert(fc.property(caseArb, fc.integer({ min: 0, max: 400 }), checkLeave), { numRuns });
  });
});
