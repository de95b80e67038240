/** @test {retryWithBackoff} @test {fallbackTo} @test {l0} @test {budget} */
import fc from 'fast-check';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { budget, detectZeroOutput, fallbackTo, fromStream, l0, retryWithBackoff, withTimeouts, type L0Event, type StartEvent } from 'l0-rx';
import { fakeModel, type FakeItem } from 'l0-rx/testing';
import { finalState } from '../helpers/runScenario.js';
import { testScheduler } from '../helpers/testScheduler.js';
import { runWatched, watchedRequests } from '../helpers/watchedRequests.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Property: however the reliability operators nest (retry inside fallback, fallback inside retry,
 * l0() inside retryWithBackoff, budgets inside and outside the loops, timeouts and zero-output
 * checks at any level), the consumer reads what a flat run would send (README, Retries): every
 * `start` after the first follows a `retry` or `fallback`; a `retry` names the attempt of the last
 * `start` and the next `start` is its attempt + 1 of the same stream; a `fallback` goes from the
 * last `start`'s stream to the next and the next `start` is of that stream; no attempt/stream pair
 * comes twice; `isRetry`/`isFallback` agree with the numbers; accumulate() shows the text since the
 * last retraction; at most one `complete`, the last event; and once the run ends or the consumer
 * leaves, no timer is scheduled and no request is left running.
 */

type End = 'complete' | 'network' | 'auth' | 'hang' | 'noise' | 'rate-limit' | 'retry-after-long';
interface Leaf { readonly kind: 'leaf'; readonly scripts: readonly { readonly tokens: readonly string[]; readonly end: End }[] }
type Node =
  | Leaf
  | { readonly kind: 'retry'; readonly child: Node; readonly maxRetries: number; readonly attempts: number }
  | { readonly kind: 'fallback'; readonly child: Node; readonly fallbacks: readonly Node[] }
  | { readonly kind: 'l0'; readonly primary: Leaf; readonly fallbacks: readonly Leaf[]; readonly maxRetries: number; readonly continuation: boolean; readonly veto: boolean }
  | { readonly kind: 'budget'; readonly child: Node; readonly max: number; readonly complete: boolean }
  | { readonly kind: 'timeout'; readonly child: Node; readonly total: number }
  | { readonly kind: 'zero'; readonly child: Node };

const ENDS: readonly End[] = ['complete', 'network', 'auth', 'hang', 'noise', 'rate-limit', 'retry-after-long'];
const leafArb: fc.Arbitrary<Leaf> = fc.record({
  kind: fc.constant('leaf' as const),
  scripts: fc.array(fc.record({ tokens: fc.array(fc.constantFrom('ab', 'cd', '.'), { maxLength: 3 }), end: fc.constantFrom(...ENDS) }), { minLength: 1, maxLength: 3 }),
});

const { node: nodeArb } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.record({ kind: fc.constant('retry' as const), child: tie('node'), maxRetries: fc.integer({ min: 0, max: 2 }), attempts: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('fallback' as const), child: tie('node'), fallbacks: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) }),
    fc.record({
      kind: fc.constant('l0' as const), primary: leafArb, fallbacks: fc.array(leafArb, { maxLength: 2 }),
      maxRetries: fc.integer({ min: 0, max: 2 }), continuation: fc.boolean(), veto: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('budget' as const), child: tie('node'), max: fc.integer({ min: 0, max: 8 }), complete: fc.boolean() }),
    fc.record({ kind: fc.constant('timeout' as const), child: tie('node'), total: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('zero' as const), child: tie('node') }),
  ),
}));

function items({ tokens, end }: Leaf['scripts'][number]): FakeItem[] {
  const out: FakeItem[] = tokens.flatMap((t): FakeItem[] => [{ delay: 1 }, t]);
  out.push({ delay: 1 });
  if (end === 'network') out.push({ error: { network: 'ECONNRESET' } });
  if (end === 'auth') out.push({ error: { status: 401 } });
  if (end === 'hang') out.push({ hang: true });
  if (end === 'rate-limit') out.push({ error: { status: 429, headers: { 'retry-after-ms': '7' } } });
  if (end === 'retry-after-long') out.push({ error: { status: 503, headers: { 'retry-after': '100' } } });
  return out;
}

