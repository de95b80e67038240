/** @test {accumulate} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { accumulate, serializeError, type L0Event, type L0State } from 'l0-rx';
import { expectLinearTime, START } from '../helpers/linearTime.js';
import { runs } from '../helpers/propertyRuns.js';

// The lists of a state (`toolCalls`, `data`, `violations`) grow by appending to logs the fold
// owns; a state copies them out when first read. Every snapshot must still read as the arrays of
// its own moment, whenever it is read, and a run of appends must not copy the lists per event.
const call = (i: number): L0Event => ({ type: 'tool-call', id: `c${i}`, name: 'f', arguments: `{"i":${i}}` });
const datum = (i: number): L0Event => ({ type: 'data', payload: { contentType: 'json', json: { i } } });
const violation = (i: number): L0Event => ({ type: 'violation', violation: { ruleId: `r${i}`, message: 'm', severity: 'warning', recoverable: true } });
const error = serializeError(new Error('boom'));
const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error, reason: 'unknown', countsTowardAttempts: true };
const fallback: L0Event = { type: 'fallback', fromIndex: 0, toIndex: 1, error };
const COMPLETE: L0Event = { type: 'complete', finishReason: 'stop' };
const tok: L0Event = { type: 'token', value: 'a' };
const fail = (e: unknown) => {
  throw e;
};

/** The lists after each event, folded the plain way (a copy per append; `start`, `retry` and `fallback` empty them). */
function expectedLists(events: readonly L0Event[]): { toolCalls: unknown[]; data: unknown[]; violations: unknown[] }[] {
  let lists = { toolCalls: [] as unknown[], data: [] as unknown[], violations: [] as unknown[] };
  return events.map((e) => {
    if (e.type === 'start' || e.type === 'retry' || e.type === 'fallback') lists = { toolCalls: [], data: [], violations: [] };
    if (e.type === 'tool-call') lists = { ...lists, toolCalls: [...lists.toolCalls, { id: e.id, name: e.name, arguments: e.arguments }] };
    if (e.type === 'data') lists = { ...lists, data: [...lists.data, e.payload] };
    if (e.type === 'violation') lists = { ...lists, violations: [...lists.violations, e.violation] };
    return lists;
  });
}

const listsOf = (s: L0State) => ({ toolCalls: s.toolCalls, data: s.data, violations: s.violations });
const LISTS = ['toolCalls', 'data', 'violations'] as const;

