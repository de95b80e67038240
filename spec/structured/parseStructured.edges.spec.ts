/** @test {parseStructured} */
import { isDeepStrictEqual } from 'node:util';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { parseStructured, type L0Event, type ParseStructuredConfig } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const done: L0Event = { type: 'complete', finishReason: 'stop' };
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

/** The partials' values and the result's data (or the error) of an answer fed as `chunks`, and the events as types with the partials' values. */
function run(chunks: readonly string[], config: Partial<ParseStructuredConfig> = {}) {
  const out: L0Event[] = [];
  let error: unknown;
  from([start, ...chunks.map(tok), done]).pipe(parseStructured({ schema: z.any(), ...config })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
  const partials = out.filter((e) => e.type === 'partial').map((e) => (e as { value: unknown }).value);
  const result = out.find((e) => e.type === 'result') as { data: unknown; corrections: string[] } | undefined;
  return { partials, result, error, seen: out.map((e) => (e.type === 'partial' ? e.value : e.type)) };
}

describe('parseStructured edges', () => {
  it('should end its partials on the result for any accepted answer, whatever the pieces and split points (property)', () => {
    const pieces = [
      'See ', 'The ids are ', 'Answer: ', 'Sure! ', ' is ', ': ', '. ', '\n', '  ', '\t', 'Smith ', ' [', '{', '[', '}', ']', ',', '"',
      '[1]', '[2] Smith', '[1, 2]', '[]', '{}', '[0,[]]', '[see below]', '{curly}', '(Smith, 2020) ', '[Smith 2020] ', '[1][2] ',
      '{"a": [[1, 2], [3]]}', '{"a": {"b": [1, {"c": []}]}}', '{"s": "say \\"hi\\" [1] {x}"}', '["\\"]", "\\\\"]', '{"u": "\\u00e9\\ud83d\\ude00"}',
      '[1e3, -2.5E-2, 0.1e+2]', '{"n": -0}', '{"k": true, "l": null}', '{"a": 1, "b": 12', '{"a": 1.5e', '[1, 2, -', '{"a": tr', '{"a":',
      '{"a": 1, "b', '{\n  [1, 2]', '{\n[1,2]', "{'a': 1}", '{a: True, b: None}', '[1, 2,]', '{"a": 1, // c\n"b": 2}', "[it's]",
      "{'r': [\"}\"]}", '{"x": \'a]\'}', '{name: "Ada", tags: ["x"]}', '\n```python\nd = {\'a\': [1]}\n```\n',
      '\n```json\n{"f": [1, "x]"]}\n```\n', '\n```json\n{\n  // c\n  "g": [1]\n}\n```\n', '\n```json\n{curly}\n```\n', '\n```\n[5]\n```\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }), fc.array(fc.nat()), (parts, cuts) => {
        const answer = parts.join('');
        const points = [...new Set([...cuts.map((c) => c % answer.length), answer.length])].sort((a, b) => a - b);
        const chunks = points.map((to, k) => answer.slice(points[k - 1] ?? 0, to)).filter((c) => c !== '');
        const { partials, result } = run(chunks, { onTruncated: 'accept' });
        expect(partials.filter((p, k) => k > 0 && isDeepStrictEqual(p, partials[k - 1]))).toEqual([]);
        if (result !== undefined) expect(partials.at(-1)).toEqual(result.data);
      }),
      { numRuns: runs(1500) },
    );
  });

  it('should only grow its partials toward the result for one JSON document, with or without prose and fences (property)', () => {
    /** `p` is a deep-partial prefix of `r`: every shown key and element is in `r`, strings as prefixes. */
    const prefix = (p: unknown, r: unknown): boolean => {
      if (typeof p === 'string') return typeof r === 'string' && r.startsWith(p);
      if (typeof p !== 'object' || p === null) return Object.is(p, r) || p === r;
      if (typeof r !== 'object' || r === null || Array.isArray(p) !== Array.isArray(r)) return false;
      return Object.entries(p).every(([k, v]) => Object.hasOwn(r, k) && prefix(v, (r as Record<string, unknown>)[k]));
    };
    // strings of any code units (lone surrogates included: JSON.stringify escapes them), numbers of any size (exponents)
    const member = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), fc.double({ noDefaultInfinity: true, noNaN: true }));
    const root = fc.oneof(fc.array(member, { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary' }), member, { maxKeys: 4 }));
    const lead = fc.constantFrom('', 'Here:\n', 'See [1] and (Smith, 2020). The answer is ', 'Sure! ', 'Result = ');
    const wrap = fc.constantFrom((j: string) => j, (j: string) => `\`\`\`json\n${j}\n\`\`\``, (j: string) => `${j}\n\nHope this helps [1].`);
    fc.assert(
      fc.property(lead, root, fc.constantFrom(undefined, 2), wrap, fc.array(fc.nat()), (before, value, indent, around, cuts) => {
        const json = JSON.stringify(value, null, indent);
        const answer = before + around(json);
        value = JSON.parse(json) as typeof value; // -0 is written 0
        const points = [...new Set([...cuts.map((c) => c % answer.length), answer.length])].sort((a, b) => a - b);
        const { partials, result } = run(points.map((to, k) => answer.slice(points[k - 1] ?? 0, to)).filter((c) => c !== ''));
        expect(result?.data).toEqual(value);
        expect(partials.filter((p) => !prefix(p, value))).toEqual([]);
        expect(partials.at(-1)).toEqual(value);
      }),
      { numRuns: runs(1000) },
    );
  });

  describe('the last partial of an answer repair changed', () => {
    it.each([
      ['{"a": 1, "b": 12', { a: 1, b: 12 }],
      ['{"a": 1.5e', { a: 1.5 }],
      ['{"a": [1, tr', { a: [1, true] }],
      ['{"a": 1, "b": "x", "c', { a: 1, b: 'x' }],
      ['{"a": 1, "name": ', { a: 1 }],
    ])("should end its partials on the closed value of %j with onTruncated: 'accept'", (answer, value) => {
      for (const chunks of [[...answer], [answer]]) {
        const { partials, result } = run(chunks, { onTruncated: 'accept' });
        expect([partials.at(-1), result?.data]).toEqual([value, value]);
      }
    });

    it("should add no partial before the error of a cut answer with onTruncated: 'retry'", () => {
      const { partials, error } = run([...'{"a": 1, "b": 12']);
      expect([partials, error === undefined]).toEqual([[{}, { a: 1 }], false]);
    });

    it('should show the repaired value of single quotes, unquoted keys and Python literals as the last partial, frozen and apart from the result', () => {
      const { partials, result } = run(["{'name': 'Ada', ", 'tags: [True, None,],}']);
      const last = partials.at(-1) as { tags: unknown[] };
      expect([partials.length, last, Object.isFrozen(last) && Object.isFrozen(last.tags), last === result?.data, Object.isFrozen(result?.data)]).toEqual([
        1, { name: 'Ada', tags: [true, null] }, true, false, false,
      ]);
    });

    it('should add no partial when the closed value is the one shown', () => {
      expect(run([...'{"a": [1, 2], "s": "x'], { onTruncated: 'accept' }).partials).toEqual([{}, { a: [] }, { a: [1] }, { a: [1, 2] }, { a: [1, 2], s: '' }, { a: [1, 2], s: 'x' }]);
    });
  });

  it('should never show a root from inside a JSON fence whose object the parser cannot read (a comment before its first key)', () => {
    const answer = '```json\n{\n  // the ids\n  "ids": [1, 2]\n}\n```';
    for (const chunks of [[...answer], [answer]]) {
      const { partials, result } = run(chunks);
      expect([partials, result?.data]).toEqual([[{ ids: [1, 2] }], { ids: [1, 2] }]);
    }
  });

  it('should stream an indented number array after a lone object opener, as extraction takes it', () => {
    const { partials, result } = run([...'{\n  [1, 2]']);
    expect([partials, result?.data]).toEqual([[[1], [1, 2]], [1, 2]]);
  });

  it('should stream JSON that follows a JSON-like object in prose that needs repair, the answer extraction takes', () => {
    const { seen } = run(["In Python: {'q': [1, '}']}. As JSON: ", '{"q": [2]}', ' Done.']);
    expect(seen).toEqual(['start', 'token', 'token', { q: [2] }, 'token', 'result', 'complete']);
  });

  it('should keep a JSON fence opened inside such an object as the answer when that object closes after it', () => {
    const answer = "Try {'a': 1\n```json\n{\"b\": 2}\n```\n}} or {\"c\": 3}";
    for (const chunks of [[...answer], [answer]]) expect(run(chunks).partials.filter((p) => !isDeepStrictEqual(p, {}))).toEqual([{ b: 2 }]);
  });
});
