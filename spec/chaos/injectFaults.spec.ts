/** @test {injectFaults} */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromStream, injectFaults, l0, ProviderError, type InjectedFault, type L0Event, type RetryEvent, type StreamContext } from 'l0-rx';
import { createTestScheduler, fakeModel } from 'l0-rx/testing';
import { runScenario, tokenText } from '../helpers/runScenario.js';
import { unhandledDuring } from '../helpers/unhandled.js';

const CLEAN = { clean: true };
const START = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as const;
const tok = (value: string) => ({ type: 'token', value }) as const;
const stop = { type: 'complete', finishReason: 'stop' } as const;
const ctx = (extra: Partial<StreamContext> = {}) => ({ attempt: 1, fallbackIndex: 0, signal: new AbortController().signal, ...extra }) as StreamContext;
const retries = (events: readonly L0Event[]) => events.filter((e): e is RetryEvent => e.type === 'retry');

afterEach(() => vi.restoreAllMocks());

describe('injectFaults: each fault through l0() on virtual time (the model plays "abcd|")', () => {
  // [fault *1, real calls, the first retry's error code and delay (undefined: no retry), what the consumer reads, the last event]
  it.each<[string, number, string | undefined, number | undefined, string, L0Event['type'] | string]>([
    ['rate-limit:2', 1, 'RATE_LIMITED', 2000, 'abcd', 'stop'],
    ['rate-limit-ms:1500', 1, 'RATE_LIMITED', 1500, 'abcd', 'stop'],
    ['rate-limit-date:3', 1, 'RATE_LIMITED', 3000, 'abcd', 'stop'],
    ['rate-limit-none', 1, 'RATE_LIMITED', undefined, 'abcd', 'stop'],
    ['server-error', 1, 'SERVER_ERROR', undefined, 'abcd', 'stop'],
    ['unavailable', 1, 'SERVER_ERROR', undefined, 'abcd', 'stop'],
    ['overloaded-529', 1, 'SERVER_ERROR', undefined, 'abcd', 'stop'],
    ['reset-before-headers', 1, 'NETWORK_ERROR', undefined, 'abcd', 'stop'],
    ['flapping', 1, 'SERVER_ERROR', undefined, 'abcd', 'stop'],
    ['no-response', 1, 'INITIAL_TOKEN_TIMEOUT', undefined, 'abcd', 'stop'],
    ['cut-after-n:2', 2, 'INCOMPLETE_STREAM', undefined, 'ababcd', 'stop'],
    ['stall', 2, 'INTER_TOKEN_TIMEOUT', undefined, 'ababcd', 'stop'],
    ['malformed-chunk:1', 2, 'MALFORMED_CHUNK', undefined, 'aabcd', 'stop'],
    ['no-done', 2, 'INCOMPLETE_STREAM', undefined, 'abcdabcd', 'stop'],
    ['error-in-200:3', 2, 'SERVER_ERROR', undefined, 'abcabcd', 'stop'],
    ['empty-completion', 1, 'ZERO_OUTPUT', undefined, 'abcd', 'stop'],
    ['cut-tool-call', 1, 'INCOMPLETE_STREAM', undefined, 'abcd', 'stop'],
    ['content-filter:1', 1, undefined, undefined, 'a', 'content-filter'],
    ['refusal', 0, undefined, undefined, "I'm sorry, but I cannot help with that.", 'stop'],
    ['truncated-json', 0, undefined, undefined, '{"name": "Ada Lovelace", "born": 1815, "languages": ["en", "', 'stop'],
    ['repetition-loop:1', 0, undefined, undefined, 'I will keep saying the same thing. ', 'length'],
    ['tool-call-fragments', 0, undefined, undefined, '', 'tool-calls'],
    ['slow-first-token:300', 1, undefined, undefined, 'abcd', 'stop'],
  ])('should play %s then recover', (fault, calls, code, delayMs, text, finish) => {
    const model = fakeModel('abcd|');
    const run = runScenario((scheduler) => l0({ stream: injectFaults(model, { faults: [`${fault}*1`], scheduler }), retry: { backoff: 'fixed', baseDelay: 10 } }));
    expect(run.error).toBeUndefined();
    expect(model.callCount).toBe(calls);
    const first = retries(run.events)[0];
    expect(first?.error?.code).toBe(code);
    if (delayMs !== undefined) expect(first?.delayMs).toBe(delayMs);
    expect(tokenText(run.events)).toBe(text);
    expect(run.events.at(-1)).toMatchObject({ type: 'complete', finishReason: finish });
  });

  it('should emit tool-call-fragments\' call whole, then complete tool-calls', () => {
    const run = runScenario(() => l0({ stream: injectFaults(fakeModel('x|'), { faults: ['tool-call-fragments:5'] }) }));
    expect(run.events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'call_fault_1', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius", "days": 3}' },
    ]);
  });

  it.each([['auth-401', 'AUTH_ERROR'], ['quota-429', 'RATE_LIMITED'], ['context-length-400', 'CONTEXT_LENGTH_EXCEEDED']])(
    'should fail at once with %s (not retryable), never calling the model', (fault, code) => {
      const model = fakeModel('abcd|');
      const run = runScenario(() => l0({ stream: injectFaults(model, { faults: [fault] }) }));
      expect(run.error).toMatchObject({ code, retryable: false });
      expect(run.errorFrame).toBe(0);
      expect(model.callCount).toBe(0);
    },
  );

  it('should stay silent after stall\'s tokens and abort the real call (marbles)', () => {
    const model = fakeModel('(abc)-|');
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(fromStream(injectFaults(model, { faults: ['stall:2'] })), '-------!').toBe('(sab)', { s: START, a: tok('a'), b: tok('b') });
    });
    expect(model.calls[0]!.aborted).toBe(true);
  });

  it('should hold slow-first-token\'s first token back on the scheduler (marbles)', () => {
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(fromStream(injectFaults(fakeModel('ab|'), { faults: ['slow-first-token:5'] }))).toBe('s----(abc|)', { s: START, a: tok('a'), b: tok('b'), c: stop });
    });
  });

  // the real stream's failure overtook the held first event: its tokens were lost and the error came before the delay
  it('should hold back everything after slow-first-token\'s first event, the real stream\'s failure included', () => {
    const run = runScenario((scheduler) => fromStream(injectFaults(fakeModel('ab-#'), { faults: ['slow-first-token:5'], scheduler })));
    expect(run.timeline).toEqual([[0, START], [5, tok('a')], [5, tok('b')]]);
    expect(run.errorFrame).toBe(5);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  // a real call failing before any event has no token to slow down, yet its error was held too: an initial-token
  // timeout replaced a fatal 401 with retries
  it('should let a real failure before slow-first-token\'s first event through at once', () => {
    const run = runScenario((scheduler) => fromStream(injectFaults(fakeModel('--#'), { faults: ['slow-first-token:5'], scheduler })));
    expect(run.timeline).toEqual([[0, START]]);
    expect(run.errorFrame).toBe(2);
    const model = fakeModel([{ items: [{ error: { status: 401 } }] }]);
    const l0Run = runScenario((scheduler) => l0({ stream: injectFaults(model, { faults: ['slow-first-token:6000'], scheduler }), timeout: { initialToken: 1000 } }));
    expect(l0Run.error).toMatchObject({ code: 'AUTH_ERROR' });
    expect([l0Run.errorFrame, model.callCount]).toEqual([0, 1]);
  });

  it('should wait slow-first-token\'s whole argument, past the fault server\'s 10 s cap (failoverbench S07: 20 s)', () => {
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(fromStream(injectFaults(fakeModel('ab|'), { faults: ['slow-first-token:20000'] }))).toBe('s 19999ms (abc|)', { s: START, a: tok('a'), b: tok('b'), c: stop });
    });
  });

  it('should fail cut-after-n with the adapters\' INCOMPLETE_STREAM error after n tokens (marbles)', () => {
    createTestScheduler().run(({ expectObservable }) => {
      const cut = new ProviderError('injectFaults cut-after-n: the stream was cut before it finished', { code: 'INCOMPLETE_STREAM', category: 'network', retryable: true, reason: 'incomplete_stream' });
      expectObservable(fromStream(injectFaults(fakeModel('abc|'), { faults: ['cut-after-n:1'] }))).toBe('(sa#)', { s: START, a: tok('a') }, cut);
    });
  });
});

