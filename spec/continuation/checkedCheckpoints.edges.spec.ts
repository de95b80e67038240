/** @test {checkpointEvery} */
import { describe, expect, it } from 'vitest';
import { EMPTY, Observable, Subject, catchError, lastValueFrom, of, tap, toArray, type MonoTypeOperatorFunction } from 'rxjs';
import { checkpointEvery, defineGuardrailRule, detectDrift, guard, l0, type GuardRule, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { uncheckedTail } from '../../src/attempt/uncheckedTail.js';
import { ev } from '../helpers/attemptSource.js';
import { finalState, runScenario } from '../helpers/runScenario.js';

const { start, tok } = ev;
const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const items = (...tokens: string[]) => ({ items: tokens });
const checkpointsOf = (events: readonly L0Event[]) => events.flatMap((e) => (e.type === 'checkpoint' ? [e.content] : []));

/** Redacts 'secret' (6 characters) into 20. */
const pii: GuardRule = {
  name: 'pii',
  check: (delta, text) => {
    const i = delta.indexOf('secret');
    return i < 0 ? undefined : { message: 'secret', position: text.length - delta.length + i, redact: { length: 6, replacement: 'R'.repeat(20) } };
  },
};
/** Fails on BAD, checking every 4 tokens. */
const noBad4: GuardRule = { name: 'no-bad', interval: 4, check: (delta) => (delta.includes('BAD') ? { message: 'BAD' } : undefined) };

/** A finding that covers 'BAD' ... 'y' (at most 20 characters: its span). */
const badThenY = defineGuardrailRule({ name: 'bad-then-y', span: 20, check: (delta, text) => (delta.endsWith('y') && text.includes('BAD') ? { message: 'BAD...y' } : undefined) });

describe('checkpointEvery after guard: redactions', () => {
  it('should count what a redaction in an earlier token added to the released text (stream-first)', async () => {
    const out = await lastValueFrom(
      of(start(), tok('BAD'), tok('secret'), tok('x'), tok('y')).pipe(guard([pii, noBad4]), checkpointEvery(1), catchError(() => EMPTY), toArray()),
    );
    // no-bad has not checked 'BAD' before token 4, where it fails the attempt
    expect(checkpointsOf(out).filter((c) => c.includes('BAD'))).toEqual([]);
  });

  it('should count it through a hold-back guard after a stream-first one (the rebased count)', async () => {
    const out = await lastValueFrom(
      of(start(), tok('BAD'), tok('secret'), tok('x'), tok('y'))
        .pipe(guard([noBad4]), guard([pii], { mode: 'hold-back', holdBack: 0 }), checkpointEvery(1), catchError(() => EMPTY), toArray()),
    );
    expect(checkpointsOf(out).filter((c) => c.includes('BAD'))).toEqual([]);
  });

  it('should not let a retry through l0() resume from text no-bad rejects after a redaction', () => {
    const r = runScenario(() =>
      l0({ stream: fakeModel([items('BAD', 'secret', 'x', 'y', 'z'), items('fine')]), guardrails: [defineGuardrailRule(pii), badThenY], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: fast }));
    expect(finalState(r.events).content).not.toContain('BAD');
  });
});

/** Holds a 'B' at the end until the next character says whether it starts 'BAD'; sets `held` as an own property only once it holds. */
const lateHeld: GuardRule = {
  name: 'late-held',
  create: () => {
    let prev = '';
    const run: { held?: number; check(delta: string): { message: string } | undefined } = {
      check(delta) {
        const all = prev + delta;
        prev = all.slice(-2);
        run.held = all.endsWith('B') || all.endsWith('BA') ? (all.endsWith('B') ? 1 : 2) : 0;
        return all.includes('BAD') ? { message: 'BAD' } : undefined;
      },
    };
    return run;
  },
};

describe('checkpointEvery after guard: held set after create()', () => {
  it('should not let hold-back release the characters the run holds (as before the change)', async () => {
    const released: string[] = [];
    const out = await lastValueFrom(
      of(start(), tok('ok B'), tok('A'), tok('D')).pipe(guard([lateHeld], { mode: 'hold-back', holdBack: 0 }), catchError(() => EMPTY), toArray()),
    );
    for (const e of out) if (e.type === 'token') released.push(e.value);
    expect(released.join('')).toBe('ok ');
  });

  it('should not let a stream-first checkpoint hold the characters the run holds', async () => {
    const out = await lastValueFrom(of(start(), tok('ok B'), tok('A'), tok('D')).pipe(guard([lateHeld]), checkpointEvery(1), catchError(() => EMPTY), toArray()));
    expect(checkpointsOf(out).filter((c) => c.includes('B'))).toEqual([]);
  });
});

const pad = (s: string, n: number, filler: string) => {
  let out = s;
  for (let i = 0; out.length < n; i++) out += `${filler}${i} `;
  return out.slice(0, n);
};
const chunks = (s: string, n: number) => s.match(new RegExp(`[\\s\\S]{1,${n}}`, 'g'))!;

describe('checkpointEvery after detectDrift: windows (tone_shift, action retry)', () => {
  it('should not let a checkpoint hold the part of a 200-character window tone_shift has not tested yet', () => {
    // ends in a space: a word the window's edge cuts ("ston|Therefore") would hold no marker
    const informal = `${pad('yeah so lol the thing is okay ', 199, 'stone')} `;
    const formal = pad('Therefore it holds, moreover it is clear, furthermore we see ', 200, 'brick');
    const first = chunks(informal + formal + pad('', 100, 'cloud'), 10);
    const second = chunks(pad(' and then ', 300, 'plain'), 10);
    const r = runScenario(() =>
      l0({
        stream: fakeModel([items(...first), items(...second), items(...second), items(...second)]),
        detectDrift: { action: 'retry', types: ['tone_shift'] },
        continueFromLastKnownGoodToken: true,
        checkpointInterval: 1,
        retry: { ...fast, attempts: 3 },
      }));
    expect(r.events.some((e) => e.type === 'drift')).toBe(true);
    expect(checkpointsOf(r.events).filter((c) => c.includes('Therefore'))).toEqual([]);
    expect(r.error).toBeUndefined();
  });
});

describe('checkpointEvery: runs fed from another run\'s delivery', () => {
  it('should let another l0 run fed synchronously from a guarded run\'s consumer keep its own checkpoints', () => {
    // A: a stream-first guard whose rule keeps 100 characters back (span); its consumer relays each token to B
    const wide = defineGuardrailRule({ name: 'wide', span: 100, check: () => undefined });
    const relay = new Subject<L0Event>();
    let bAttempts = 0;
    let bRun: L0Event[] = [];
    const b$ = l0({
      stream: () => (++bAttempts === 1 ? relay : of<L0Event[]>({ type: 'token', value: ' and more' }, { type: 'complete', finishReason: 'stop' })),
      continueFromLastKnownGoodToken: true,
      checkpointInterval: 1,
      retry: fast,
    });
    const r = runScenario(() => l0({ stream: fakeModel([items('one ', 'two ', 'three')]), guardrails: [wide], continueFromLastKnownGoodToken: true, checkpointInterval: 1 }), {
      onEvent: (e) => {
        if (e.type === 'start') bRun = runInner();
        if (e.type === 'token') relay.next(e);
        if (e.type === 'token' && e.value === 'three') relay.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      },
    });
    function runInner(): L0Event[] {
      const got: L0Event[] = [];
      b$.subscribe({ next: (e) => got.push(e), error: () => undefined });
      return got;
    }
    expect(r.error).toBeUndefined();
    // B has no checks of its own: its checkpoints are every prefix, and its retry resumes from the whole text
    expect(checkpointsOf(bRun).slice(0, 3)).toEqual(['one ', 'one two ', 'one two three']);
    expect(bRun.find((e) => e.type === 'resume')).toEqual({ type: 'resume', checkpoint: 'one two three' });
  });
});

describe('checkpointEvery after detectDrift: held set after create()', () => {
  it('should not let a checkpoint hold the characters a gated detector holds', async () => {
    const xyz = {
      type: 'xyz',
      confidence: 0.9,
      create: () => {
        let tail = '';
        const c: { held?: number; check(delta: string): boolean } = {
          check(delta) {
            const all = tail + delta;
            tail = all.slice(-3);
            c.held = tail.endsWith('XY') ? 2 : tail.endsWith('X') ? 1 : 0;
            return all.includes('XYZ');
          },
        };
        return c;
      },
    };
    const first = `${'a'.repeat(62)}XY`;
    const out = await lastValueFrom(
      of(start(), tok(first), tok('Z'), tok('b'.repeat(70)))
        .pipe(detectDrift({ action: 'retry', types: [], detectors: [xyz] }), checkpointEvery(1), catchError(() => EMPTY), toArray()),
    );
    expect(out.some((e) => e.type === 'drift')).toBe(true);
    expect(checkpointsOf(out)).toEqual([]);
  });
});

/** Judges a ``` block once it closes: until then everything since its opening is held. */
const fencedBlock: GuardRule = {
  name: 'fenced-block',
  create: () => {
    let open = -1;
    let seen = 0;
    return {
      held: 0,
      check(delta: string) {
        const at = delta.indexOf('```');
        if (at >= 0) open = open < 0 ? seen + at : -1;
        seen += delta.length;
        (this as { held: number }).held = open < 0 ? 0 : seen - open;
        return undefined;
      },
    };
  },
};

describe('checkpointEvery: memory per open stream', () => {
  it('should keep the texts it keeps bounded on a long answer while a rule holds a long code block', () => {
    let checkpoints: { kept: unknown[] } | undefined;
    const capture: MonoTypeOperatorFunction<L0Event> = (source) =>
      new Observable<L0Event>((out) => {
        checkpoints = out as unknown as { kept: unknown[] };
        return source.subscribe(out);
      });
    const source = new Subject<L0Event>();
    source.pipe(guard([fencedBlock]), capture, checkpointEvery(10)).subscribe();
    source.next(start());
    source.next(tok('Here:\n```js\n'));
    for (let i = 0; i < 100_000; i++) source.next(tok(`x${i % 10};`));
    expect(checkpoints!.kept.length).toBeLessThan(1000);
  });
});

describe('checks without a checkpoint downstream', () => {
  it('should say nothing (a checkpoint subscribing downstream makes them tell)', async () => {
    const wide = defineGuardrailRule({ name: 'wide', span: 100, check: () => undefined });
    const told = (withCheckpoints: boolean) => {
      const seen: number[] = [];
      const spy = tap<L0Event>((e) => void (e.type === 'token' && seen.push(uncheckedTail())));
      const chain = of(start(), tok('abc'), tok('def')).pipe(guard([wide]), detectDrift({ action: 'retry' }), spy);
      return lastValueFrom((withCheckpoints ? chain.pipe(checkpointEvery(1)) : chain).pipe(toArray())).then(() => seen);
    };
    expect(await told(false)).toEqual([0, 0]);
    expect(await told(true)).toEqual([3, 6]);
  });
});
