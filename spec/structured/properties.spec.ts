/** @test {parseStructured} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonrepair } from 'jsonrepair';
import { from } from 'rxjs';
import { z } from 'zod';
import { parseRun, START } from '../helpers/scriptedAnswers.js';
import { extractJson, isSchemaValidationError, parseStructured, type L0Event } from 'l0-rx';
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

  /** The partials streamed before the answer ends (the end adds what repair made of it, which `result` holds). */
  function streamed(chunks: readonly string[]): unknown[] {
    const out: unknown[] = [];
    from([START, ...chunks.map((value): L0Event => ({ type: 'token', value }))]).pipe(parseStructured({ schema: z.any() })).subscribe((e) => e.type === 'partial' && out.push(e.value));
    return out;
  }
  /** The white space JSON does not allow that jsonrepair reads as white space (U+00A0...), JSON's own, and none. */
  const gap = fc.array(fc.constantFrom('\u00a0', '\u180e', '\u2003', '\u200b', '\u202f', '\u205f', '\u3000', '\ufeff', ' ', '\n'), { maxLength: 2 }).map((g) => g.join(''));
  /** Strings holding control characters, raw in the answer (jsonrepair escapes `\n`, `\t`...; `\u0001` it refuses) or escaped. */
  const controls = fc.string({ unit: fc.constantFrom('a', ' ', '\u00a0', '\u2028', '\n', '\r', '\t', '\b', '\f', '\u0001', '\u001f', '\u007f') });
  const loose = fc.letrec((tie) => ({
    v: fc.oneof({ maxDepth: 2 }, controls, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(controls, tie('v'), { maxKeys: 3 })),
  })).v;
  /** `value` written with `gaps` between its tokens, its strings' control characters raw when `raw` holds. */
  function write(value: unknown, gaps: Iterator<string>, raw: boolean): string {
    const g = () => gaps.next().value as string;
    if (typeof value === 'string') return raw ? JSON.stringify(value).replace(/\\(?:u00[01][0-9a-f]|[bfnrt])/g, (e) => JSON.parse(`"${e}"`) as string) : JSON.stringify(value);
    if (Array.isArray(value)) return `[${g()}${value.map((v) => write(v, gaps, raw)).join(`${g()},${g()}`)}${g()}]`;
    if (typeof value !== 'object' || value === null) return JSON.stringify(value);
    return `{${g()}${Object.entries(value).map(([k, v]) => `${write(k, gaps, raw)}${g()}:${g()}${write(v, gaps, raw)}`).join(`${g()},${g()}`)}${g()}}`;
  }

  it('should stream partials that grow toward the value jsonrepair reads in an object or array with U+00A0 and the like between its tokens and control characters in its strings (property)', () => {
    // U+00A0 stopped the parser (`[\u00a0["x"], 1]` streamed the inner ["x"]) and a U+200B hid the root from extraction (`[\u200b{}]` gave {})
    fc.assert(
      fc.property(loose.filter((v) => typeof v === 'object' && v !== null), fc.infiniteStream(gap), fc.boolean(), around(true), fc.array(fc.nat()), (value, gaps, raw, [before, after], cuts) => {
        const json = write(value, gaps, raw);
        let expected: unknown;
        try {
          expected = JSON.parse(jsonrepair(json));
        } catch {
          expected = 'refused'; // a raw `\u0001` in a string
        }
        const answer = before + json + after;
        for (const chunks of [chunked(answer, cuts), [answer]]) {
          const { error, result } = parseRun(chunks);
          expect([chunks, error === undefined ? result?.data : 'refused']).toEqual([chunks, expected]);
          if (result) expect(streamed(chunks).filter((p) => !prefix(p, result.data))).toEqual([]);
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('should end the partials on the JSON extraction takes when valid JSON follows such an object or array, which JSON.parse refuses when U+00A0 and the like are in it (property)', () => {
    // the partials read U+00A0 as white space and stayed on `{"a":\u00a01}`; extraction passes over it for the valid `{"z": 1}` after it
    fc.assert(
      fc.property(loose.filter((v) => typeof v === 'object' && v !== null), fc.infiniteStream(gap), fc.array(fc.nat()), (value, gaps, cuts) => {
        const answer = `Sure: ${write(value, gaps, false)} then {"z": 1}`;
        for (const chunks of [chunked(answer, cuts), [answer]]) expect([chunks, streamed(chunks).at(-1)]).toEqual([chunks, parseRun(chunks).result?.data]);
      }),
      { numRuns: runs(500) },
    );
  });
});