describe('injectFaults: rate, seed, *k and enabled', () => {
  const drawn = (options: Parameters<typeof injectFaults>[1], n = 40) => {
    const seen: (string | undefined)[] = [];
    const factory = injectFaults(() => CLEAN, { ...options, onFault: (f) => void seen.push(f.fault) });
    for (let i = 0; i < n; i++) {
      const before = seen.length;
      try {
        factory(ctx());
      } catch {
        // an HTTP fault throws
      }
      if (seen.length === before) seen.push(undefined);
    }
    return seen;
  };
  const FAULTS = ['rate-limit', 'unavailable', 'auth-401'];

  it('should draw the same faults from the same seed, others from another seed', () => {
    const a = drawn({ faults: FAULTS, rate: 0.5, seed: 7 });
    expect(drawn({ faults: FAULTS, rate: 0.5, seed: 7 })).toEqual(a);
    expect(drawn({ faults: FAULTS, rate: 0.5, seed: 8 })).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([...FAULTS, undefined]));
  });

  it('should keep its draws, *k counts and call numbers across runs: a second run continues them, a new wrapper of the same seed replays them', () => {
    const run = (factory: ReturnType<typeof injectFaults>) => runScenario(() => l0({ stream: factory, retry: { backoff: 'fixed', baseDelay: 10 } })).events.filter((e) => e.type === 'retry').map((e) => e.error.code);
    const options = { faults: ['rate-limit-none*2', 'unavailable*1', 'cut-after-n:1*1'], seed: 5 };
    const wrapped = injectFaults(fakeModel('ab|'), options);
    const first = run(wrapped);
    expect(first).toHaveLength(4);
    expect(run(wrapped)).toEqual([]); // every *k used up by the first run
    expect(run(injectFaults(fakeModel('ab|'), options))).toEqual(first);
  });

  it('should draw from random, checking each value', () => {
    const values = [0.1, 0.99, 0.6, 0.3, 0.2];
    let i = 0;
    // call 1: 0.1 < rate, then 0.99 picks the third fault; call 2: 0.6 >= rate, clean; call 3: 0.3, then 0.2 picks the first
    expect(drawn({ faults: FAULTS, rate: 0.5, random: () => values[i++]! }, 3)).toEqual(['auth-401', undefined, 'rate-limit']);
    expect(() => injectFaults(() => CLEAN, { faults: FAULTS, random: () => 1 })(ctx())).toThrow('injectFaults({random}) must return a number in [0, 1), got 1');
    expect(() => injectFaults(() => CLEAN, { faults: FAULTS, random: () => { throw new RangeError('rng down'); } })(ctx())).toThrow('rng down');
  });

  it('should fail the call with the error of a throwing enabled', () => {
    const factory = injectFaults(() => CLEAN, { faults: ['stall'], enabled: () => { throw new RangeError('switch down'); } });
    expect(() => factory(ctx())).toThrow('switch down');
  });

  it('should never fault with rate 0 nor when disabled, returning the factory\'s own value', () => {
    const value = { own: true };
    for (const options of [{ rate: 0 }, { enabled: false }, { enabled: () => false }]) {
      const factory = injectFaults(() => value, { faults: ['rate-limit'], seed: 1, ...options });
      expect(factory(ctx())).toBe(value);
    }
  });

  it('should ask enabled on every call', () => {
    let on = false;
    expect(drawn({ faults: ['rate-limit'], enabled: () => (on = !on) }, 4)).toEqual(['rate-limit', undefined, 'rate-limit', undefined]);
  });

  it('should use each *k fault at most k times, then run clean', () => {
    const seen = drawn({ faults: ['rate-limit*2', 'unavailable*1'], seed: 3 }, 10);
    expect(seen.filter((f) => f === 'rate-limit')).toHaveLength(2);
    expect(seen.filter((f) => f === 'unavailable')).toHaveLength(1);
    expect(seen.slice(3)).toEqual(Array(7).fill(undefined));
  });

  it('should tell onFault the fault, its argument, the call number and the attempt', () => {
    const infos: InjectedFault[] = [];
    const factory = injectFaults(() => CLEAN, { faults: ['cut-after-n:4'], onFault: (i) => void infos.push(i) });
    factory(ctx({ attempt: 3, fallbackIndex: 1 }));
    expect(infos).toEqual([{ fault: 'cut-after-n', arg: '4', call: 1, attempt: 3, fallbackIndex: 1 }]);
  });
});

