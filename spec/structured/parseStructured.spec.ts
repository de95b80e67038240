/** @test {parseStructured} */
import { isDeepStrictEqual } from 'node:util';
import { EMPTY, from, NEVER, Observable, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured, type L0Event, type ParseStructuredConfig } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { runs } from '../helpers/propertyRuns.js';

const schema = z.object({ name: z.string(), n: z.number() });
const tok = (value: string): L0Event => ({ type: 'token', value });
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** Runs events synchronously through the operator. */
function run(events: readonly L0Event[], config: Partial<ParseStructuredConfig> = {}) {
  const out: L0Event[] = [];
  let error: unknown;
  let completed = false;
  from(events).pipe(parseStructured({ schema, ...config })).subscribe({
    next: (e) => out.push(e),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  return { out, error, completed, types: out.map((e) => e.type) };
}
const text = (...chunks: string[]) => [start, ...chunks.map(tok), done];
const resultOf = (events: readonly L0Event[]) => events.find((e) => e.type === 'result');

describe('parseStructured', () => {
  it('should emit partials while the JSON grows, then one result right before complete (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('s-a---b---c---x---|', { s: start, a: tok('{"name":'), b: tok(' "Al", "n": 1'), c: tok('}'), x: done });
      const p1 = { type: 'partial', value: { name: 'Al' } };
      const p2 = { type: 'partial', value: { name: 'Al', n: 1 } };
      const result = { type: 'result', data: { name: 'Al', n: 1 }, corrected: false, corrections: [], truncated: false, raw: '{"name": "Al", "n": 1}' };
      expectObservable(source.pipe(parseStructured({ schema }))).toBe('s-(ap)(bq)(cr)(Rx)|', {
        s: start, a: tok('{"name":'), p: { type: 'partial', value: {} }, b: tok(' "Al", "n": 1'), q: p1, c: tok('}'), r: p2, R: result, x: done,
      });
    });
  });

  describe('partials before the answer', () => {
    const partialsOf = (...chunks: string[]) => run(text(...chunks), { schema: z.any() }).out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value);

    it('should emit no partial for {curly} prose before the JSON', () => {
      expect(partialsOf('Use {curly} braces.\n', '{"a": "x"}')).toEqual([{ a: 'x' }]);
    });

    it('should emit no [] partial when a token ends right after a prose "["', () => {
      expect(partialsOf('Here is the list [', 'see below]: {"a": 1}')).toEqual([{ a: 1 }]);
    });

    it('should end on the fenced answer after inline `[]` in prose', () => {
      expect(partialsOf('Use `[]` for none.\n```json\n', '{"a": ', '"x"}', '\n```').at(-1)).toEqual({ a: 'x' });
    });

    it('should not root partials at a nested array after an unquoted first key', () => {
      expect(partialsOf('{name: "Ada", ', 'tags: ["x", "y"]}').some((p) => Array.isArray(p))).toBe(false);
    });

    it('should not root partials at a nested object after a single-quoted first value', () => {
      expect(partialsOf(`{"name": 'Ada', "address": {"city": "Paris"}}`)).not.toContainEqual({ city: 'Paris' });
    });
  });

  it('should never show a lone surrogate when a surrogate pair is split across tokens', () => {
    const partials = run(text('{"e": "\\ud83d', '\\ude00 ok"}'), { schema: z.any() }).out.filter((e) => e.type === 'partial');
    // a high surrogate not followed by a low one, or a low one not preceded by a high one
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const values = partials.map((e) => (e as { value: { e?: string } }).value.e ?? '');
    expect(values.filter((v) => lone.test(v))).toEqual([]);
    expect(values.at(-1)).toBe('\u{1F600} ok');
  });

  it('should never show a lone surrogate when a raw (unescaped) surrogate pair is split across tokens', () => {
    const emoji = '\u{1F600}';
    const partials = run(text(`{"e": "a${emoji[0]!}`, `${emoji[1]!}b"}`), { schema: z.any() }).out.filter((e) => e.type === 'partial');
    expect(partials.map((e) => (e as { value: { e?: string } }).value.e)).toEqual(['a', `a${emoji}b`]);
  });

  it.each([
    ['[1] Smith, J. (2020). Result: ', '{"a": 1}'],
    ['Sources:\n[2] Smith, J.\n\nAnswer: ', '{"a": 1}'],
    ['Return [] if none. Result: ', '{"a": 1}'],
    ['[]\n\nActually: ', '{"a": 1}'],
    ['Sources:\n[2\n] Smith, J.\n\nAnswer: ', '{"a": 1}'],
  ])('should end its partials on the value the result holds, never on %j', (prose, json) => {
    // every character of the prose a token
    const { out } = run(text(...prose, json), { schema: z.any() });
    const partials = out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value);
    // an empty `[]` may show first (a later root replaces it); a footnote mark `[1]` never does
    expect([partials.filter((p) => Array.isArray(p) && p.length > 0), partials.at(-1), (resultOf(out) as { data?: unknown } | undefined)?.data]).toEqual([[], { a: 1 }, { a: 1 }]);
  });

  describe('partials and a fence after JSON in prose', () => {
    const ends = (...chunks: string[]) => {
      const { out } = run(text(...chunks), { schema: z.any() });
      const partials = out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value);
      return { partials, data: (resultOf(out) as { data?: unknown } | undefined)?.data };
    };

    it('should switch its partials to the fenced answer the result holds', () => {
      expect(ends('You could send {"a": 1}, but the answer is:\n', '```json\n{"b": 2}\n```')).toEqual({ partials: [{ a: 1 }, { b: 2 }], data: { b: 2 } });
    });

    it('should end its partials on the result, token by token, for answers mixing prose, JSON and fences', () => {
      const answers: [string, unknown][] = [
        ['You could send {"a": 1}, but the answer is:\n```json\n{"b": 2}\n```', { b: 2 }],
        ['Send {"a": 1} like this:\n```python\npost(url, json={"b": 2})\n```', { a: 1 }],
        ['Send {"a": 1} like this:\n```python\nprint("```")\n```\nAs JSON:\n```json\n{"c": 3}\n```', { c: 3 }],
        ['You could send {"a": 1}:\n```json\n{"b": 2}\n```\nor\n```json\n{"c": 3}\n```', { b: 2 }],
        ['In JavaScript: {name: "Ada"}. As JSON:\n```json\n{"name": "Ada"}\n```', { name: 'Ada' }],
        ['See [1]. The ids: [5, 6]\n```json\n[3, 4]\n```', [3, 4]],
        ['```json\n[]\n```\nThen {"c": 3}', []],
        ['Here:\n[\n  {"q": "Fix ```js\\nf()\\n```"},\n  {"q": "Done"}\n]', [{ q: 'Fix ```js\nf()\n```' }, { q: 'Done' }]],
        // what a citation holds is prose to search on, as extractJson does
        ['You could send [0,[]]', []],
        ['See [1, {"a": 1}] for details.', { a: 1 }],
        // an empty root followed by a citation in the same token
        ['Return [] if none. See [1].', []],
        // a closed one-number root at the end: no words came after it
        ['The ids are [2]', [2]],
        ['Answer:\n[2]  ', [2]],
        // the prose before a citation is what follows an empty root, and the first empty root stays
        ['None: [] [1]. Otherwise {"a": 1}', { a: 1 }],
        ['Send {} or [] if none.', {}],
        // a fence's body is never a footnote mark
        ['```json\n[2] is the list', [2]],
        ['```json\n[1,2]See ```python\nprint(1)\n```', [1, 2]], // a fence's JSON ends where its value does; its opening line is no body
        ['```json [\n  {"a": 1},\n  {"b": 2}\n]\n```', { a: 1 }],
        ['```: [1, 2]```\n{"a": 1}', [1, 2]],
      ];
      // every character a token, and the whole answer as one
      const seen = answers.flatMap(([answer]) => [ends(...answer), ends(answer)]);
      expect(seen.map(({ partials, data }) => [partials.at(-1), data])).toEqual(answers.flatMap(([, value]) => [[value, value], [value, value]]));
    });

    it('should end its partials on the result, never step back to an empty root and never repeat one, whatever the pieces and split points (property)', () => {
      const pieces = [
        'See ', 'You could send ', 'The ids are ', 'Return ', ' if none. ', 'Answer: ', 'Sure! ', ' is ', '= ', ': ', '. ', '\n', '  ', 'Smith ',
        '[1]', '[2]', '[-1]', '[1, 2]', '[1,\n2]', '[\n1\n]', '[0,[]]', '[]', '[ ]', '{}', '{ }', '[{}]', '[[]]', '[null]', '["[1]"]', '[2] Smith',
        '{"a": 1}', '["x", 2]', '[3, {"b": [4]}]', '{"s": "x [1] ```"}', '[see below]', '{curly}', "[it's]", '`[1, 2]`', '```[3]```', '`ls`', '`', ' [',
        '\n```json\n{"f": 1}\n```\n', '\n```json\n[]\n```\n', '\n```\n[5]\n```\n', '\n```python\nx = [1]\n```\n',
        '\n```json\n[6, 7]See ', '```json [\n{"g": [8]},\n9]\n```\n', '```: [7, 8]```\n', '\n```json\n{"h": "x"}\nNote.\n```\n',
      ];
      const empty = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length === 0;
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }), fc.array(fc.nat()), (parts, cuts) => {
          const answer = parts.join('');
          const points = [...new Set([...cuts.map((c) => c % answer.length), answer.length])].sort((a, b) => a - b);
          const { out } = run(text(...points.map((to, k) => answer.slice(points[k - 1] ?? 0, to)).filter((c) => c !== '')), { schema: z.any() });
          const partials = out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value);
          expect(partials.slice(1, -1).filter((p, k) => empty(p) && !empty(partials[k]))).toEqual([]);
          expect(partials.filter((p, k) => k > 0 && isDeepStrictEqual(p, partials[k - 1]))).toEqual([]); // a partial only on a change
          const result = resultOf(out) as { data: unknown; corrections: string[] } | undefined;
          if (result !== undefined) expect(partials.at(-1)).toEqual(result.data); // what repair made of it included
        }),
        { numRuns: runs(1000) },
      );
    });

    it('should keep showing the old root until the fenced root holds a value, as the first root shows at its first key', () => {
      const { partials } = ends(...'You could send {"a": 1}, but the answer is:\n```json\n{"b": 2}\n```');
      expect(partials).toEqual([{}, { a: 1 }, { b: 2 }]);
    });

    it('should replace a shown empty `[]` with the fenced root once that holds a value', () => {
      const { partials } = ends(...'Use [] for none.\n```json\n{"a": 1}\n```');
      expect(partials).toEqual([[], { a: 1 }]);
    });
  });

  it('should settle a closed `[2]` at the end of the answer: its partial comes right before the result (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = tok('The ids are [2]');
      const source = cold('s-a-x----|', { s: start, a, x: done });
      const result = { type: 'result', data: [2], corrected: true, corrections: ['extract-text'], truncated: false, raw: 'The ids are [2]' };
      expectObservable(source.pipe(parseStructured({ schema: z.array(z.number()) }))).toBe('s-a-(pRx)|', {
        s: start, a, p: { type: 'partial', value: [2] }, R: result, x: done,
      });
    });
  });

  it('should not emit a partial when a token changes nothing visible', () => {
    const { types } = run(text('{"name": "Al",', ' ', '"n', '": 2}'));
    expect(types).toEqual(['start', 'token', 'partial', 'token', 'token', 'token', 'partial', 'result', 'complete']);
  });

  it.each([
    ['{"a": ["x", {"b": "y"}]}', [{}, { a: [] }, { a: [''] }, { a: ['x'] }, { a: ['x', {}] }, { a: ['x', { b: '' }] }, { a: ['x', { b: 'y' }] }]],
    ['Use [] for none.\n```json\n[]\n```', [[]]],
    ['Send {"a": 1}:\n```json\n{"a": 1}\n```', [{}, { a: 1 }]],
  ])('should emit no partial for a closing quote or bracket, nor for a root that replaces one with the same value: %j', (answer, expected) => {
    expect(run(text(...answer), { schema: z.any() }).out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value)).toEqual(expected);
  });

  it('should emit no partials with partials: false', () => {
    expect(run(text('{"name": "Al", "n": 1}'), { partials: false }).types).toEqual(['start', 'token', 'result', 'complete']);
  });

  it('should error with SCHEMA_VALIDATION_FAILED, with issues and paths, and not complete', () => {
    const { error, completed, types } = run(text('{"name": 5, "n": 1}'));
    expect(isSchemaValidationError(error) && [error.code, error.info.issues]).toEqual([
      'SCHEMA_VALIDATION_FAILED', [{ message: expect.any(String) as string, path: ['name'] }],
    ]);
    expect([completed, types.includes('complete'), types.includes('result')]).toEqual([false, false, false]);
  });

  it.each(['I found [1] source', 'See [2].'])('should not read a citation as the answer, nor show it as a partial: %j', (answer) => {
    const { error, types } = run(text(answer), { schema: z.array(z.number()) } as never);
    expect([isSchemaValidationError(error) && error.code, types.includes('partial')]).toEqual(['INVALID_JSON', false]);
  });

  it('should read the answer after a citation', () => {
    const { out } = run(text('According to [1], ', 'the answer is: [2, 3]'), { schema: z.array(z.number()) } as never);
    expect([resultOf(out)?.data, out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value)]).toEqual([[2, 3], [[2, 3]]]);
  });

  describe('an attempt that only called a tool', () => {
    const call: L0Event = { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city": "Paris"}' };

    it('should pass the call on, then error with a non-retryable INVALID_JSON naming the tool', () => {
      const { error, types } = run([start, call, { type: 'complete', finishReason: 'tool-calls' }]);
      expect(isSchemaValidationError(error) && [error.code, error.retryable, error.info.toolCalls]).toEqual(['INVALID_JSON', false, ['get_weather']]);
      expect(types).toEqual(['start', 'tool-call']);
    });

    it('should forget the calls of an attempt that a retry retracted', () => {
      const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'E', message: 'm', code: 'X' }, reason: 'network_error', countsTowardAttempts: false };
      const { error } = run([start, call, retry, start, tok('no json'), done]);
      expect(isSchemaValidationError(error) && [error.retryable, error.info.toolCalls]).toEqual([true, undefined]);
    });
  });

  it('should error with INVALID_JSON on text that is not JSON', () => {
    const { error } = run(text('I cannot help with that.'));
    expect(isSchemaValidationError(error) && error.code).toBe('INVALID_JSON');
  });

  it('should repair and report what it changed', () => {
    const { out } = run(text("Sure! ```json\n{name: 'Al', n: 1,}\n```"));
    expect(resultOf(out)).toMatchObject({ data: { name: 'Al', n: 1 }, corrected: true, corrections: ['extract-fence', 'quote-keys', 'single-quotes', 'remove-trailing-comma'] });
  });

  it('should keep URLs, braces and quotes inside strings intact', () => {
    const raw = '{"name": "https://a.b/c?d=1#x,}//\\"q\\" {[", "n": 1}';
    expect(resultOf(run(text(raw)).out)).toMatchObject({ data: JSON.parse(raw) as object, corrected: false });
  });

  describe('truncated JSON', () => {
    const cut = text('{"name": "Al", "n": 1');

    it('should error with a retryable INVALID_JSON by default', () => {
      const { error } = run(cut);
      expect(isSchemaValidationError(error) && [error.code, error.retryable, error.info.truncated]).toEqual(['INVALID_JSON', true, true]);
    });

    it("should error with a non-retryable error with onTruncated: 'reject'", () => {
      const { error } = run(cut, { onTruncated: 'reject' });
      expect(isSchemaValidationError(error) && error.retryable).toBe(false);
    });

    it("should accept the closed value with onTruncated: 'accept', flagged truncated", () => {
      expect(resultOf(run(cut, { onTruncated: 'accept' }).out)).toMatchObject({ data: { name: 'Al', n: 1 }, truncated: true, corrections: ['close-structure'] });
    });

    describe('cut inside a \\u escape', () => {
      const cutEscape = text('{"name": "caf\\u00');

      it("should error with a non-retryable truncated error with onTruncated: 'reject'", () => {
        const { error } = run(cutEscape, { onTruncated: 'reject' });
        expect(isSchemaValidationError(error) && [error.info.truncated, error.retryable]).toEqual([true, false]);
      });

      it("should accept the string up to the escape with onTruncated: 'accept'", () => {
        const { out } = run(cutEscape, { schema: z.any(), onTruncated: 'accept' });
        expect(resultOf(out)).toMatchObject({ data: { name: 'caf' }, truncated: true });
      });
    });

    it('should follow onTruncated when repair cannot close the cut text', () => {
      const { error } = run(text('{"name": "x", @@@ ]] "n": "y'), { onTruncated: 'reject' });
      expect(isSchemaValidationError(error) && [error.info.truncated, error.retryable, isSchemaValidationError(error.cause)]).toEqual([true, false, true]);
    });
  });

  it('should only accept valid JSON as a whole with autoCorrect: false', () => {
    expect(isSchemaValidationError(run(text('```json\n{"name": "Al", "n": 1}\n```'), { autoCorrect: false }).error)).toBe(true);
  });

  it('should parse only the text after the last start, retry or fallback', () => {
    const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'E', message: 'm', code: 'X' }, reason: 'schema', countsTowardAttempts: true };
    const { out } = run([start, tok('{"bad'), retry, start, tok('{"name": "B", "n": 2}'), done]);
    expect(resultOf(out)).toMatchObject({ data: { name: 'B', n: 2 }, raw: '{"name": "B", "n": 2}' });
  });

  it('should parse a resumed attempt from its checkpoint', () => {
    const { out } = run([start, { type: 'resume', checkpoint: '{"name": "C",' }, tok(' "n": 3}'), done]);
    expect(resultOf(out)).toMatchObject({ data: { name: 'C', n: 3 } });
  });

  it('should wait for an async schema before result and complete', async () => {
    const slow = { '~standard': { version: 1, vendor: 'test', validate: (v: unknown) => Promise.resolve({ value: v }) } } as const;
    const out: string[] = [];
    await new Promise<void>((resolve) => {
      from(text('{"a": 1}')).pipe(parseStructured({ schema: slow })).subscribe({ next: (e) => out.push(e.type), complete: resolve });
    });
    expect(out.slice(-2)).toEqual(['result', 'complete']);
  });

  it('should error with SchemaValidationError when the schema throws', () => {
    const throwing = { '~standard': { version: 1, vendor: 'test', validate: () => { throw new Error('boom'); } } } as const;
    const { error } = run(text('{"a": 1}'), { schema: throwing } as never);
    expect(isSchemaValidationError(error) && error.message).toContain('boom');
  });

  it('should keep what the schema threw as the cause', () => {
    const boom = new Error('boom');
    const throwing = { '~standard': { version: 1, vendor: 'test', validate: () => { throw boom; } } } as const;
    const { error } = run(text('{"a": 1}'), { schema: throwing } as never);
    expect(isSchemaValidationError(error) && error.cause).toBe(boom);
  });

  it('should keep what an async schema rejected with as the cause', async () => {
    const boom = new Error('boom');
    const rejecting = { '~standard': { version: 1, vendor: 'test', validate: () => Promise.reject(boom) } } as const;
    const error = await new Promise<unknown>((resolve) => {
      from(text('{"a": 1}')).pipe(parseStructured({ schema: rejecting })).subscribe({ error: resolve });
    });
    expect(isSchemaValidationError(error) && error.cause).toBe(boom);
  });

  describe('rxjs checklist', () => {
    it('should complete on empty', () => {
      testScheduler().run(({ expectObservable }) => expectObservable(EMPTY.pipe(parseStructured({ schema }))).toBe('|'));
    });

    it('should stay silent on never', () => {
      testScheduler().run(({ expectObservable }) => expectObservable(NEVER.pipe(parseStructured({ schema }))).toBe('-'));
    });

    it('should pass an error through', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(throwError(() => new Error('x')).pipe(parseStructured({ schema }))).toBe('#', undefined, new Error('x'));
      });
    });

    it('should unsubscribe from a never-ending source on early unsubscribe', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-', { a: tok('{"name"'), b: tok(': "x"') });
        expectObservable(source.pipe(parseStructured({ schema })), '^--!').toBe('-(ap)', { a: tok('{"name"'), p: { type: 'partial', value: {} } });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should keep parser state per subscription', () => {
      const op = parseStructured({ schema });
      const events = new Subject<L0Event>();
      const a: L0Event[] = [];
      const b: L0Event[] = [];
      events.pipe(op).subscribe((e) => a.push(e));
      events.next(tok('{"name": "x",'));
      let bError: unknown;
      events.pipe(op).subscribe({ next: (e) => b.push(e), error: (e: unknown) => (bError = e) });
      events.next(tok(' "n": 1}'));
      events.next(done);
      expect([resultOf(a)?.type, resultOf(b), isSchemaValidationError(bError)]).toEqual(['result', undefined, true]);
    });
  });

  describe('validation at creation', () => {
    it.each([
      [{ schema: {} }, /schema.*Standard Schema/],
      [{ schema: { type: 'object' } }, /jsonSchema\(schema, new Ajv\(\)\)/],
      [{ schema, partial: true }, /did you mean `partials`/],
      [{ schema, onTruncated: 'drop' }, /onTruncated.*'retry', 'accept', 'reject'/],
      [{ schema, autoCorrect: 'yes' }, /autoCorrect.*boolean/],
    ])('should throw a TypeError for %j', (config, message) => {
      expect(() => parseStructured(config as never)).toThrow(message);
    });
  });

  it('should never set a prototype from model output', () => {
    const loose = z.record(z.string(), z.unknown());
    const { out } = run(text('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"p": 1}}}'), { schema: loose } as never);
    const data = (resultOf(out) as { data: object }).data;
    expect([({} as Record<string, unknown>)['polluted'], Object.getPrototypeOf(data) === Object.prototype || Object.getPrototypeOf(data) === null]).toEqual([undefined, true]);
  });

  it('should not subscribe before it is subscribed', () => {
    let subscribed = false;
    const source = new Observable<L0Event>(() => { subscribed = true; });
    source.pipe(parseStructured({ schema }));
    expect(subscribed).toBe(false);
  });
});
