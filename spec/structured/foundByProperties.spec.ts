/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { START, parseRun } from '../helpers/scriptedAnswers.js';
import { extractJson, isSchemaValidationError, parseStructured, repairJson, type L0Event } from 'l0-rx';

/*
 * Answers the properties of properties.spec.ts found mishandled: strings in fences holding
 * backticks, brackets or a "```", cut strings holding brackets or ending in white space, and
 * answers cut right after an opening bracket or in a fence's closing "```".
 */

/** The partials, result and error of `text` fed one character at a time and whole, under onTruncated: 'accept' (the same for both feeds). */
function run(text: string, finishReason: 'stop' | 'length' = 'stop') {
  const runs = [[...text], [text]].map((chunks) => parseRun(chunks, finishReason));
  expect([runs[1]!.result?.data, runs[1]!.error]).toEqual([runs[0]!.result?.data, runs[0]!.error]);
  return runs[0]!;
}

describe('a JSON string alone in a fence', () => {
  it.each([
    ['```json\n"`a`"\n```', '`a`'],
    ['```json\n"```"\n```', '```'],
    ['Here:\n```\n"use {x} and [y]"\n```\nHope it helps.', 'use {x} and [y]'],
    ['```\n"["\n```\nHope it helps [1].', '['],
  ])('should be the answer of %j, its backticks and brackets the string\'s, with no partial of another value', (text, data) => {
    const { error, result, partials } = run(text);
    expect([error, result?.data, result?.truncated, partials]).toEqual([undefined, data, false, [data]]);
    expect(extractJson(text)).toEqual({ json: JSON.stringify(data), from: 'fence' });
  });

  it('should come before prose that holds no JSON (`{curly}`), which repair refuses', () => {
    expect(run('Use {curly} style.\n```json\n42\n```').result?.data).toBe(42);
  });
});

// the brackets of a fence body's strings are no roots, but a root found there keeps them: they are its strings' text
describe('JSON in a fence whose body does not start with it', () => {
  it.each([
    ['```json\n// result\n{"greeting": "Hi {name}"}\n```', { greeting: 'Hi {name}' }],
    ['```js\nconst x = {"tags": ["[a]"], "s": "{b}"};\n```', { tags: ['[a]'], s: '{b}' }],
  ])('should keep the brackets in the strings of %j, in the result and the last partial', (text, data) => {
    const { error, result, partials } = run(text);
    expect([error, result?.data, partials.at(-1)]).toEqual([undefined, data, data]);
    expect(extractJson(text)).toEqual({ json: text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1), from: 'text' });
  });
});

describe('an answer cut at a length finish', () => {
  it.each([
    ['a bare string holding an array', '"ids: [1, 2] and', 'ids: [1, 2] and'],
    ['a bare string holding a bracket', '"[', '['],
    ['a string in an array, at its white space', '[{}, " ', [{}, ' ']],
    ['a string holding "```" in a fenced object', '```\n{"k": "``` -', { k: '``` -' }],
    ['a fenced string holding "```"', '```json\n"``````', '``````'],
    ['a fenced string before its closing "```"', '```\n""\n`', ''],
    // a "```" was taken for the close of a "````" fence: the number was whole, never truncated
    ['a fenced number in a four-backtick fence\'s closing "````"', '````json\n42\n```', 42],
    ['prose right after an opening bracket', 'Sure! {', {}],
    ['prose in an array\'s first literal', 'The flags: [tr', [true]],
    ['prose in an object\'s first key, unquoted', 'Sure! {tr', {}],
    // the first high surrogate is alone (a whole escape follows it), as JSON.parse keeps it; only the last may wait for its pair
    ['a bare string ending in two high surrogates', '"`\\ud83d\\ud83d', '`\ud83d'],
    ['a string in an object ending in two high surrogates', '{"e": "\\ud83d\\ud83d', { e: '\ud83d' }],
  ])('should be truncated for %s (%j), its partials growing toward the closed value', (_, text, data) => {
    const { error, result, partials } = run(text, 'length');
    expect([error, result?.data, result?.truncated]).toEqual([undefined, data, true]);
    expect(partials.at(-1)).toEqual(data);
  });

  it('should fail each of them as truncated JSON under the default onTruncated', () => {
    for (const text of ['"ids: [1, 2] and', '```json\n"``````', '```\n""\n`', 'Sure! {']) {
      let error: unknown;
      const events: L0Event[] = [START, { type: 'token', value: text }, { type: 'complete', finishReason: 'length' }];
      from(events).pipe(parseStructured({ schema: z.any() })).subscribe({ error: (e: unknown) => (error = e) });
      expect(isSchemaValidationError(error) && [text, error.info.truncated, error.retryable]).toEqual([text, true, true]);
    }
  });

  it('should keep prose cut after an opening bracket at a stop finish no JSON', () => {
    expect(isSchemaValidationError(run('Sure! {').error)).toBe(true);
  });
});

/** The partials of `text` fed one character at a time, before the answer ends (the end adds what repair made of it). */
function streamed(text: string): unknown[] {
  const out: unknown[] = [];
  from([START, ...[...text].map((value): L0Event => ({ type: 'token', value }))]).pipe(parseStructured({ schema: z.any() })).subscribe((e) => e.type === 'partial' && out.push(e.value));
  return out;
}