describe('injectFaults: flapping and rejects-prefill', () => {
  it('should give flapping\'s odd calls a 503 and run its even calls clean', () => {
    const factory = injectFaults(() => CLEAN, { faults: ['flapping'] });
    expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
    expect(factory(ctx())).toBe(CLEAN);
    expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
  });

  it('should reject a call resuming from a checkpoint with a 400 and run a fresh call clean', () => {
    const factory = injectFaults(() => CLEAN, { faults: ['rejects-prefill'] });
    expect(factory(ctx())).toBe(CLEAN);
    const events: L0Event[] = [];
    let error: unknown;
    fromStream(() => factory(ctx({ checkpoint: 'Hel' }))).subscribe({ next: (e) => events.push(e), error: (e: unknown) => (error = e) });
    expect(error).toMatchObject({ code: 'BAD_REQUEST', category: 'bad-request', retryable: false });
  });

  it('should use rejects-prefill*k only on the calls it rejects (the fresh first attempt does not use it up)', () => {
    const factory = injectFaults(() => CLEAN, { faults: ['rejects-prefill*1'] });
    expect(factory(ctx())).toBe(CLEAN);
    expect(() => factory(ctx({ checkpoint: 'Hel' }))).toThrow(expect.objectContaining({ status: 400 }));
    expect(factory(ctx({ checkpoint: 'Hel' }))).toBe(CLEAN);
  });
});