function build(n: Node, watch: ReturnType<typeof watchedRequests>['watch']): Observable<L0Event> {
  const factory = (leaf: Leaf) => watch(fakeModel(leaf.scripts.map((s) => ({ items: items(s) }))));
  switch (n.kind) {
    case 'leaf': return fromStream(factory(n));
    case 'retry': return build(n.child, watch).pipe(retryWithBackoff({ maxRetries: n.maxRetries, attempts: n.attempts, backoff: 'fixed', baseDelay: 2 }));
    case 'fallback': return build(n.child, watch).pipe(fallbackTo(...n.fallbacks.map((f) => build(f, watch))));
    case 'l0': {
      const shouldRetry = n.veto ? (_: unknown, ctx: { attempt: number }) => ctx.attempt % 2 === 1 : undefined;
      return l0({
        stream: factory(n.primary), fallbackStreams: n.fallbacks.map(factory),
        retry: { maxRetries: n.maxRetries, backoff: 'fixed', baseDelay: 3, maxRetryAfter: 50, shouldRetry },
        timeout: { initialToken: 10, interToken: 10 }, continueFromLastKnownGoodToken: n.continuation, checkpointInterval: 1,
      });
    }
    case 'budget': return build(n.child, watch).pipe(budget({ maxOutputTokens: n.max, onExceeded: n.complete ? 'complete' : 'error', estimateTokens: () => 1 }));
    case 'timeout': return build(n.child, watch).pipe(withTimeouts({ total: n.total }));
    case 'zero': return build(n.child, watch).pipe(detectZeroOutput());
  }
}

function check(n: Node, unsubscribeAt: number): void {
  const { watch, open } = watchedRequests();
  const run = runWatched(testScheduler(), () => build(n, watch), open, unsubscribeAt);
  const events = run.timeline.map(([, e]) => e);
  const log = JSON.stringify(events);
  const pairs = new Set<string>();
  let last: StartEvent | undefined;
  let next: Partial<StartEvent> | undefined;
  let retracted = true;
  let text = '';
  for (const e of events) {
    if (e.type === 'retry') {
      expect(e.attempt, log).toBe(last?.attempt);
      next = { attempt: e.attempt + 1, fallbackIndex: last!.fallbackIndex };
    } else if (e.type === 'fallback') {
      expect([e.fromIndex, e.toIndex], log).toEqual([last?.fallbackIndex, last!.fallbackIndex + 1]);
      next = { fallbackIndex: e.toIndex };
    } else if (e.type === 'start') {
      expect(retracted, log).toBe(true);
      expect([e.isRetry, e.isFallback], log).toEqual([e.attempt > 1, e.fallbackIndex > 0]);
      if (next) expect(e, log).toMatchObject(next);
      expect(pairs.has(`${e.attempt}/${e.fallbackIndex}`), log).toBe(false);
      pairs.add(`${e.attempt}/${e.fallbackIndex}`);
      [last, next, retracted] = [e, undefined, false];
    }
    if (e.type === 'retry' || e.type === 'fallback') retracted = true;
    text = e.type === 'token' ? text + e.value : e.type === 'resume' ? e.checkpoint : e.type === 'start' || retracted ? '' : text;
  }
  if (events.length > 0) expect(finalState(events).content, log).toBe(text);
  const completes = events.filter((e) => e.type === 'complete').length;
  expect(completes, log).toBeLessThanOrEqual(1);
  if (completes === 1) expect([events.at(-1)?.type, run.error], log).toEqual(['complete', undefined]);
  expect(run.leftover, log).toEqual({ actions: 0, open: 0 });
}

const numRuns = runs(300);

describe('nested retries, fallbacks, l0() runs, budgets and timeouts (property)', () => {
  it('should number, retract and clean up as one flat run would, whatever the nesting', () => {
    // a run still going at frame 300 (a hang with no deadline) is left there
    fc.assert(fc.property(nodeArb, fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(300)), check), { numRuns });
  });
});
