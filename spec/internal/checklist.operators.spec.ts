/** @test {accumulate} @test {ofType} @test {withTimeouts} @test {retryWithBackoff} @test {fallbackTo} @test {guard} */
import { describe, it, vi } from 'vitest';
import { type Observable, type OperatorFunction } from 'rxjs';
import { z } from 'zod';
import {
  accumulate,
  budget,
  checkpointEvery,
  circuitBreaker,
  createCircuitBreaker,
  createMemoryEventStore,
  deduplicateContinuation,
  detectDrift,
  detectZeroOutput,
  fallbackTo,
  guard,
  hedge,
  measureRun,
  ofType,
  parseStructured,
  recordEvents,
  retryWithBackoff,
  splitThinking,
  tapLifecycle,
  withTimeouts,
  isL0Error,
  ProviderError,
  type L0Event,
} from 'l0-rx';
import {
  authError,
  ENDLESS,
  EV,
  expect,
  NEVER_UNSUB,
  expectNoSharedState,
  expectNothingScheduledAfter,
  ROWS,
  runMarbles,
  syncSource,
  unsubscribeInFirstNext,
  type Expected,
  type RowName,
} from './checklistHarness.js';

type AnyOp = OperatorFunction<L0Event, unknown>;

interface OpCase {
  readonly name: string;
  /** A fresh operator (the rows that need a cold helper get the scheduler's `cold`). */
  readonly op: (cold: Cold) => AnyOp;
  /** Event values, when the operator needs other text than EV's. */
  readonly values?: Record<string, L0Event>;
  /** Source marbles per row, where the output needs room (a same-frame group takes its width). */
  readonly sources?: Partial<Record<RowName | 'endless', string>>;
  /** Expected output per row, where it is not the source passed through. */
  readonly rows?: Partial<Record<RowName | 'endless', Expected>>;
  /** The callback-throws row, or why there is none. */
  readonly callbackThrows?: (() => void) | string;
  /** Source events the operator reads before its first emission (holding them back). @default 1 */
  readonly heldBeforeFirst?: number;
}

type Cold = (m: string, v?: Record<string, unknown>, e?: unknown) => Observable<L0Event>;
const like = (o: Record<string, unknown>) => expect.objectContaining(o) as unknown;
const boom = new Error('boom');
const networkError = () => new ProviderError('socket hang up', { code: 'NETWORK_ERROR', category: 'network', retryable: true });
const states = {
  a: like({ content: '', status: 'streaming', attempt: 1 }),
  b: like({ content: 'Hello', tokenCount: 1, status: 'streaming' }),
  c: like({ content: 'Hello world', tokenCount: 2 }),
  d: like({ content: 'Hello world', status: 'complete', finishReason: 'stop' }),
};
const checkpointK = { type: 'checkpoint', content: 'Hello world', tokenCount: 2 };

/** Runs `obs` under a fresh scheduler and returns what it emitted (notifications, errors as they are). */
function drain(obs: (cold: Cold) => Observable<unknown>): { values: unknown[]; error?: unknown; completed: boolean } {
  const out: { values: unknown[]; error?: unknown; completed: boolean } = { values: [], completed: false };
  runMarbles((_ts, { cold }) => {
    obs(cold as Cold).subscribe({ next: (v) => out.values.push(v), error: (e: unknown) => (out.error = e), complete: () => (out.completed = true) });
  });
  return out;
}
const types = (values: unknown[]) => values.map((v) => (v as { type: string }).type);
const DRIFTING = { s: EV.s, t: { type: 'token', value: 'As an AI language model, I cannot help with that.' }, x: EV.x } as Record<string, L0Event>;

const JSON_VALUES = {
  ...EV,
  t: { type: 'token', value: '{"a":' },
  u: { type: 'token', value: '1}' },
  p: { type: 'partial', value: {} },
  q: { type: 'partial', value: { a: 1 } },
  r: { type: 'result', data: { a: 1 }, corrected: false, corrections: [], truncated: false, raw: '{"a":1}' },
};