describe('injectFaults: the rxjs checklist', () => {
  it('should warn once about a throwing onFault and inject the fault anyway', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const factory = injectFaults(() => CLEAN, { faults: ['unavailable'], onFault: () => { throw new Error('hook bug'); } });
    expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
    expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe('l0-rx injectFaults: the `onFault` callback threw or rejected; the fault is injected anyway.');
  });

  it('should warn once about an onFault that rejects, as about one that throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const factory = injectFaults(() => CLEAN, { faults: ['unavailable'], onFault: () => Promise.reject(new Error('async hook bug')) as never });
    expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
    expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
    await Promise.resolve();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toMatchObject({ message: 'async hook bug' });
    expect(warn.mock.calls[0]![0]).toContain('`onFault` callback threw or rejected'); // it said "threw" of a promise that rejected
  });

  // some test set-ups make console.warn throw: the call failed with that throw instead of the 503
  it('should inject the fault when console.warn throws, for a throwing and a rejecting onFault alike', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => { throw new Error('warnings fail this test'); });
    const unhandled = await unhandledDuring(() => {
      for (const onFault of [() => { throw new Error('hook bug'); }, () => Promise.reject(new Error('async hook bug')) as never]) {
        const factory = injectFaults(() => CLEAN, { faults: ['unavailable'], onFault });
        expect(() => factory(ctx())).toThrow(expect.objectContaining({ status: 503 }));
      }
    });
    expect(unhandled).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('should pass a throwing factory\'s error through, on a clean call and on a mid-stream fault', () => {
    const boom = () => { throw new RangeError('factory bug'); };
    for (const faults of [['rate-limit*1'], ['cut-after-n']]) {
      const factory = injectFaults(boom, { faults, rate: faults[0] === 'rate-limit*1' ? 0 : 1 });
      let error: unknown;
      fromStream(factory).subscribe({ error: (e: unknown) => (error = e) });
      expect(error).toMatchObject({ code: 'UNKNOWN_ERROR', cause: expect.objectContaining({ message: 'factory bug' }) });
    }
  });

  it('should abort the real call when the consumer leaves during a mid-stream fault', () => {
    const model = fakeModel('a----b|');
    runScenario(() => fromStream(injectFaults(model, { faults: ['no-done'] })), { unsubscribeAt: 2 });
    expect(model.calls[0]!.aborted).toBe(true);
  });

  it.each<[unknown, string]>([
    [{ faults: ['rate-limit'], rat: 1 }, 'injectFaults(factory, options): unknown option `rat` (did you mean `rate`?)'],
    [{ faults: [] }, 'injectFaults(factory, {faults}) must be a non-empty array of fault names, got an array'],
    // eslint-disable-next-line no-sparse-arrays
    [{ faults: [, 'stall'] }, 'injectFaults(factory, {faults}) must be a non-empty array of fault names, got an array'],
    [{ faults: ['stal'] }, 'unknown fault "stal" in "stal" (did you mean "stall"?'],
    // the server's model name copied whole was an unknown fault "fault"
    [{ faults: ['fault:rate-limit:2'] }, 'fault "fault:rate-limit:2": injectFaults takes the fault without its fault: prefix (did you mean "rate-limit:2"?)'],
    // a bad fault behind the prefix: its hint was the bad fault ("did you mean "stal"?", "did you mean ""?")
    [{ faults: ['fault:stal'] }, 'unknown fault "stal" in "fault:stal" (did you mean "stall"?'],
    [{ faults: ['fault:'] }, 'unknown fault "" in "fault:" (known faults: '],
    [{ faults: ['cut-after-n:x'] }, 'fault "cut-after-n:x": cut-after-n takes a whole number >= 0, got "x"'],
    [{ faults: ['stall*0'] }, 'fault "stall*0": *<k> must be a whole number >= 1, got "*0"'],
    [{ faults: ['stall'], rate: 1.5 }, 'injectFaults(factory, {rate}) must be a number in [0, 1], got 1.5'],
    [{ faults: ['stall'], seed: 0.5 }, 'injectFaults(factory, {seed}) must be a safe integer, got 0.5'],
    [{ faults: ['stall'], seed: 1, random: Math.random }, 'injectFaults(factory, {random}) must be a function, and not given with seed'],
    [{ faults: ['stall'], scheduler: {} }, 'injectFaults(factory, {scheduler}) must be a SchedulerLike, got an object'],
    [{ faults: ['stall'], enabled: 'yes' }, 'injectFaults(factory, {enabled}) must be a boolean or a function, got "yes"'],
    [{ faults: ['stall'], onFault: 1 }, 'injectFaults(factory, {onFault}) must be a function, got 1'],
    [{ faults: ['stall'], adapters: [{}] }, 'injectFaults(factory, {adapters}) must be an array of StreamAdapter objects'],
    [undefined, 'injectFaults(factory, options) must be an object, got undefined'],
  ])('should refuse bad options %#', (options, message) => {
    expect(() => injectFaults(() => CLEAN, options as never)).toThrow(message);
  });

  it('should refuse a factory that is not a function', () => {
    expect(() => injectFaults('x' as never, { faults: ['stall'] })).toThrow('injectFaults(factory) must be a function, got "x"');
  });
});
