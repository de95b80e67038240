/** @test {fromStream} @test {fromAttempt} @test {l0} @test {structured} @test {raceModels} @test {parallel} @test {pipeline} */
import { describe, it } from 'vitest';
import { defer, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { z } from 'zod';
import {
  batched,
  consensus,
  createMemoryEventStore,
  recordEvents,
  fromAttempt,
  fromStream,
  l0,
  parallel,
  pipeline,
  raceModels,
  replayEvents,
  sequential,
  structured,
  type L0Event,
} from 'l0-rx';
import { authError, ENDLESS, EV, expect, expectNoSharedState, expectNothingScheduledAfter, NEVER_UNSUB, record, runMarbles, syncSource, unsubscribeInFirstNext, type Note } from './checklistHarness.js';

/**
 * The rxjs checklist for the creation functions: each wraps an inner stream (the row's cold
 * marbles) the way a user would (a factory's return value, a race entrant, a pipeline step). The
 * "source" whose subscription is asserted is that inner stream: unsubscribing the result must
 * unsubscribe it (the request aborts). Outputs are compared as a summary: event types (or result
 * shapes), then `E:<name>` or `C`.
 */

interface SourceCase {
  readonly name: string;
  /** The creation function around `inner`; `aborted` reports the AbortSignal a factory got, where there is one. */
  readonly make: (inner: Observable<L0Event>, probe: { signals: AbortSignal[] }) => Observable<unknown>;
  /** Expected summaries of the empty, one, many and error rows. */
  readonly rows: Record<'empty' | 'one' | 'many' | 'error', string>;
  /** Inner events (token text) when the function needs others. */
  readonly values?: Record<string, L0Event>;
  /** Whether the first emission comes before the inner stream is subscribed (a `start` of its own). */
  readonly emitsBeforeInner?: boolean;
  /** Inner events read before the first emission. @default 1 */
  readonly heldBeforeFirst?: number;
  /** The callback-throws row, or why there is none. */
  readonly callbackThrows: (() => void) | string;
}

const SOURCES = { empty: '|', one: '-t|', many: '-s-t-u-x|', error: '-t-#' } as const;
const boom = new Error('boom');
const factory = (inner: Observable<L0Event>, probe: { signals: AbortSignal[] }) => ({ signal }: { signal: AbortSignal }) => {
  probe.signals.push(signal);
  return inner;
};
const JSON_VALUES = { ...EV, t: { type: 'token', value: '{"a":' }, u: { type: 'token', value: '1}' } } as Record<string, L0Event>;
const schema = z.object({ a: z.number() });
/** l0's defaults retry and time out; the checklist's rows turn them off to see the shape. */
const quiet = { retry: { attempts: 0, maxRetries: 0 }, detectZeroTokens: false } as const;

function summary(notes: readonly Note[]): string {
  return notes
    .map((n) => {
      if (n.kind === 'C') return 'C';
      if (n.kind === 'E') return `E:${(n.value as { name?: string }).name}`;
      const v = n.value as Record<string, unknown>;
      if (typeof v.type === 'string') return v.type === 'result' && 'status' in v ? `result:${String(v.status)}` : v.type;
      if (typeof v.done === 'boolean') return `done=${v.done}`;
      if ('consensus' in v || 'agreement' in v) return 'consensus';
      return 'N';
    })
    .join(',');
}

const CASES: SourceCase[] = [
  {
    name: 'fromStream',
    make: (inner, probe) => fromStream(factory(inner, probe)),
    rows: { empty: 'start,complete,C', one: 'start,token,complete,C', many: 'start,token,token,complete,C', error: 'start,token,E:ProviderError' },
    emitsBeforeInner: true,
    callbackThrows: () => {
      const notes = drain(() => fromStream(() => { throw boom; }));
      expect(summary(notes)).toBe('start,E:UnknownError');
    },
  },
  {
    name: 'fromAttempt',
    make: (inner) => fromAttempt(() => inner),
    rows: { empty: 'start,C', one: 'start,token,C', many: 'start,token,token,complete,C', error: 'start,token,E:ProviderError' },
    emitsBeforeInner: true,
    callbackThrows: () => {
      // "A body that throws errors the stream with what it threw."
      const notes = drain(() => fromAttempt(() => { throw boom; }));
      expect(summary(notes)).toBe('start,E:Error');
    },
  },
  {
    name: 'l0',
    make: (inner, probe) => l0({ stream: factory(inner, probe), ...quiet }),
    rows: { empty: 'start,complete,C', one: 'start,token,complete,C', many: 'start,token,token,complete,C', error: 'start,token,E:ProviderError' },
    emitsBeforeInner: true,
    callbackThrows: () => {
      // lifecycle callbacks are tapLifecycle's: reported, never rethrown
      const reported: string[] = [];
      const notes = drain((cold) => l0({
        stream: () => cold('-t|', EV), ...quiet,
        onStart: () => { throw boom; },
        onCallbackError: (_e, name) => reported.push(name),
      }));
      expect(summary(notes)).toBe('start,token,complete,C');
      expect(reported).toEqual(['onStart']);
    },
  },
  {
    name: 'structured',
    make: (inner, probe) => structured({ schema, stream: factory(inner, probe), ...quiet }),
    values: JSON_VALUES,
    rows: {
      empty: 'start,E:SchemaValidationError',
      one: 'start,token,partial,E:SchemaValidationError',
      many: 'start,token,partial,token,partial,result,complete,C',
      error: 'start,token,partial,E:ProviderError',
    },
    emitsBeforeInner: true,
    callbackThrows: () => {
      const notes = drain(() => structured({ schema, stream: () => { throw boom; }, ...quiet }));
      expect(summary(notes)).toBe('start,E:UnknownError');
    },
  },
  {
    name: 'raceModels',
    make: (inner) => raceModels([inner]),
    rows: { empty: 'E:AllStreamsExhaustedError', one: 'token,C', many: 'start,token,token,complete,C', error: 'token,E:ProviderError' },
    heldBeforeFirst: 2,
    callbackThrows: () => {
      // "A throw errors the race."
      const notes = drain((cold) => raceModels([cold('-s-t|', EV)], { onWin: () => { throw boom; } }));
      expect(summary(notes)).toBe('E:Error');
    },
  },
  {
    name: 'parallel',
    make: (inner) => parallel([inner]),
    rows: { empty: 'done=true,C', one: 'done=true,C', many: 'done=true,C', error: 'done=true,C' },
    heldBeforeFirst: 6, // a run's snapshot comes when it ends
    callbackThrows: 'no callbacks',
  },
  {
    name: 'sequential',
    make: (inner) => sequential([inner]),
    rows: { empty: 'done=true,C', one: 'done=true,C', many: 'done=true,C', error: 'done=true,C' },
    heldBeforeFirst: 6, // a run's snapshot comes when it ends
    callbackThrows: 'no callbacks',
  },
  {
    name: 'batched',
    make: (inner) => batched([inner], 1),
    rows: { empty: 'done=true,C', one: 'done=true,C', many: 'done=true,C', error: 'done=true,C' },
    heldBeforeFirst: 6, // a run's snapshot comes when it ends
    callbackThrows: 'no callbacks',
  },
  {
    name: 'pipeline',
    make: (inner) => pipeline([{ name: 'one', run: () => inner }], 'in'),
    rows: {
      empty: 'step-start,step-end,result,C',
      one: 'step-start,event,step-end,result,C',
      many: 'step-start,event,event,event,event,step-end,result,C',
      error: 'step-start,event,step-end,result,C',
    },
    emitsBeforeInner: true,
    callbackThrows: () => {
      // "A failing step (its stream, condition or transform throwing) is recorded with its error"
      const notes = drain((cold) => pipeline([{ name: 'one', run: () => cold('-t|', EV), transform: () => { throw boom; } }], 'in'));
      expect(summary(notes)).toBe('step-start,event,step-end,result,C');
      const last = notes.at(-2)!.value as { result: { status: string } };
      expect(last.result.status).toBe('error');
    },
  },
  {
    name: 'consensus',
    make: (inner) => consensus([inner, inner], { minimumAgreement: 0 }),
    // rule 5: all failed is AllStreamsExhaustedError; rule 1: an empty output is a failed one (no agreement on nothing)
    rows: { empty: 'E:AllStreamsExhaustedError', one: 'text,C', many: 'text,C', error: 'E:AllStreamsExhaustedError' },
    heldBeforeFirst: 12,
    callbackThrows: () => {
      // parse: "A throw fails that output"; every output failed: AllStreamsExhaustedError (rule 5)
      const notes = drain((cold) => consensus([cold('-t|', EV), cold('-t|', EV)], { parse: () => { throw boom; } }));
      expect(summary(notes)).toBe('E:AllStreamsExhaustedError');
    },
  },
];

function drain(make: (cold: TestScheduler['createColdObservable']) => Observable<unknown>): Note[] {
  const notes: Note[] = [];
  runMarbles((ts, { cold }) => record(ts, make(cold as TestScheduler['createColdObservable']), notes));
  return notes;
}

describe('the rxjs checklist, creation functions', () => {
  describe.each(CASES)('$name', (c) => {
    const values = { ...EV, ...c.values };

    it.each(['empty', 'one', 'many', 'error'] as const)('should handle the %s row as documented', (row) => {
      runMarbles((ts, { cold }) => {
        const inner = cold(SOURCES[row], values, authError());
        const notes: Note[] = [];
        record(ts, c.make(inner, { signals: [] }), notes);
        ts.schedule(() => expect(summary(notes)).toBe(c.rows[row]), 100);
      });
    });

    it('should unsubscribe a never inner stream (aborting it), leaving nothing scheduled', () => {
      runMarbles((ts, { cold, expectSubscriptions }) => {
        const inner = cold('-', values);
        const probe = { signals: [] as AbortSignal[] };
        const sub = c.make(inner, probe).subscribe();
        ts.schedule(() => sub.unsubscribe(), 4);
        expectSubscriptions(inner.subscriptions).toBe(c.name === 'consensus' ? [NEVER_UNSUB, NEVER_UNSUB] : NEVER_UNSUB);
        expectNothingScheduledAfter(ts, 4, () => expect(probe.signals.every((s) => s.aborted)).toBe(true));
      });
    });

    it('should unsubscribe a never-ending inner stream early, leaving nothing scheduled', () => {
      runMarbles((ts, { cold, expectSubscriptions }) => {
        const inner = cold(ENDLESS.source, values);
        const probe = { signals: [] as AbortSignal[] };
        const sub = c.make(inner, probe).subscribe();
        ts.schedule(() => sub.unsubscribe(), 7);
        expectSubscriptions(inner.subscriptions).toBe(c.name === 'consensus' ? [ENDLESS.unsub, ENDLESS.unsub] : ENDLESS.unsub);
        expectNothingScheduledAfter(ts, 7, () => expect(probe.signals.every((s) => s.aborted)).toBe(true));
      });
    });

    it('should stop a synchronous inner stream when the subscriber unsubscribes inside next', () => {
      runMarbles((ts) => {
        const sync = syncSource([values.s, values.t, values.u, values.t, values.u, values.x] as L0Event[]);
        const probe = unsubscribeInFirstNext(ts, c.make(defer(() => sync.source), { signals: [] }));
        ts.schedule(() => {
          expect(probe.seen).toHaveLength(1);
          expect(probe.ended()).toBe(false);
          expect(sync.pushed()).toBeLessThanOrEqual(c.emitsBeforeInner ? 0 : (c.heldBeforeFirst ?? 1));
        }, 100);
      });
    });

    it('should share no state between two subscriptions', () => {
      runMarbles((ts, { cold }) => {
        const result = c.make(cold(SOURCES.many, values), { signals: [] });
        expectNoSharedState(ts, result);
      });
    });

    it('should handle a callback that throws as documented', () => {
      if (typeof c.callbackThrows === 'string') return;
      c.callbackThrows();
    });
  });

  describe('replayEvents', () => {
    /** A store holding s t u x, 10 frames apart, recorded under the test scheduler. */
    const store = createMemoryEventStore();
    runMarbles((_ts, { cold }) => {
      cold('s 9ms t 9ms u 9ms x|', EV).pipe(recordEvents(store, { streamId: 'r' })).subscribe();
    });
    const recorded = () => store;

    it('should replay a recorded run, again on each subscription', () => {
      runMarbles((ts) => {
        const replay = replayEvents(recorded(), 'r', { speed: 1 });
        const first: Note[] = [];
        const second: Note[] = [];
        record(ts, replay, first);
        ts.schedule(() => record(ts, replay, second), 100);
        ts.schedule(() => {
          expect(summary(first)).toBe('start,token,token,complete,C');
          expect(second).toEqual(first);
        }, 300);
      });
    });

    it('should cancel its timers when unsubscribed mid-replay', () => {
      runMarbles((ts) => {
        const notes: Note[] = [];
        const sub = replayEvents(recorded(), 'r', { speed: 1 }).subscribe((e) => notes.push({ frame: ts.now(), kind: 'N', value: e }));
        ts.schedule(() => sub.unsubscribe(), 15);
        expectNothingScheduledAfter(ts, 15, () => expect(notes).toHaveLength(2));
      });
    });

    it('should stop when the subscriber unsubscribes inside next', () => {
      runMarbles((ts) => {
        const probe = unsubscribeInFirstNext(ts, replayEvents(recorded(), 'r'));
        ts.schedule(() => {
          expect(probe.seen).toHaveLength(1);
          expect(probe.ended()).toBe(false);
        }, 10);
      });
    });

    it('should error with STREAM_NOT_FOUND for an unknown stream', () => {
      const notes = drain(() => replayEvents(createMemoryEventStore(), 'nope'));
      expect(summary(notes)).toBe('E:EventLogError');
    });
  });
});

