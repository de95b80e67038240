/** @test {accumulate} */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, NEVER, of, throwError, toArray, concat } from 'rxjs';
import { accumulate, checkpointEvery, ProviderError, serializeError, type L0Event, type L0State } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const start = (attempt = 1, fallbackIndex = 0): L0Event => ({
  type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0,
});
const tok = (value: string): L0Event => ({ type: 'token', value });
const network = new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });
const retry = (attempt: number, error: unknown = network): L0Event => ({
  type: 'retry', attempt, delayMs: 0, error: serializeError(error), reason: error === network ? 'network_error' : 'unknown',
  countsTowardAttempts: error !== network,
});
const fold = (events: L0Event[]) => lastValueFrom(of(...events).pipe(accumulate(), toArray()));
const last = async (events: L0Event[]) => (await fold(events)).at(-1) as L0State;

describe('accumulate', () => {
  it('should emit one state per event, appending tokens', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-s-a-b-|', { s: start(), a: tok('Hel'), b: tok('lo') });
      const contents = source.pipe(accumulate());
      expectObservable(contents, '^------').toBe('-x-y-z-|', {
        x: expect.objectContaining({ content: '', attempt: 1, status: 'streaming' }),
        y: expect.objectContaining({ content: 'Hel', tokenCount: 1 }),
        z: expect.objectContaining({ content: 'Hello', tokenCount: 2 }),
      });
    });
  });

  it('should emit nothing for an empty source and never complete for a never source', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(of<L0Event>().pipe(accumulate())).toBe('|');
      expectObservable(NEVER.pipe(accumulate())).toBe('');
    });
  });

  it('should fold a single event', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: tok('x') }).pipe(accumulate())).toBe('a|', {
        a: expect.objectContaining({ content: 'x', tokenCount: 1 }),
      });
    });
  });

  it('should unsubscribe from a never-ending source when the consumer leaves', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<L0Event>('-a-b-c-d-', { a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d') });
      expectObservable(source.pipe(accumulate()), '^---!').toBe('-x-y', {
        x: expect.objectContaining({ content: 'a' }),
        y: expect.objectContaining({ content: 'ab' }),
      });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('should pass an error through by default', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold<L0Event>('-a-#', { a: tok('x') }, network);
      expectObservable(source.pipe(accumulate())).toBe('-y-#', { y: expect.objectContaining({ content: 'x' }) }, network);
    });
  });

  it('should retract the failed attempt on retry and count a network retry', async () => {
    const s = await last([start(), tok('a'), tok('b'), retry(1), start(2), tok('ok'), { type: 'complete', finishReason: 'stop' }]);
    expect(s).toMatchObject({ content: 'ok', tokenCount: 1, attempt: 2, networkRetryCount: 1, modelRetryCount: 0, status: 'complete', finishReason: 'stop' });
  });

  it('should count retries that used the attempts budget (countsTowardAttempts) as model retries', async () => {
    const s = await last([start(), retry(1, new Error('boom')), start(2)]);
    expect(s).toMatchObject({ modelRetryCount: 1, networkRetryCount: 0, status: 'streaming' });
  });

  it('should be retrying between a retry and the next start', async () => {
    const states = await fold([start(), tok('a'), retry(1)]);
    expect(states.at(-1)).toMatchObject({ status: 'retrying', content: '' });
  });

  it('should reset data, progress, reasoning, tool calls and violations on fallback', async () => {
    const s = await last([
      start(), tok('x'), { type: 'reasoning', value: 'hmm' },
      { type: 'data', payload: { contentType: 'image', url: 'a.png' } },
      { type: 'progress', percent: 50 },
      { type: 'tool-call', id: '1', name: 'f', arguments: '{}' },
      { type: 'violation', violation: { ruleId: 'r', message: 'm', severity: 'warning', recoverable: true } },
      { type: 'fallback', fromIndex: 0, toIndex: 1, error: serializeError(network) },
      start(1, 1), { type: 'data', payload: { contentType: 'json', json: { a: 1 } } }, { type: 'progress', percent: 100 },
    ]);
    expect(s).toMatchObject({
      content: '', reasoning: '', toolCalls: [], violations: [], fallbackIndex: 1,
      data: [{ contentType: 'json', json: { a: 1 } }], progress: { percent: 100 },
    });
  });

  it('should set content to exactly the checkpoint on resume', async () => {
    const s = await last([start(), tok('ABCDE'), tok('F'), retry(1), start(2), { type: 'resume', checkpoint: 'ABCDE' }, tok('G')]);
    expect(s).toMatchObject({ content: 'ABCDEG', resumedFrom: 'ABCDE' });
  });

  describe('violations across a resume', () => {
    const warn = (ruleId: string, position?: number) =>
      ({ ruleId, message: 'm', severity: 'warning', recoverable: true, ...(position === undefined ? {} : { position }) }) as const;
    const flag = (ruleId: string, position?: number): L0Event => ({ type: 'violation', violation: warn(ruleId, position) });
    const resume = (checkpoint: string): L0Event => ({ type: 'resume', checkpoint });

    it('should bring back the retracted attempt\'s violations inside the checkpoint, and show none while retrying', async () => {
      const states = await fold([start(), tok('abcdef'), flag('a', 1), flag('b', 3), flag('c'), flag('d', 5), retry(1), start(2), resume('abc'), tok('X')]);
      expect(states.slice(6, 8).map((s) => s.violations)).toEqual([[], []]);
      expect(states.at(-1)).toMatchObject({ content: 'abcX', violations: [warn('a', 1)] });
    });

    it('should bring them back after a fallback, and after a relayed retry that resumes without a start', async () => {
      const fallback: L0Event = { type: 'fallback', fromIndex: 0, toIndex: 1, error: serializeError(network) };
      expect((await last([start(), tok('abcd'), flag('a', 0), fallback, start(1, 1), resume('ab')])).violations).toEqual([warn('a', 0)]);
      expect((await last([start(), tok('abcd'), flag('a', 0), flag('b', 2), retry(1), resume('ab')])).violations).toEqual([warn('a', 0)]);
    });

    it('should carry them through a chain of resumes, and forget them once an attempt starts over', async () => {
      const chained = await last([start(), tok('abcd'), flag('a', 1), retry(1), start(2), resume('abc'), tok('de'), flag('b', 3), retry(2), start(3), resume('abcd')]);
      expect(chained.violations).toEqual([warn('a', 1), warn('b', 3)]);
      const over = await last([start(), tok('abcd'), flag('a', 1), retry(1), start(2), tok('wxyz'), retry(2), start(3), resume('wxy')]);
      expect(over).toMatchObject({ content: 'wxy', violations: [] });
    });

    it('should not repeat a kept violation the resumed attempt reports again, and add any other', async () => {
      const s = await last([start(), tok('abcd'), flag('a', 1), retry(1), start(2), resume('abc'), flag('a', 1), flag('b', 1), flag('a', 3)]);
      expect(s.violations).toEqual([warn('a', 1), warn('b', 1), warn('a', 3)]);
    });

    it.each([NaN, Infinity, -1, null, '1', true])('should place a violation whose position is %s nowhere, live and from its JSON log alike', async (position) => {
      const run = [start(), tok('abcd'), flag('a', 0), { type: 'violation', violation: { ...warn('b'), position } } as unknown as L0Event, retry(1), start(2), resume('abc')];
      const replayed = JSON.parse(JSON.stringify(run)) as L0Event[]; // NaN and Infinity become null
      expect((await last(run)).violations).toEqual([warn('a', 0)]);
      expect((await last(replayed)).violations).toEqual([warn('a', 0)]);
    });
  });

  it('should carry the text and token count of the tokens before it into every other event\'s state', async () => {
    const violation = { ruleId: 'r', severity: 'warning', message: 'm', recoverable: true } as const;
    const states = await fold([
      start(), tok('a'), tok('b'),
      { type: 'checkpoint', content: 'ab', tokenCount: 2 }, { type: 'violation', violation }, { type: 'drift', types: ['tone_shift'], confidence: 0.7 },
      tok('c'), { type: 'resume', checkpoint: 'ab' }, tok('d'), retry(2), start(2),
    ]);
    expect(states.map((s) => [s.content, s.tokenCount])).toEqual([
      ['', 0], ['a', 1], ['ab', 2], ['ab', 2], ['ab', 2], ['ab', 2], ['abc', 3], ['ab', 0], ['abd', 1], ['', 0], ['', 0],
    ]);
    expect(states[4]!.violations).toEqual([violation]);
    expect(states[9]!.status).toBe('retrying');
  });

  it('should keep usage and a truthful finish reason', async () => {
    const usage = { inputTokens: 3, outputTokens: 2 };
    const s = await last([start(), tok('a'), { type: 'complete', finishReason: 'length', usage }]);
    expect(s).toMatchObject({ finishReason: 'length', usage, status: 'complete' });
  });

  describe('with errorsAsState', () => {
    it('should fold an error into a last state and complete', async () => {
      const source = concat(of(start(), tok('part')), throwError(() => network));
      const states = await lastValueFrom(source.pipe(accumulate({ errorsAsState: true }), toArray()));
      expect(states.at(-1)).toMatchObject({ status: 'error', content: 'part', error: { name: 'ProviderError', code: 'NETWORK_ERROR' } });
    });

    it('should keep state per subscription', async () => {
      const failing = concat(of(tok('a')), throwError(() => network)).pipe(accumulate({ errorsAsState: true }));
      const first = await lastValueFrom(failing);
      const second = await lastValueFrom(throwError(() => network).pipe(accumulate({ errorsAsState: true })));
      expect(first.content).toBe('a');
      expect(second.content).toBe('');
    });
  });

  it('should build no text of its own behind a checkpoint tracker: one string per token between them', async () => {
    const built = () => (globalThis as unknown as Record<symbol, { nextId: number } | undefined>)[Symbol.for('l0-rx.attemptText.lastChange.v3')]?.nextId ?? 1;
    const events = [start(), ...Array.from({ length: 50 }, (_, i) => tok(`w${i} `)), { type: 'complete', finishReason: 'stop' } as L0Event];
    const before = built();
    const states = await lastValueFrom(of(...events).pipe(checkpointEvery(10), accumulate(), toArray()));
    expect(built() - before).toBe(50);
    expect(states.at(-1)!.content).toBe(Array.from({ length: 50 }, (_, i) => `w${i} `).join(''));
  });
});
