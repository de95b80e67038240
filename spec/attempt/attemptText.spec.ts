/** @test {AttemptText} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttemptText, attemptTextChange, L0_EVENT_TYPES, type AttemptTextChange, type L0Event, type L0EventType } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

const error = { name: 'ProviderError', message: 'reset', code: 'NETWORK_ERROR' };

/** One example of every event type. */
const EXAMPLES: Record<L0EventType, L0Event> = {
  token: { type: 'token', value: 'x' },
  reasoning: { type: 'reasoning', value: 'hmm' },
  'tool-call': { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' },
  data: { type: 'data', payload: { contentType: 'json', json: {} } },
  progress: { type: 'progress', percent: 50 },
  partial: { type: 'partial', value: { a: 1 } },
  result: { type: 'result', data: { a: 1 }, corrected: false, corrections: [], truncated: false, raw: '{"a":1}' },
  complete: { type: 'complete', finishReason: 'stop' },
  start: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  retry: { type: 'retry', attempt: 1, delayMs: 0, error, reason: 'network_error', countsTowardAttempts: false },
  fallback: { type: 'fallback', fromIndex: 0, toIndex: 1, error },
  resume: { type: 'resume', checkpoint: 'ab' },
  checkpoint: { type: 'checkpoint', content: 'ab', tokenCount: 2 },
  violation: { type: 'violation', violation: { ruleId: 'r', message: 'm', severity: 'warning', recoverable: true } },
  drift: { type: 'drift', types: ['tone'], confidence: 0.9 },
  breaker: { type: 'breaker', key: 'gpt-4o', from: 'closed', to: 'open' },
};

const RULES: Record<L0EventType, AttemptTextChange> = {
  token: 'token',
  start: 'reset',
  retry: 'reset',
  fallback: 'reset',
  resume: 'resume',
  reasoning: undefined,
  'tool-call': undefined,
  data: undefined,
  progress: undefined,
  partial: undefined,
  result: undefined,
  complete: undefined,
  checkpoint: undefined,
  violation: undefined,
  drift: undefined,
  breaker: undefined,
};

const tok = (value: string): L0Event => ({ type: 'token', value });
const feed = (text: AttemptText, events: readonly L0Event[]) => events.map((e) => text.observe(e));
const snapshot = ({ text, length, tokenCount, resumedFrom }: AttemptText) => ({ text, length, tokenCount, resumedFrom });

describe('attemptTextChange', () => {
  it('should have a rule for every event type, and examples for all of them', () => {
    expect(Object.keys(RULES).sort()).toEqual([...L0_EVENT_TYPES].sort());
    expect(Object.keys(EXAMPLES).sort()).toEqual([...L0_EVENT_TYPES].sort());
  });

  it.each(L0_EVENT_TYPES.map((t) => [t, RULES[t]] as const))('should map a %s event to %s', (type, change) => {
    expect(attemptTextChange(EXAMPLES[type])).toBe(change);
  });
});

describe('AttemptText', () => {
  it('should start empty', () => {
    expect(snapshot(new AttemptText())).toEqual({ text: '', length: 0, tokenCount: 0, resumedFrom: undefined });
  });

  it('should append tokens and count them', () => {
    const text = new AttemptText();
    feed(text, [EXAMPLES.start, tok('Hel'), tok('lo')]);
    expect(snapshot(text)).toEqual({ text: 'Hello', length: 5, tokenCount: 2, resumedFrom: undefined });
  });

  it('should return what each event changed', () => {
    const text = new AttemptText();
    expect(feed(text, [EXAMPLES.start, tok('a'), EXAMPLES.checkpoint, EXAMPLES.retry, EXAMPLES.resume])).toEqual([
      'reset', 'token', undefined, 'reset', 'resume',
    ]);
  });

  it.each(['start', 'retry', 'fallback'] as const)('should reset the attempt on %s', (type) => {
    const text = new AttemptText();
    feed(text, [EXAMPLES.resume, tok('c'), EXAMPLES[type]]);
    expect(snapshot(text)).toEqual({ text: '', length: 0, tokenCount: 0, resumedFrom: undefined });
  });

  it('should set the text to exactly the checkpoint on resume, counting no token, and remember it', () => {
    const text = new AttemptText();
    feed(text, [EXAMPLES.start, tok('x'), tok('y'), tok('z'), EXAMPLES.retry, EXAMPLES.start, { type: 'resume', checkpoint: 'xy' }]);
    expect(snapshot(text)).toEqual({ text: 'xy', length: 2, tokenCount: 0, resumedFrom: 'xy' });
  });

  it('should append the resumed attempt\'s tokens to the checkpoint', () => {
    const text = new AttemptText();
    feed(text, [EXAMPLES.start, { type: 'resume', checkpoint: 'xy' }, tok('z')]);
    expect(snapshot(text)).toEqual({ text: 'xyz', length: 3, tokenCount: 1, resumedFrom: 'xy' });
  });

  it.each(L0_EVENT_TYPES.filter((t) => RULES[t] === undefined))('should leave the text alone on %s', (type) => {
    const text = new AttemptText();
    feed(text, [EXAMPLES.start, { type: 'resume', checkpoint: 'ab' }, tok('c')]);
    const before = snapshot(text);
    expect(text.observe(EXAMPLES[type])).toBeUndefined();
    expect(snapshot(text)).toEqual(before);
  });

  it('should go back to an empty attempt on reset()', () => {
    const text = new AttemptText();
    feed(text, [{ type: 'resume', checkpoint: 'ab' }, tok('c')]);
    text.reset();
    expect(snapshot(text)).toEqual({ text: '', length: 0, tokenCount: 0, resumedFrom: undefined });
  });

  it('should count length in UTF-16 code units', () => {
    const text = new AttemptText();
    feed(text, [tok('é'), tok('😀')]);
    expect(snapshot(text)).toMatchObject({ text: 'é😀', length: 3, tokenCount: 2 });
  });

  it('should keep per-instance state: two trackers fed different events do not share text', () => {
    const a = new AttemptText();
    const b = new AttemptText();
    a.observe(tok('a'));
    b.observe(tok('b'));
    expect([a.text, b.text]).toEqual(['a', 'b']);
  });

  describe('with keepText: false', () => {
    it('should hold no text but track length and tokenCount', () => {
      const text = new AttemptText({ keepText: false });
      feed(text, [EXAMPLES.start, tok('Hel'), tok('lo')]);
      expect(snapshot(text)).toEqual({ text: '', length: 5, tokenCount: 2, resumedFrom: undefined });
    });

    it('should take the checkpoint\'s length on resume and still remember the checkpoint', () => {
      const text = new AttemptText({ keepText: false });
      feed(text, [tok('abc'), EXAMPLES.retry, { type: 'resume', checkpoint: 'ab' }, tok('c')]);
      expect(snapshot(text)).toEqual({ text: '', length: 3, tokenCount: 1, resumedFrom: 'ab' });
    });

    it('should reset length and tokenCount like the full tracker', () => {
      const text = new AttemptText({ keepText: false });
      feed(text, [tok('abc'), EXAMPLES.fallback]);
      expect(snapshot(text)).toEqual({ text: '', length: 0, tokenCount: 0, resumedFrom: undefined });
    });
  });

  it('should follow 100k tokens to the exact text and length (an append per token, no rescan)', () => {
    const text = new AttemptText();
    const event = tok('word ');
    text.observe(EXAMPLES.start);
    for (let i = 0; i < 100_000; i++) text.observe(event);
    expect(text.length).toBe(500_000);
    expect(text.text.length).toBe(500_000);
    expect(text.tokenCount).toBe(100_000);
    expect(text.text.endsWith('word word ')).toBe(true);
  });

  it('should follow 100k tokens with keepText: false holding no text', () => {
    const text = new AttemptText({ keepText: false });
    const event = tok('word ');
    for (let i = 0; i < 100_000; i++) text.observe(event);
    expect(snapshot(text)).toEqual({ text: '', length: 500_000, tokenCount: 100_000, resumedFrom: undefined });
  });

  describe('one string for instances that see the same events', () => {
    /** How many strings AttemptTexts have built so far (the shared counter behind the reuse). */
    const built = () => (globalThis as unknown as Record<symbol, { nextId: number } | undefined>)[Symbol.for('l0-rx.attemptText.lastChange.v3')]?.nextId ?? 1;

    it('should build one string per token for three instances down one chain', () => {
      const texts = [new AttemptText(), new AttemptText(), new AttemptText()];
      const before = built();
      for (let i = 0; i < 100; i++) {
        const e = tok(`t${i} `);
        for (const t of texts) t.observe(e);
      }
      expect(built() - before).toBe(100);
      expect(texts.map((t) => t.text)).toEqual(Array(3).fill(Array.from({ length: 100 }, (_, i) => `t${i} `).join('')));
    });

    it('should follow the rule exactly for any interleaving of instances, shared and repeated events, resets and resumes', () => {
      const pool = [tok('a'), tok('bc'), tok('a'), tok('0123456789'.repeat(4)), tok('long token that settles '.repeat(3)), EXAMPLES.start, EXAMPLES.retry, { type: 'resume', checkpoint: 'xy' } as L0Event, { type: 'resume', checkpoint: 'xy' } as L0Event, EXAMPLES.complete];
      /** The rule, folded by hand. */
      const fold = (events: readonly L0Event[]) =>
        events.reduce((text, e) => (e.type === 'token' ? text + e.value : attemptTextChange(e) === 'reset' ? '' : e.type === 'resume' ? e.checkpoint : text), '');
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(pool.length - 1)), { maxLength: 80 }), (steps) => {
          const texts = [new AttemptText(), new AttemptText(), new AttemptText(), new AttemptText()];
          const seen: L0Event[][] = texts.map(() => []);
          for (const [who, which] of steps) {
            texts[who]!.observe(pool[which]!);
            seen[who]!.push(pool[which]!);
            expect(texts[who]!.text).toBe(fold(seen[who]!));
          }
        }),
        { numRuns: runs(2000) },
      );
    });

    it('should not let a text assigned from outside be mistaken for a shared one', () => {
      const text = new AttemptText();
      expect(() => ((text as { text: string }).text = 'forged')).toThrow(TypeError);
    });
  });
});
