/** @test {parseStructured} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRun } from '../helpers/scriptedAnswers.js';
import { extractJson, isSchemaValidationError } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Properties of structured output over any JSON value: whatever the chunking, the result is the
 * value, partials only grow toward it, and an answer cut by the token limit is never a whole value.
 */
const run = parseRun;

/** `p` is a deep-partial view of `r`: every shown key and element is in `r` with a value `p` shows a view of, strings as prefixes. */
function prefix(p: unknown, r: unknown): boolean {
  if (typeof p === 'string') return typeof r === 'string' && r.startsWith(p);
  if (typeof p !== 'object' || p === null) return Object.is(p, r);
  if (typeof r !== 'object' || r === null || Array.isArray(p) !== Array.isArray(r)) return false;
  return Object.entries(p).every(([k, v]) => Object.hasOwn(r, k) && prefix(v, (r as Record<string, unknown>)[k]));
}

/** `answer` cut into chunks at `cuts` (taken modulo its length). */
function chunked(answer: string, cuts: readonly number[]): string[] {
  const points = [...new Set([...cuts.map((c) => c % Math.max(answer.length, 1)), answer.length])].sort((a, b) => a - b);
  return points.map((to, k) => answer.slice(points[k - 1] ?? 0, to)).filter((c) => c !== '');
}

/** Strings of what fences, brackets, quotes and escapes are made of, to confuse the scans. */
const tricky = fc.string({ unit: fc.constantFrom('`', '```', '"', '\\', '{', '}', '[', ']', '\n', ' ', 'a', '1', '-', ':', ',', "'", '/', '*', '#', 'é', '😀', '\ud83d') });
const text = fc.oneof(fc.string({ unit: 'binary' }), tricky);
const member = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }), fc.double({ noDefaultInfinity: true, noNaN: true }), tricky);
const root = fc.oneof(fc.array(member, { maxLength: 4 }), fc.dictionary(text, member, { maxKeys: 4 }));
const scalar = fc.oneof(text, fc.double({ noDefaultInfinity: true, noNaN: true }), fc.integer(), fc.boolean(), fc.constant(null));
/** How an answer holds its JSON: `[text before, text after]`; prose only around an object or array (prose holding a number is no JSON). */
const around = (container: boolean) =>
  fc.constantFrom<[string, string]>(
    ['', ''],
    ['```json\n', '\n```'],
    ['Here it is:\n```\n', '\n```\nHope it helps.'],
    // a fence whose body starts with a comment: its JSON is found as in prose, its strings' brackets its own
    ...(container ? ([['The answer is ', '.'], ['Sure! ', '\n\nHope this helps [1].'], ['See [1] and (Smith, 2020). Result = ', ''], ['```json\n// the result\n', '\n```']] as [string, string][]) : []),
  );
const answers = fc.oneof(
  fc.tuple(root, fc.constantFrom(undefined, 2)).chain(([value, indent]) => fc.tuple(fc.constant(JSON.stringify(value, null, indent)), around(true))),
  scalar.chain((value) => fc.tuple(fc.constant(JSON.stringify(value)), around(false))),
).map(([json, [before, after]]) => ({ value: JSON.parse(json) as unknown, json, before, answer: before + json + after }));

describe('structured output properties', () => {
  it('should give back any JSON value, bare, fenced or in prose, whatever its chunking, through partials that only grow toward it (property)', () => {
    fc.assert(
      fc.property(answers, fc.array(fc.nat()), ({ value, answer }, cuts) => {
        const { error, result, partials } = run(chunked(answer, cuts));
        expect([error, result?.data, result?.truncated]).toEqual([undefined, value, false]);
        expect(partials.filter((p, k) => !prefix(p, partials[k + 1] ?? value))).toEqual([]);
        if (partials.length > 0) expect(partials.at(-1)).toEqual(value);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('should find any JSON value extractJson is given, bare, fenced or in prose (property)', () => {
    fc.assert(
      fc.property(answers, ({ value, answer }) => {
        expect(JSON.parse(extractJson(answer).json)).toEqual(value);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('should report an answer cut anywhere inside its JSON at a length finish as truncated, never as a whole value (property)', () => {
    fc.assert(
      fc.property(answers, fc.nat(), fc.array(fc.nat()), ({ json, before, answer }, at, cuts) => {
        if (json.length < 2) return;
        const end = before.length + 1 + (at % (json.length - 1)); // a cut inside the JSON: at least its first character, not all of it
        const { error, result, partials } = run(chunked(answer.slice(0, end), cuts), 'length');
        if (result === undefined) expect(isSchemaValidationError(error) && error.info.truncated).toBe(true);
        else expect([result.truncated, partials.at(-1)]).toEqual([true, result.data]);
        // a cut number is closed as written (`4.2` cut at `4.` is 4): partials grow toward the closed value
        expect(partials.filter((p, k) => !prefix(p, partials[k + 1] ?? result?.data ?? p))).toEqual([]);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('should return the whole value, or flag it truncated, for an answer cut after its JSON at a length finish (property)', () => {
    fc.assert(
      fc.property(answers, fc.nat(), ({ value, json, before, answer }, at) => {
        const end = before.length + json.length + (at % (answer.length - before.length - json.length + 1));
        const { error, result } = run([answer.slice(0, end)], 'length');
        expect(error).toBeUndefined();
        if (!result!.truncated) expect(result!.data).toEqual(value);
      }),
      { numRuns: runs(3000) },
    );
  });
});
