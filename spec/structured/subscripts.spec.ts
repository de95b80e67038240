/** @test {extractJson} @test {parseStructured} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractJson, type L0Event } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';
import { resultOf, run, start, text, tok } from './parseStructuredRun.js';

/* A `[` right after a word, `)` or `]` in code (`data["name"]`) indexes; it is never the answer, in extraction and partials alike. */

const partials = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'partial' ? [e.value] : []));

/** Each answer's value, extracted, and the result and last partial of a run token by token and whole. */
function expectAnswers(answers: readonly [string, unknown][]): void {
  for (const [answer, value] of answers) {
    expect([answer, JSON.parse(extractJson(answer).json)]).toEqual([answer, value]);
    for (const chunks of [[...answer], [answer]]) {
      const { out, error } = run(text(...chunks), { schema: z.any() });
      expect([answer, error, (resultOf(out) as { data?: unknown } | undefined)?.data, partials(out).at(-1)]).toEqual([answer, undefined, value, value]);
    }
  }
}

describe('subscripts in code before the answer', () => {
  const answers: [string, unknown][] = [
    ['To read it:\n```python\ndata = json.loads(text)\nprint(data["name"])\n```\nHere is the JSON:\n{"name": "Ada", "age": 36}', { name: 'Ada', age: 36 }],
    ['```python\nprint(data["user"]["name"])\n```\n{"name": "Ada"}', { name: 'Ada' }],
    ["Use `obj['name']` or `get()[\"name\"]`, then send {\"name\": \"Ada\"}", { name: 'Ada' }],
    ['const n = données["nom"]; // then\n["Ada", "Bo"]', ['Ada', 'Bo']],
    // a root's own `]` makes no subscript of the `[` after it, nor does a space
    ['[]["a", "b"]', ['a', 'b']],
    ['Return [] if none; x = ["a"]', ['a']],
    // prose in a script without spaces runs on into its JSON: no identifier
    ['答案是["甲", "乙"]', ['甲', '乙']],
    // what a subscript holds is read on, as a citation's is
    ['x[{"a": 1}]', { a: 1 }],
    // a list right in a subscript indexes too (pandas' column selection), never the answer
    ['```python\nprint(df[["name", "age"]])\n```\nAnswer: {"name": "Ada", "age": 36}', { name: 'Ada', age: 36 }],
  ];

  it.each(answers)('should find the answer in %j', (answer, value) => {
    expect(JSON.parse(extractJson(answer).json)).toEqual(value);
  });

  it('should show partials that never hold a subscript and end on the result, token by token and whole', () => {
    for (const [answer, value] of answers) {
      for (const chunks of [[...answer], [answer]]) {
        const { out, error } = run(text(...chunks), { schema: z.any() });
        expect([error, (resultOf(out) as { data?: unknown } | undefined)?.data]).toEqual([undefined, value]);
        expect(partials(out).filter((p) => Array.isArray(p) && ['name', 'nom'].includes(p[0] as string))).toEqual([]);
        expect(partials(out).at(-1)).toEqual(value);
      }
    }
  });

  it('should show, at the last token, the value the result takes when it needed no repair, whatever the code around it (property)', () => {
    const pieces = ['df', 'x', '$', '_', '(', ')', '[', ']', '[]', '["a", "b"]', '["c"]', '{"n": "v"}', '"k"', ' ', '\n', ': ', '```python\n', '\n```\n', '<think>', '</think>', 'json', '```', '~~~', '[1, 2]'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 10 }), (parts) => {
        const answer = parts.join('');
        const result = resultOf(run(text(...answer), { schema: z.any() }).out) as { data: unknown; corrections: string[] } | undefined;
        if (result === undefined || result.corrections.some((c) => c !== 'extract-text')) return;
        // the same tokens with no `complete`: what the partials showed before the end settled anything
        const shown = partials(run(text(...answer).slice(0, -1), { schema: z.any() }).out);
        expect([answer, shown.at(-1)]).toEqual([answer, result.data]);
      }),
      { numRuns: runs(1000) },
    );
  });

  it('should find no answer in a text that is only code, a subscript\'s list included (never shown as a partial)', () => {
    for (const code of ['x[["a"]]', 'df[["name", "age"]]', 'data["name"]', 'print(d["a"]["b"])']) {
      expect(extractJson(code)).toEqual({ json: code, from: 'whole' });
      const { out, error } = run(text(...code), { schema: z.any() });
      expect([code, error instanceof Error && (error as { code?: string }).code, partials(out)]).toEqual([code, 'INVALID_JSON', []]);
    }
  });

  it('should read a `json` language tag stuck to an array as a tag, never a subscript (a one-line fence, or a bare one at the start)', () => {
    const tagged: [string, unknown][] = [
      ['```json["a", "b"]```', ['a', 'b']],
      ['````JSON[["a"], ["b"]]````', [['a'], ['b']]],
      ['~~~json["a"]~~~', ['a']],
      ['json["a", "b"]', ['a', 'b']],
      [' \njson["a"]', ['a']],
      // a tag is a tag in any case, at the answer's start as after backticks (`` ```JSON[ ``)
      ['JSON["a", "b"]', ['a', 'b']],
    ];
    expectAnswers(tagged);
    // a variable of that name in code indexes, as any other does; so does a word that only ends in `json`
    for (const code of ['x = json["a"]', 'print(json["a"])', '```myjson["a"]```']) {
      expect([code, extractJson(code).from]).toEqual([code, 'whole']);
    }
  });

  it('should take an array led by a number right after a `json` language tag as introduced, never a citation, in extraction and partials alike', () => {
    const tagged: [string, unknown][] = [
      ['```json[1, 2]```', [1, 2]],
      ['```json [1, 2]```', [1, 2]],
      ['Here ```JSON\u00a0[-3]``` it is', [-3]],
      ['~~~json[4]~~~', [4]],
      ['json [5, 6]', [5, 6]],
      ['Json\t[7]', [7]],
    ];
    expectAnswers(tagged);
    // a word that is or ends in `json` in prose is no tag: a citation after it stays one
    for (const prose of ['See the json [1, 2] spec', 'myjson[1]', '```myjson [1, 2]```']) {
      expect([prose, extractJson(prose).from]).toEqual([prose, 'whole']);
    }
  });

  it('should read a subscript\'s `[` as the prose before the next root, which it may introduce, in partials as in extraction', () => {
    // the `[` before a code span's backticks (`` [`[1]` ``) or a verb introduces the array after it; the partials dropped it and waited for the end
    for (const [answer, value] of [['Use arr[`[1, 2]`] here', [1, 2]], ['x[```[3, 4]```', [3, 4]], ['df[is [5, 6]', [5, 6]]] as const) {
      expect([answer, JSON.parse(extractJson(answer).json)]).toEqual([answer, value]);
      for (const chunks of [[...answer], [answer]]) {
        const shown = partials(run(text(...chunks).slice(0, -1), { schema: z.any() }).out);
        expect([answer, shown.at(-1)]).toEqual([answer, value]);
      }
    }
  });

  it('should not take closed JSON for cut when the length limit cut a subscript after it', () => {
    for (const code of ['data["na', 'df[["na']) {
      const { out, error } = run([start, tok(`{"name": "Ada", "n": 1}\nRead it as ${code}`), { type: 'complete', finishReason: 'length' }]);
      expect([error, resultOf(out)]).toMatchObject([undefined, { data: { name: 'Ada', n: 1 }, truncated: false }]);
    }
  });
});
