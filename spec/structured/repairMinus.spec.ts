/** @test {repairJson} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { isSchemaValidationError, repairJson, structured, type L0Event, type ResultEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { parseRun } from '../helpers/scriptedAnswers.js';
import { runs } from '../helpers/propertyRuns.js';
import { runScenario } from '../helpers/runScenario.js';

/*
 * A `-` with no number after it (`[1, - 5]`, `{"a": -}`): jsonrepair reads it as `-0`, a number the
 * model did not write (nor the `-5` it may have meant). Repair refuses it, an INVALID_JSON that
 * structured() retries; at the end of a cut text it is cut before its value, as it was.
 */
const refusal = (text: string) => {
  try {
    return repairJson(text);
  } catch (e) {
    return isSchemaValidationError(e) && [e.code, e.info.truncated, e.message];
  }
};
const refused = (at: number, truncated = false) => ['INVALID_JSON', truncated, `Invalid JSON, not repairable: No number after "-" at position ${at}`];

describe('repairJson on a `-` with no number after it', () => {
  it.each([
    ['before a space and a number', '[1, - 5]', 4],
    ['before a closing brace', '{"a": -}', 6],
    ['before a comma', '[1, -, 2]', 4],
    ['before a line break', '{"a": -\n}', 6],
    ['after a value, with a comma missing', '[5 -]', 3],
    ['before `.` and no digit', '{"a": -.}', 6],
    ['before a space and Infinity', '[- Infinity]', 1],
    ['before a string', '[-"x"]', 1],
    ['before an object', '[-{}]', 1],
    ['before a comment', '{"a": - // cut\n}', 6],
    ['after a literal, which ends where it does', '[true - 1]', 6],
    ['in a single-quoted object', "{'a': -}", 6],
    ['in prose', 'Sure: {"n": -}', 6],
  ])('should refuse one %s, never `-0`', (_, text, at) => {
    expect(refusal(text)).toEqual(refused(at));
  });

  it('should refuse one inside a cut text, flagged truncated', () => {
    expect(refusal('[1, - 5, 2')).toEqual(refused(4, true));
    expect(refusal('{"a": -, "b')).toEqual(refused(6, true));
  });

  // guards (they passed before the fix): what jsonrepair reads after a `-` as the model wrote it stays; `Part - 2` fails a rule that ignores unquoted strings
  it.each([
    ['a number written without its leading zero', '[-.5, 1,]', [-0.5, 1]],
    ['-Infinity, the string jsonrepair makes of it', '{"a": -Infinity}', { a: '-Infinity' }],
    ['a word, the unquoted string jsonrepair makes of it', '{"a": -e5,}', { a: '-e5' }],
    ['a `-` inside an unquoted string', '{"t": Part - 2}', { t: 'Part - 2' }],
    ['a `-` inside an unquoted key', '{Part - 2: 1}', { 'Part - 2': 1 }], // (was refused: a key's word was no word to the `-` rule)
    ['a `-` inside a quoted string', '{"t": "a - ", "n": -3,}', { t: 'a - ', n: -3 }],
  ])('should keep %s', (_, text, value) => {
    expect(repairJson(text).value).toEqual(value);
  });

  it.each([
    ['[1, -\n', [1]],
    ['{"a": 1, "b": - ', { a: 1 }],
    ['[1 -', [1]],
    ['["a" -', ['a']],
  ])('should read %j, cut after its `-`, as cut before the value: no `0`, no key without its value', (text, value) => {
    const r = repairJson(text);
    expect([r.value, r.truncated]).toEqual([value, true]);
  });

  it('should report no comma put in before the `-` a cut dropped', () => {
    expect(repairJson('[1 -').corrections).toEqual(['close-structure']);
    expect(repairJson('{"a": 1 -').corrections).toEqual(['close-structure']);
    expect(repairJson('[1 -5]').corrections).toEqual(['insert-comma']); // a number after it: the comma does go in
  });

  it('should refuse a `-` wherever a value may be, whatever follows it (property)', () => {
    // a number of an array or object replaced by `-` and what may follow it: a space, a number after it, a line break
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 6 }), fc.nat(), fc.constantFrom('', ' ', '\n', ' 7', '\t7', '  '), fc.boolean(), (items, k, after, inObject) => {
        const at = k % items.length;
        const parts = items.map((n, i) => (inObject ? `"k${i}": ` : '') + (i === at ? `-${after}` : String(n)));
        const text = inObject ? `{${parts.join(', ')}}` : `[${parts.join(', ')}]`;
        expect(refusal(text)).toEqual(refused(text.search(/-(?!\d)/)));
      }),
      { numRuns: runs(300) },
    );
  });
});

describe('parseStructured on a `-` with no number after it', () => {
  it.each([
    ['{"a": 1, "b": - 5}', { a: 1 }],
    ['[1, -, 2]', [1]],
    ['```json\n{"a": 1, "b": -}\n```', { a: 1 }],
  ])('should fail %j with INVALID_JSON, its partials never showing a value for the `-`', (text, last) => {
    for (const chunks of [[text], [...text]]) {
      const { error, result } = parseRun(chunks);
      expect(result).toBeUndefined();
      expect(isSchemaValidationError(error) && [error.code, error.retryable, error.message]).toEqual(['INVALID_JSON', true, expect.stringContaining('No number after "-"') as string]);
    }
    // a guard (it passed before the fix): the partial parser, strict, stops at the `-`
    expect(parseRun([...text]).partials.at(-1)).toEqual(last);
  });

  it('should have structured() retry it, never validating a 0 the model did not write', () => {
    const person = z.object({ name: z.string(), age: z.number() });
    const model = fakeModel([{ items: ['{"name": "Ann", "age": -}'] }, { items: ['{"name": "Bo", "age": 3}'] }]);
    const run = runScenario(() => structured({ schema: person, stream: model, retry: { backoff: 'fixed', baseDelay: 1 } }));
    expect(run.events.find((e: L0Event): e is ResultEvent => e.type === 'result')).toMatchObject({ data: { name: 'Bo', age: 3 } });
    expect([model.callCount, run.events.filter((e) => e.type === 'retry')]).toEqual([2, [expect.objectContaining({ reason: 'invalid_json' })]]);
  });
});