const CASES: OpCase[] = [
  {
    name: 'accumulate',
    op: () => accumulate() as AnyOp,
    rows: {
      one: { marbles: '-b|', values: states },
      many: { marbles: '-a-b-c-d|', values: states },
      error: { marbles: '-b-#', values: states },
      endless: { marbles: '-a-b-c-', values: states },
    },
    callbackThrows: 'no callbacks',
  },
  {
    name: 'ofType',
    op: () => ofType('token', 'complete') as AnyOp,
    rows: { many: { marbles: '---t-u-x|' }, endless: { marbles: '---t-u-' } },
    heldBeforeFirst: 2,
    callbackThrows: 'no callbacks',
  },
  { name: 'withTimeouts', op: () => withTimeouts({ initialToken: 100, interToken: 100, total: 1000 }), callbackThrows: 'no callbacks' },
  {
    name: 'detectZeroOutput',
    op: () => detectZeroOutput(),
    // rule 4: a source that ends without `complete` is checked at its end; no text is zero output
    rows: { empty: { marbles: '#', error: like({ name: 'ZeroOutputError', code: 'ZERO_OUTPUT' }) } },
    callbackThrows: 'no callbacks',
  },
  {
    name: 'retryWithBackoff',
    op: () => retryWithBackoff({ backoff: 'fixed', baseDelay: 10 }),
    callbackThrows: () => {
      // a throwing shouldRetry vetoes: the run ends with the (typed) error itself, nothing retried, and its error is warned about
      const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const veto = drain((cold) => cold('-t-#', EV, networkError()).pipe(retryWithBackoff({ shouldRetry: () => { throw boom; } })));
        expect(types(veto.values)).toEqual(['token']);
        expect(veto.error).toMatchObject({ name: 'ProviderError', code: 'NETWORK_ERROR' });
        expect(warned.mock.calls).toEqual([[expect.stringContaining('`shouldRetry` threw or rejected'), boom]]);
      } finally {
        warned.mockRestore();
      }
      // a throwing calculateDelay ends the run with its error, typed
      const delay = drain((cold) => cold('-t-#', EV, networkError()).pipe(retryWithBackoff({ calculateDelay: () => { throw boom; } })));
      expect(types(delay.values)).toEqual(['token']);
      expect(isL0Error(delay.error)).toBe(true);
      expect((delay.error as Error).cause ?? delay.error).toBe(boom);
    },
  },
  {
    name: 'fallbackTo',
    op: (cold) => fallbackTo(cold('-t|', EV)),
    rows: { error: { marbles: '-t-ft|', values: { ...EV, f: like({ type: 'fallback', fromIndex: 0, toIndex: 1 }) } } },
    callbackThrows: 'no callbacks',
  },
  {
    name: 'hedge',
    op: (cold) => hedge(cold('-t|', EV), { delay: 50 }),
    // events are held until content: a start and its first token leave together
    sources: { many: '-s-t----u-x|', endless: '-s-t----u-' },
    rows: {
      // the primary completing empty fails (ZeroOutputError); with every entrant failed the backup starts at once
      empty: { marbles: '-t|' },
      many: { marbles: '---(st)-u-x|' },
      endless: { marbles: '---(st)' },
    },
    heldBeforeFirst: 2,
    callbackThrows: () => {
      // as raceModels: a throwing onWin errors the race (HedgeConfig says nothing else)
      const r = drain((cold) => cold('-s-t|', EV).pipe(hedge(cold('-t|', EV), { delay: 50, onWin: () => { throw boom; } })));
      expect(r.values).toEqual([]);
      expect(r.error).toBe(boom);
    },
  },
  {
    name: 'circuitBreaker',
    op: () => circuitBreaker(createCircuitBreaker({ key: 'm' })),
    callbackThrows: () => {
      // isFailure throwing counts a failure, the call fails with its own error; onStateChange throwing is ignored
      const breaker = createCircuitBreaker({
        key: 'm', failureThreshold: 1,
        isFailure: () => { throw boom; },
        onStateChange: () => { throw boom; },
      });
      const r = drain((cold) => cold('-t-#', EV, networkError()).pipe(circuitBreaker(breaker)));
      expect(types(r.values)).toEqual(['token', 'breaker']);
      expect(r.error).toMatchObject({ name: 'ProviderError', code: 'NETWORK_ERROR' });
      const again = drain((cold) => cold('-t|', EV).pipe(circuitBreaker(breaker)));
      expect(again.error).toMatchObject({ name: 'CircuitOpenError' });
    },
  },
  {
    name: 'budget',
    op: () => budget({ maxOutputTokens: 1000 }),
    callbackThrows: () => {
      // undocumented: a throwing estimateTokens errors the stream with what it threw (rxjs callback convention)
      const r = drain((cold) => cold('-s-t-u|', EV).pipe(budget({ maxOutputTokens: 10, estimateTokens: () => { throw boom; } })));
      expect(types(r.values)).toEqual(['start']);
      expect(r.error).toBe(boom);
    },
  },
  {
    name: 'checkpointEvery',
    op: () => checkpointEvery(2),
    sources: { many: '-s-t-u---x|' },
    rows: { many: { marbles: '-s-t-(uk)x|', values: { ...EV, k: checkpointK } }, endless: { marbles: '-s-t-(uk)', values: { ...EV, k: checkpointK } } },
    callbackThrows: 'no callbacks',
  },
  { name: 'deduplicateContinuation', op: () => deduplicateContinuation(), callbackThrows: 'no callbacks' },
  {
    name: 'recordEvents',
    op: () => recordEvents(createMemoryEventStore()),
    callbackThrows: () => {
      // rule 4: the stream is never affected, so neither is it by a throwing onRecordError or onRecorded
      const failing = { ...createMemoryEventStore(), append: () => { throw boom; } };
      const r = drain((cold) => cold('-s-t-x|', EV).pipe(recordEvents(failing, {
        onRecordError: () => { throw boom; },
        onRecorded: () => { throw boom; },
      })));
      expect(types(r.values)).toEqual(['start', 'token', 'complete']);
      expect(r.error).toBeUndefined();
      expect(r.completed).toBe(true);
    },
  },
  {
    name: 'measureRun',
    op: () => measureRun(() => {}),
    callbackThrows: () => {
      // "A throwing onMetrics is warned about once, never rethrown: metrics never break the stream."
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const r = drain((cold) => cold('-s-t-x|', EV).pipe(measureRun(() => { throw boom; })));
        expect(types(r.values)).toEqual(['start', 'token', 'complete']);
        expect(r.completed).toBe(true);
        expect(warn.mock.calls.map((c) => c[1])).toEqual([boom]);
      } finally {
        warn.mockRestore();
      }
    },
  },
  {
    name: 'tapLifecycle',
    op: () => tapLifecycle({ onEvent: () => {}, onCallbackError: () => {} }),
    callbackThrows: () => {
      // reported to onCallbackError, never rethrown; a throwing onCallbackError is ignored
      const reported: string[] = [];
      const r = drain((cold) => cold('-s-t-x|', EV).pipe(tapLifecycle({
        onEvent: () => { throw boom; },
        onComplete: () => { throw boom; },
        onCallbackError: (_e, name) => { reported.push(name); throw boom; },
      })));
      expect(types(r.values)).toEqual(['start', 'token', 'complete']);
      expect(r.completed).toBe(true);
      expect(reported).toEqual(['onEvent', 'onEvent', 'onEvent', 'onComplete']);
    },
  },
  {
    name: 'parseStructured',
    op: () => parseStructured({ schema: z.object({ a: z.number() }) }) as AnyOp,
    values: { ...EV, t: { type: 'token', value: '{"a":' }, u: { type: 'token', value: '1}' } },
    // a `partial` follows each token that changed the value, in its frame
    sources: { one: '-t---|', many: '-s-t---u---x---|', error: '-t---#', endless: '-s-t---' },
    rows: {
      one: { marbles: '-(tp)|', values: JSON_VALUES },
      many: { marbles: '-s-(tp)(uq)(rx)|', values: JSON_VALUES },
      error: { marbles: '-(tp)#', values: JSON_VALUES },
      endless: { marbles: '-s-(tp)', values: JSON_VALUES },
    },
    callbackThrows: () => {
      // a schema whose validate throws fails the attempt with that error
      const schema = { '~standard': { version: 1, vendor: 'x', validate: () => { throw boom; } } } as const;
      const r = drain((cold) => cold('-s-t-u-x|', { ...EV, t: { type: 'token', value: '{"a":1}' } }).pipe(parseStructured({ schema })));
      expect(types(r.values)).not.toContain('result');
      expect(r.error).toBeDefined();
    },
  },
  { name: 'splitThinking', op: () => splitThinking(), callbackThrows: 'no callbacks' },
  {
    name: 'guard',
    op: () => guard([]),
    callbackThrows: () => {
      // a rule that throws is a warning, never a crash
      const throwing = { name: 'throws', check: () => { throw boom; } };
      const warned = drain((cold) => cold('-s-t-x|', EV).pipe(guard([throwing as never])));
      expect(types(warned.values)).toEqual(['start', 'token', 'violation', 'complete']);
      expect(warned.completed).toBe(true);
      // onViolation: "A throw errors the stream (as in tap)"
      const flagged = { name: 'flag', severity: 'warning', check: () => ({ message: 'no' }) };
      const r = drain((cold) => cold('-s-t-x|', EV).pipe(guard([flagged as never], { onViolation: () => { throw boom; } })));
      expect(types(r.values)).toEqual(['start', 'token', 'violation']);
      expect(r.error).toBe(boom);
    },
  },
  {
    name: 'detectDrift',
    op: () => detectDrift(),
    callbackThrows: () => {
      // onDrift: "A throw errors the stream"
      const r = drain((cold) => cold('-s-t-x|', DRIFTING).pipe(detectDrift({ onDrift: () => { throw boom; } })));
      expect(types(r.values)).toEqual(['start', 'token', 'drift']);
      expect(r.error).toBe(boom);
    },
  },
];

