/** @test {detectZeroOutput} */
import { describe, it } from 'vitest';
import { detectZeroOutput, ZeroOutputError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const t = (value: string): L0Event => ({ type: 'token', value });

describe('detectZeroOutput on invisible characters and flags', () => {
  it('should fail an answer made only of invisible format/control characters (zero-width space, NUL)', () => {
    for (const invisible of ['\u200B\u200B', '\u2060', '\u0000']) {
      testScheduler().run(({ cold, expectObservable }) => {
        const values: Record<string, L0Event> = { a: t(invisible), x: { type: 'complete', finishReason: 'stop' } };
        expectObservable(cold('-a-x|', values).pipe(detectZeroOutput())).toBe('-a-#', values, new ZeroOutputError({ content: invisible }));
      });
    }
  });

  it('should accept an emoji or a letter beyond the BMP whose two UTF-16 halves arrive in different tokens (as zeroOutputRule does)', () => {
    for (const [high, low] of [['\uD83D', '\uDC4D'], ['\uD835', '\uDC00']]) { // 👍, 𝐀 (MATHEMATICAL BOLD CAPITAL A)
      testScheduler().run(({ cold, expectObservable }) => {
        const values: Record<string, L0Event> = { a: t(high!), b: t(low!), x: { type: 'complete', finishReason: 'stop' } };
        expectObservable(cold('-a-b-x|', values).pipe(detectZeroOutput())).toBe('-a-b-x|', values);
      });
    }
    // a lone half stays noise
    testScheduler().run(({ cold, expectObservable }) => {
      const values: Record<string, L0Event> = { a: t('\uD83D'), b: t('.'), x: { type: 'complete', finishReason: 'stop' } };
      expectObservable(cold('-a-b-x|', values).pipe(detectZeroOutput())).toBe('-a-b-#', values, new ZeroOutputError({ content: '\uD83D.' }));
    });
  });

  it('should accept an emoji-only answer that is a flag (the README: an emoji is an answer)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values: Record<string, L0Event> = { a: t('🇫🇷'), x: { type: 'complete', finishReason: 'stop' } };
      expectObservable(cold('-a-x|', values).pipe(detectZeroOutput())).toBe('-a-x|', values);
    });
  });
});