describe('accumulate snapshots of tool calls, data and violations', () => {
  it('should keep each snapshot\'s lists as they were at its event, read at once or after later appends and a retry', async () => {
    const events = [START, call(0), datum(0), tok, call(1), violation(0), call(2), retry, START, call(3), COMPLETE] as L0Event[];
    const early: string[] = [];
    const states: L0State[] = [];
    of(...events).pipe(accumulate()).subscribe((s) => {
      if (states.push(s) % 2) early.push(JSON.stringify(s)); // every other one read at once, the rest only at the end
    });
    expect(states.map(listsOf)).toEqual(expectedLists(events));
    expect(states.filter((_, i) => i % 2 === 0).map((s) => JSON.stringify(s))).toEqual(early);
    expect(states[6]!.toolCalls.map((c) => c.id)).toEqual(['c0', 'c1', 'c2']);
    expect(states.at(-1)!.toolCalls.map((c) => c.id)).toEqual(['c3']);
  });

  it('should give arrays that read as arrays: isArray, length, indexing, iteration, spreading, JSON, the same array on every read', async () => {
    const states = await lastValueFrom(of(START, call(0), call(1), call(2), datum(0)).pipe(accumulate(), toArray()));
    const s = states[2]!; // an append's state, read after two more appends
    expect(Array.isArray(s.toolCalls)).toBe(true);
    expect(s.toolCalls.length).toBe(2);
    expect(s.toolCalls[1]!.id).toBe('c1');
    expect([...s.toolCalls].map((c) => c.id)).toEqual(['c0', 'c1']);
    expect(Array.from(s.toolCalls, (c) => c.id)).toEqual(['c0', 'c1']);
    expect(JSON.parse(JSON.stringify(s)).toolCalls).toEqual([call(0), call(1)].map(({ type: _, ...c }) => c));
    expect({ ...s }.toolCalls).toBe(s.toolCalls);
    expect(s.data).toBe(s.data);
    expect(Object.keys(s)).toEqual(Object.keys(states[0]!));
  });

  it('should let the states of the tokens after an append share one copy of each list, as before', async () => {
    const states = await lastValueFrom(of(START, call(0), tok, tok).pipe(accumulate(), toArray()));
    expect(states[2]!.toolCalls).toEqual([{ id: 'c0', name: 'f', arguments: '{"i":0}' }]);
    expect(states[3]!.toolCalls).toBe(states[2]!.toolCalls);
    expect(states[3]!.data).toBe(states[0]!.data);
  });

  it('should keep a list the same array from state to state until it changes, as a fold that copies per append did', () => {
    const events = [START, call(0), tok, datum(0), { type: 'progress', percent: 1 }, tok, { type: 'reasoning', value: 'r' }, call(1), COMPLETE] as L0Event[];
    const changes = { toolCalls: 0, data: 0, violations: 0 };
    const seen: Partial<Record<keyof typeof changes, unknown>> = {};
    from(events).pipe(accumulate()).subscribe((s) => {
      for (const key of LISTS) if (seen[key] !== (seen[key] = s[key])) changes[key]++;
    });
    // distinctUntilChanged over a list, a memo keyed on it: START gives the empty lists, then one change per append
    expect(changes).toEqual({ toolCalls: 3, data: 2, violations: 1 });
  });

  it('should not copy an unchanged list for each event after an append: reasoning after tool calls, read at every state, in linear time', () => {
    let read = 0;
    expectLinearTime('accumulate, reasoning events after tool calls, toolCalls read per state', (size) => {
      const events = [START, ...Array.from({ length: size }, (_, i) => call(i)), ...Array.from({ length: size }, (): L0Event => ({ type: 'reasoning', value: 'r' }))];
      const started = performance.now();
      from(events).pipe(accumulate()).subscribe({ next: (s) => s.reasoning && (read = s.toolCalls.length), error: fail });
      return performance.now() - started;
    }, 2_500);
    expect(read).toBe(10_000);
  });

  it('should keep the empty violations list one array across a new attempt that retracts text after a retraction took violations', () => {
    // (random seed 1995631467: the second start swapped the empty list for another, equal, array)
    const states: L0State[] = [];
    of(violation(0), START, tok, START).pipe(accumulate()).subscribe((s) => states.push(s));
    expect(states.map((s) => s.violations.length)).toEqual([1, 0, 0, 0]);
    expect(states[3]!.violations).toBe(states[2]!.violations);
  });

  it('should keep every snapshot as it was, for any run of appends, tokens, retractions and other events', () => {
    const event = fc.oneof(
      fc.nat(99).map(call), fc.nat(99).map(datum), fc.nat(99).map(violation),
      fc.constant(tok), fc.constant<L0Event>({ type: 'checkpoint', content: '', tokenCount: 0 }),
      fc.constant<L0Event>({ type: 'progress', percent: 1 }), fc.constantFrom(START, retry, fallback),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (events, readAtOnce) => {
        const early = new Map<L0State, string>();
        const states: L0State[] = [];
        of(...events).pipe(accumulate()).subscribe((s) => {
          if (readAtOnce[states.push(s) - 1]) early.set(s, JSON.stringify(listsOf(s)));
        });
        expect(states.map(listsOf)).toEqual(expectedLists(events));
        for (const [s, json] of early) expect(JSON.stringify(listsOf(s))).toBe(json);
        // a list is a new array exactly where it changed (equal contents, same array), as when each append copied
        states.forEach((s, i) => {
          const prev = states[i - 1] ?? listsOf(s);
          for (const key of LISTS) expect([i, key, s[key] === prev[key]]).toEqual([i, key, JSON.stringify(s[key]) === JSON.stringify(prev[key])]);
        });
      }),
      { numRuns: runs(200) },
    );
  });

  it('should fold tool calls alternating with tokens in linear time: a token\'s state copies no list no one read', () => {
    let last: L0State | undefined;
    // each token used to copy the tool calls so far (its state read them): 20,000 calls took about 18 s
    expectLinearTime('accumulate, tool calls alternating with tokens', (size) => {
      const events = [START, ...Array.from({ length: size }, (_, i) => [call(i), tok]).flat(), COMPLETE];
      const started = performance.now();
      from(events).pipe(accumulate()).subscribe({ next: (s) => (last = s), error: fail });
      return performance.now() - started;
    }, 5_000);
    expect(last!.toolCalls.length).toBe(20_000);
    expect(last!.content.length).toBe(20_000);
  });

  it('should fold the tokens after an append about as fast as with no list when a checkpoint comes every 10 tokens', () => {
    // a checkpoint gave the tokens after it the lists' getters again: no copy was ever made, and every token's state got
    // getters (10 violations, then a checkpoint every 10 tokens: 30 times slower than with no list)
    const checkpoint: L0Event = { type: 'checkpoint', content: '', tokenCount: 0 };
    const tail = Array.from({ length: 10_000 }, () => [...Array<L0Event>(10).fill(tok), checkpoint]).flat();
    const fold = (events: readonly L0Event[]): number => {
      const started = performance.now();
      from(events).pipe(accumulate()).subscribe({ error: fail });
      return performance.now() - started;
    };
    const plain = [START, ...tail];
    const appended = [START, ...Array.from({ length: 10 }, (_, i) => violation(i)), ...tail];
    let plainMs = Infinity;
    let appendedMs = Infinity;
    // the best of three rounds (the first warms up): a shared machine can pause one run
    for (let round = 0; round < 3; round++) {
      plainMs = Math.min(plainMs, fold(plain));
      appendedMs = Math.min(appendedMs, fold(appended));
    }
    expect(appendedMs, `no list ${plainMs.toFixed(0)} ms, ten violations ${appendedMs.toFixed(0)} ms`).toBeLessThan(Math.max(3 * plainMs, 30));
  });

  it.each([
    ['tool-call', call],
    ['data', datum],
    ['violation', violation],
  ])('should fold %s events in linear time', (label, make) => {
    let last: L0State | undefined;
    expectLinearTime(`accumulate, ${label} events`, (size) => {
      const events = [START, ...Array.from({ length: size }, (_, i) => make(i)), COMPLETE];
      const started = performance.now();
      from(events).pipe(accumulate()).subscribe({ next: (s) => (last = s), error: fail });
      return performance.now() - started;
    }, 5_000);
    expect(last!.toolCalls.length + last!.data.length + last!.violations.length).toBe(20_000);
  });
});
