/** @test {detectZeroOutput} */
import { concat, from, Observable, of, throwError, type Observer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { detectZeroOutput, isZeroOutputError, retryWithBackoff, ZeroOutputError, type FinishReason, type L0Event } from 'l0-rx';
import { attemptSource } from '../helpers/attemptSource.js';
import { testScheduler } from '../helpers/testScheduler.js';
import { expectLinearTime } from '../helpers/linearTime.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const done = (finishReason: FinishReason = 'stop'): L0Event => ({ type: 'complete', finishReason });
const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: tok('a'),
  b: tok('b'),
  w: tok('  '),
  d: tok('.'),
  C: done(),
};
const zero = (content: string) => new ZeroOutputError({ content });

/** Runs the events synchronously through the operator; returns what came out. */
function run(events: readonly L0Event[], config?: Parameters<typeof detectZeroOutput>[0]) {
  const out: L0Event[] = [];
  let error: unknown;
  let completed = false;
  from(events).pipe(detectZeroOutput(config)).subscribe({
    next: (e) => out.push(e),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  return { out, error, completed };
}
const text = (...chunks: string[]) => [...chunks.map(tok), done()];

describe('detectZeroOutput', () => {
  describe('classification at completion (Z1)', () => {
    it.each([[''], ['   \n\t'], ['...'], ['!!!'], ['###'], ['---'], ['@@@@'], ['. . .'], ['{'], ['{}{}'], ['[}'],
      ['```\n```'], ['``'], ['```\n{}{}\n```'], ['```\n...\n```']])(
      'should treat %j as zero output',
      (content) => {
        const { error, out } = run(content === '' ? [done()] : text(content));
        expect(isZeroOutputError(error)).toBe(true);
        expect(isZeroOutputError(error) && error.info.content).toBe(content);
        expect(out.some((e) => e.type === 'complete')).toBe(false);
      },
    );

    it.each([['4'], ['No'], ['OK.'], ['Hi!'], ['abc'], ['  x  '], ['11'], ['aab'], ['é'], ['日本'], ['👍'],
      ['999'], ['111'], ['AAA'], ['aaa'], ['a a a'], ['{}'], ['[]'], [' { } '], ['[\n]'],
      // the empty JSON answers in a code fence without a language tag, or in inline code
      ['```\n{}\n```'], ['```\n[]\n```'], ['~~~\n{ }\n~~~'], ['`{}`'], ['```\n{}'],
      // any JSON object or array of punctuation only: a schema may want just that
      ['[{}]'], ['[[], {}]'], ['{"": ""}'], ['```\n[{}]\n```'],
      // white space JSON.parse does not take (a no-break space, a form feed, an ideographic space): answers before isJsonStructure, and the parser's repair takes them
      ['{\u00a0}'], ['[\f]'], ['```\n[\u3000{}]\n```']])(
      'should accept %j',
      (content) => {
        const { error, completed, out } = run(text(content));
        expect(error).toBeUndefined();
        expect(completed).toBe(true);
        expect(out.at(-1)).toEqual(done());
      },
    );

    it('should look for the code marks around a long run of backticks or tildes in linear time', () => {
      // each position of a run tried it to its end for the closing mark: 80,000 backticks took seconds
      for (const mark of ['`', '~']) {
        expectLinearTime(`a run of ${mark}`, (size) => {
          const events = text('-' + mark.repeat(size) + '-');
          const started = performance.now();
          expect(isZeroOutputError(run(events).error)).toBe(true);
          return performance.now() - started;
        }, 8_000);
      }
    });

    it('should judge text split across tokens as a whole', () => {
      expect(run(text('9', '9', '9')).error).toBeUndefined();
      expect(run(text('{', ' ', '}')).error).toBeUndefined();
      expect(run(text('.', '.', ' ', '4')).error).toBeUndefined();
      expect(isZeroOutputError(run(text('-', '-', '\n', '-')).error)).toBe(true);
      expect(isZeroOutputError(run(text('{', '}', '.')).error)).toBe(true);
    });

    it('should reject options, naming the removed minRepeat', () => {
      expect(() => detectZeroOutput({ minRepeat: 3 } as never)).toThrow(/unknown option `minRepeat`.*drift/);
    });

    it.each([[null], ['strict'], [3]])('should throw a TypeError for a config that is %j', (config) => {
      expect(() => detectZeroOutput(config as never)).toThrow(/^detectZeroOutput\(config\) must be an object, got /);
    });
  });

  describe('non-text output', () => {
    it('should accept punctuation-only text that parseStructured validated (a result event)', () => {
      const result: L0Event = { type: 'result', data: [{}], corrected: false, corrections: [], truncated: false, raw: '[{}]' };
      expect(run([tok('[{}]'), result, done()]).error).toBeUndefined();
    });

    it('should accept a tool-call-only answer', () => {
      expect(run([{ type: 'tool-call', id: '1', name: 'f', arguments: '{}' }, done('tool-calls')]).error).toBeUndefined();
    });

    it('should accept a data-only answer', () => {
      expect(run([{ type: 'data', payload: { contentType: 'image', url: 'u' } }, done()]).error).toBeUndefined();
    });

    it('should not count reasoning or progress as output', () => {
      const { error } = run([{ type: 'reasoning', value: 'thinking hard' }, { type: 'progress', percent: 90 }, done()]);
      expect(isZeroOutputError(error)).toBe(true);
    });

    it('should count a meaningful resume checkpoint as output', () => {
      expect(run([{ type: 'resume', checkpoint: 'Once upon' }, done()]).error).toBeUndefined();
      expect(isZeroOutputError(run([{ type: 'resume', checkpoint: '...' }, done()]).error)).toBe(true);
    });

    it('should start over at a new attempt', () => {
      const start = values['s']!;
      expect(isZeroOutputError(run([start, tok('good'), start, tok(' '), done()]).error)).toBe(true);
    });

    it('should check the complete of every attempt after the retry loop, also one that follows an attempt which failed once its complete had passed', () => {
      // it passed '...': the first attempt's complete was checked, and nothing after it ever was
      const ts = testScheduler();
      let calls = 0;
      // attempt 1 answers and passes its complete, then fails at its source's end (an operator of yours between the source and the loop)
      const attempts = attemptSource(() => (calls++ === 0 ? concat(of(tok('Paris'), done()), throwError(() => new Error('late'))) : of(tok('...'), done())));
      const types: string[] = [];
      let error: unknown;
      attempts.pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 0, scheduler: ts }), detectZeroOutput()).subscribe({
        next: (e) => types.push(e.type),
        error: (e: unknown) => (error = e),
      });
      ts.flush();
      expect(types).toEqual(['start', 'token', 'complete', 'retry', 'start', 'token']);
      expect(isZeroOutputError(error) && error.info.content).toBe('...');
    });
  });

  describe('finish reasons', () => {
    it('should pass an empty content-filter completion so the reason is reported', () => {
      const { error, out } = run([done('content-filter')]);
      expect(error).toBeUndefined();
      expect(out).toEqual([done('content-filter')]);
    });

    it('should treat an empty length completion as zero output', () => {
      expect(isZeroOutputError(run([tok(' '), done('length')]).error)).toBe(true);
    });
  });

  describe('rxjs checklist', () => {
    it('should error for an empty source that completes without a complete event', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('|').pipe(detectZeroOutput())).toBe('#', undefined, zero(''));
      });
    });

    it('should pass a single meaningful value and complete', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', values).pipe(detectZeroOutput())).toBe('-a|', values);
      });
    });

    it('should replace the complete event with the error and unsubscribe the source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('s-d-w-C---|', values);
        expectObservable(source.pipe(detectZeroOutput())).toBe('s-d-w-#', values, zero('.  '));
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('should pass many values and the complete event', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('s-a-b-w-C|', values).pipe(detectZeroOutput())).toBe('s-a-b-w-C|', values);
      });
    });

    it('should pass a source error through untouched', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const err = new Error('boom');
        expectObservable(cold('-w-#', values, err).pipe(detectZeroOutput())).toBe('-w-#', values, err);
      });
    });

    it('should stay silent on a never-ending source', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<L0Event>('-').pipe(detectZeroOutput())).toBe('-');
        expectObservable(cold('-d-w-', values).pipe(detectZeroOutput())).toBe('-d-w-', values);
      });
    });

    it('should unsubscribe the source on early unsubscription', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-b-C|', values);
        expectObservable(source.pipe(detectZeroOutput()), '^--!').toBe('-a-', values);
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should keep state per subscription', () => {
      const op = detectZeroOutput();
      let calls = 0;
      const source = new Observable<L0Event>((s: Observer<L0Event>) => {
        s.next(tok(calls++ === 0 ? 'real' : ''.padEnd(3, '.')));
        s.next(done());
        s.complete();
      });
      const errors: unknown[] = [];
      source.pipe(op).subscribe({ error: (e: unknown) => errors.push(e) });
      source.pipe(op).subscribe({ error: (e: unknown) => errors.push(e) });
      expect(errors.length).toBe(1);
      expect(isZeroOutputError(errors[0]) && errors[0].info.content).toBe('...');
    });
  });
});