const passThrough = (c: OpCase, row: RowName): Expected => ({ marbles: c.sources?.[row] ?? ROWS[row].source });

describe('the rxjs checklist, operators', () => {
  describe.each(CASES)('$name', (c) => {
    const values = (): Record<string, L0Event> => ({ ...EV, ...c.values });

    it.each(['empty', 'one', 'many', 'error'] as const)('should handle the %s row as documented', (row) => {
      runMarbles((_ts, { cold, expectObservable, expectSubscriptions }) => {
        const src = cold(c.sources?.[row] ?? ROWS[row].source, values(), authError());
        const want = c.rows?.[row] ?? passThrough(c, row);
        expectObservable(src.pipe(c.op(cold as Cold))).toBe(want.marbles, want.values ?? values(), want.error ?? authError());
        void expectSubscriptions;
      });
    });

    it('should unsubscribe a never source, leaving nothing scheduled', () => {
      runMarbles((ts, { cold, expectObservable, expectSubscriptions }) => {
        const src = cold('-', values());
        expectObservable(src.pipe(c.op(cold as Cold)), NEVER_UNSUB).toBe('-');
        expectSubscriptions(src.subscriptions).toBe(NEVER_UNSUB);
        expectNothingScheduledAfter(ts, 4);
      });
    });

    it('should unsubscribe a never-ending source early, leaving nothing scheduled', () => {
      runMarbles((ts, { cold, expectObservable, expectSubscriptions }) => {
        const src = cold(c.sources?.endless ?? ENDLESS.source, values());
        const want = c.rows?.endless ?? { marbles: c.sources?.endless ?? ENDLESS.source };
        expectObservable(src.pipe(c.op(cold as Cold)), ENDLESS.unsub).toBe(want.marbles, want.values ?? values());
        expectSubscriptions(src.subscriptions).toBe(ENDLESS.unsub);
        expectNothingScheduledAfter(ts, 7);
      });
    });

    it('should stop at once when the subscriber unsubscribes inside next', () => {
      runMarbles((ts, { cold }) => {
        const src = cold(c.sources?.many ?? ROWS.many.source, values());
        const probe = unsubscribeInFirstNext(ts, src.pipe(c.op(cold as Cold)));
        ts.schedule(() => {
          expect(probe.seen).toHaveLength(1);
          expect(probe.ended()).toBe(false);
          expect(src.subscriptions).toHaveLength(1);
          expect(src.subscriptions[0]!.unsubscribedFrame).toBe(probe.frame());
        }, 100);
      });
    });

    it('should stop a synchronous source when the subscriber unsubscribes inside next', () => {
      runMarbles((ts, { cold }) => {
        const v = values();
        const sync = syncSource([v.s, v.t, v.u, v.t, v.u, v.x] as L0Event[]);
        const probe = unsubscribeInFirstNext(ts, sync.source.pipe(c.op(cold as Cold)));
        ts.schedule(() => {
          expect(probe.seen).toHaveLength(1);
          expect(probe.ended()).toBe(false);
          // at most what the operator legitimately holds before its first emission (hedge: start + token)
          expect(sync.pushed()).toBeLessThanOrEqual(c.heldBeforeFirst ?? 1);
        }, 100);
      });
    });

    it('should share no state between two subscriptions of one piped observable', () => {
      runMarbles((ts, { cold }) => {
        const piped = cold(c.sources?.many ?? ROWS.many.source, values()).pipe(c.op(cold as Cold));
        expectNoSharedState(ts, piped);
      });
    });

    it('should handle a callback that throws as documented', () => {
      if (typeof c.callbackThrows === 'string' || c.callbackThrows === undefined) {
        expect(c.callbackThrows, `${c.name}: a callback row or the reason it has none`).toBeTypeOf('string');
        return;
      }
      c.callbackThrows();
    });
  });
});

