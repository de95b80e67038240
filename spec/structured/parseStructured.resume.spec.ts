/** @test {parseStructured} */
import { describe, it } from 'vitest';
import { z } from 'zod';
import { parseStructured, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const schema = z.object({ name: z.string(), n: z.number() });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const tok = (value: string): L0Event => ({ type: 'token', value });

describe('parseStructured after a resume', () => {
  it('should show the checkpoint\'s value right after the resume event, not at the next token', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const resume: L0Event = { type: 'resume', checkpoint: '{"name": "C",' };
      const source = cold('s-r-----a-----x-----|', { s: start, r: resume, a: tok(' "n": 3}'), x: done });
      expectObservable(source.pipe(parseStructured({ schema }))).toBe('s-(rp)--(aq)--(Rx)--|', {
        s: start,
        r: resume,
        p: { type: 'partial', value: { name: 'C' } },
        a: tok(' "n": 3}'),
        q: { type: 'partial', value: { name: 'C', n: 3 } },
        R: { type: 'result', data: { name: 'C', n: 3 }, corrected: false, corrections: [], truncated: false, raw: '{"name": "C", "n": 3}' },
        x: done,
      });
    });
  });

  it('should show nothing at a resume whose checkpoint holds no value yet', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const resume: L0Event = { type: 'resume', checkpoint: 'Here is the JSON: ' };
      const source = cold('s-r-----a-----|', { s: start, r: resume, a: tok('{"name": ') });
      expectObservable(source.pipe(parseStructured({ schema }))).toBe('s-r-----(ap)--|', {
        s: start,
        r: resume,
        a: tok('{"name": '),
        p: { type: 'partial', value: {} },
      });
    });
  });
});