// jsonrepair reads U+00A0, U+180E, U+2000-U+200B, U+202F, U+205F, U+3000 and U+FEFF as white space; JSON.parse none of them
describe('white space JSON does not allow, between tokens', () => {
  it('should be white space to the partials, as to repair: no inner root streamed', () => {
    // the parser took `[\u00a0` for prose and streamed [""], ["x"]: no view of the result
    const text = '[\u00a0["x"], true]';
    expect(run(text).result?.data).toEqual([['x'], true]);
    expect(streamed(text)).toEqual([[[]], [['']], [['x']], [['x'], true]]);
  });

  it.each([
    ['Sure: [\u200b{}]', [{}]],
    ['Sure: {\u200b}', {}],
    ['Sure: [true\u180e]', [true]],
  ])('should leave %j the root jsonrepair reads (U+180E and U+200B are no `\\s`)', (text, data) => {
    // extraction took the inner {} for the answer, or found none: `{\u200b}` was no JSON
    expect([run(text).result?.data, streamed(text).at(-1)]).toEqual([data, data]);
  });

  it.each(['See [\u200b1, 2] for details.', 'Result: [\u180e1] Smith, J.'])('should leave %j a citation, as it is with a space there (no answer)', (text) => {
    // LOOKS_LIKE_ARRAY took U+200B for white space, the citation test did not: [1, 2] became the answer
    for (const t of [text, text.replace(/[\u180e\u200b]/, ' ')]) {
      expect(isSchemaValidationError(run(t).error)).toBe(true);
      expect(streamed(t)).toEqual([]);
    }
  });

  it.each([
    ['Sure: {"a":\u00a01} {"z": 1}', { z: 1 }],
    ['Sure: [\u200b1, 2] and ["x"]', ['x']],
  ])('should leave the valid JSON after a root that holds one the answer, in the partials as in extraction (%j)', (text, data) => {
    // JSON.parse refuses the first root, so extraction takes the valid one after it; the partials stayed on the first
    expect([run(text).result?.data, streamed(text).at(-1)]).toEqual([data, data]);
  });

  it('should end no number: jsonrepair reads `1\u00a0` as the string "1\u00a0", which the partials never show as 1', () => {
    const text = '{"a": 1\u00a0}';
    expect(run(text).result?.data).toEqual({ a: '1\u00a0' });
    expect(streamed(text)).toEqual([{}]);
  });

  it.each([
    ['{"a": 50%}', { a: '50%' }, [{}]],
    ['{"t": 20\u00b0C}', { t: '20\u00b0C' }, [{}]],
    ['{"p": 5\u20ac, "n": 1}', { p: '5\u20ac', n: 1 }, [{}]],
  ])('should end no number at a character jsonrepair ends none at: %j is a string to it, never shown as a number', (text, data, partials) => {
    // the fix above took only jsonrepair's other spaces: `50%` showed {a: 50}, then the result {a: '50%'}
    expect([run(text).result?.data, streamed(text)]).toEqual([data, partials]);
  });

  it('should keep a missing comma reported: insert-comma, not repair', () => {
    expect(repairJson('{"a": "x"\u00a0"b": 1}').corrections).toEqual(['insert-comma']);
  });
});

describe('control characters raw in a string', () => {
  it('should read an answer that is one string holding a raw line break as that string, as jsonrepair does', () => {
    // the partials showed "a\nb" and repair refused it: no object or array in the answer
    const r = repairJson('"a\nb [1]"\n');
    expect([r.value, r.corrections]).toEqual(['a\nb [1]', ['escape-control-chars']]);
    expect([run('"a\nb"').result?.data, streamed('"a\nb"').at(-1)]).toEqual(['a\nb', 'a\nb']);
  });

  it('should stop the partials of an answer that is one string at one, never showing a root from inside it (`"a\\u0001: [1, 2]"`)', () => {
    // the bare string gave up at the \u0001 and the parser read its inside: [1], [1, 2] streamed, then the INVALID_JSON
    for (const text of ['"a\u0001: [1, 2]"', '"a\u0001: [1, 2]']) {
      expect(isSchemaValidationError(run(text).error)).toBe(true);
      expect(streamed(text)).toEqual(['a']);
    }
    // something after its close makes it no bare string: the root after it is the answer, and streams
    expect([run('"a\u0001" {"a": 1}').result?.data, streamed('"a\u0001" {"a": 1}').at(-1)]).toEqual([{ a: 1 }, { a: 1 }]);
  });

  it.each(['["a\u0001b"]', '"a\u0001b"', '{"k\u001f": 1}'])('should stop the partials at one jsonrepair refuses, as repair does (%j)', (text) => {
    // the partials grew past it (["a\u0001b"]) to an answer that then failed
    expect(isSchemaValidationError(run(text).error)).toBe(true);
    expect(JSON.stringify(streamed(text))).not.toMatch(/\\u00(01|1f)/); // (JSON.stringify escapes it)
  });
});
