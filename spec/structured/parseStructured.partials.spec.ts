/** @test {parseStructured} */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { done, resultOf, run, start, text, tok } from './parseStructuredRun.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Which partials parseStructured streams on the way to its result (parseStructured.spec.ts has
 * the result, its errors and the operator's contract): none for prose, citations or footnote
 * marks before the answer, none for a change nobody sees, and a last one that is the result's value.
 */
describe('parseStructured partials', () => {
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
        '{"a": 1}', '["x", 2]', '[3, {"b": [4]}]', '{"s": "x [1] ```"}', '[see below]', '{curly}', "[it's]", '`[1, 2]`', '```[3]```', '`ls`', '`', ' [', 'd', ')', '["k"]',
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

  it.each(['I found [1] source', 'See [2].'])('should not read a citation as the answer, nor show it as a partial: %j', (answer) => {
    const { error, types } = run(text(answer), { schema: z.array(z.number()) } as never);
    expect([isSchemaValidationError(error) && error.code, types.includes('partial')]).toEqual(['INVALID_JSON', false]);
  });

  it('should read the answer after a citation', () => {
    const { out } = run(text('According to [1], ', 'the answer is: [2, 3]'), { schema: z.array(z.number()) } as never);
    expect([resultOf(out)?.data, out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value)]).toEqual([[2, 3], [[2, 3]]]);
  });
});
