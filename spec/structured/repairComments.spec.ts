/** @test {repairJson} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { extractJson, isSchemaValidationError, parseStructured, repairJson, type L0Event } from 'l0-rx';
import { START } from '../helpers/scriptedAnswers.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * The repair corpus' two known gaps: Python `#` comments (jsonrepair reads none) and `NaN`. The
 * outcome is a documented repair or a typed error, never a value the model did not write. A
 * bracket in a comment is the comment's wherever a value's end is sought.
 */
describe('repairJson on Python comments', () => {
  it.each([
    ['after a comma', '{"a": 1, # python comment\n"b": 2}', { a: 1, b: 2 }],
    ['after a value', '{"a": 1 # one\n}', { a: 1 }],
    // jsonrepair took the string's end quote for a stray one and merged the comment into the string
    ['after a string, quoting a word', '{"a": "x" # "quoted" note\n, "b": 2}', { a: 'x', b: 2 }],
    ['in an array', '[1, # one\n 2]', [1, 2]],
    ['on a line of its own', '{\n  # the id\n  "id": 7\n}', { id: 7 }],
  ])('should remove one %s', (_, text, value) => {
    const r = repairJson(text);
    expect([r.value, r.truncated, r.corrections]).toEqual([value, false, ['remove-comments']]);
  });

  it('should keep a `#` inside a string, and read `#fff` as the value jsonrepair makes of it', () => {
    expect(repairJson('{"tag": "# not a comment", # one\n"n": 1}').value).toEqual({ tag: '# not a comment', n: 1 });
    expect(repairJson('{"color": #fff}').value).toEqual({ color: '#fff' });
  });

  it('should close a cut answer whose last line is a comment, flagged truncated', () => {
    const r = repairJson('{"a": 1, # more to come');
    expect([r.value, r.truncated]).toEqual([{ a: 1 }, true]);
  });
});

/** The partials the parser streams for `chunks`, before any `complete` (whose result would be shown last). */
function streamed(chunks: readonly string[]): unknown[] {
  const out: unknown[] = [];
  const events = [START, ...chunks.map((value): L0Event => ({ type: 'token', value }))];
  from(events).pipe(parseStructured({ schema: z.any() })).subscribe((e) => e.type === 'partial' && out.push(e.value));
  return out;
}

describe('a bracket in a comment', () => {
  it.each([
    ['a `#` comment in an array', '{"a": [1, # ] note\n 2]}', { a: [1, 2] }],
    ['a `//` comment in an object', '{"a": 1, // } note\n "b": 2}', { a: 1, b: 2 }],
    ['a block comment', '{"a": 1, /* ] */ "b": [2]}', { a: 1, b: [2] }],
  ])('should be the comment\'s in %s: the value ends where repair reads its end', (_, text, value) => {
    // the scan for the value's end (matchingEnd) closed it at the comment's bracket: a cut value, closed as truncated
    expect(extractJson(text)).toEqual({ json: text, from: 'whole' });
    const r = repairJson(text);
    expect([r.value, r.truncated, r.corrections]).toEqual([value, false, ['remove-comments']]);
  });

  it('should be the comment\'s to the partials too, which then find the root extraction finds', () => {
    // a stopped root is read to its close, then the search goes on: both closed it at the comment's `]` and took [2]
    const text = "Sure: {'a': 1, # ]\n 'b': [2]} {\"c\": 3}";
    expect(extractJson(text)).toEqual({ json: '{"c": 3}', from: 'text' });
    for (const chunks of [[...text], [text]]) expect(streamed(chunks).at(-1)).toEqual({ c: 3 });
  });

  it('should read the `//` of a URL as no comment, as jsonrepair reads the URL', () => {
    // it was a comment that ran to the end: the object was cut
    const r = repairJson('{url: https://x.com}');
    expect([r.value, r.truncated, r.corrections]).toEqual([{ url: 'https://x.com' }, false, ['quote-keys']]);
    // the partials tell it from a comment with the scheme in the token before it
    const text = 'Sure: {"u": ftp://x/y} {"c": 3}';
    expect(extractJson(text)).toEqual({ json: '{"c": 3}', from: 'text' });
    for (const chunks of [[...text], ['Sure: {"u": ftp', '://x/y} {"c": 3}']]) expect(streamed(chunks).at(-1)).toEqual({ c: 3 });
  });

  it.each([
    ['a `//` after the host', 'https://x.com//a'],
    ['a `//` in the path', 'https://x.com/a//b'],
    ['a `/*`', 'ftp://x/a/*b'],
    ['a quote', "https://x.com/it's"],
  ])('should read %s later in a URL as the URL\'s, as jsonrepair reads the URL on over its characters', (_, url) => {
    // jsonrepair reads `{"u": https://x.com//a}` whole; the second `//` read as a comment flagged it cut (close-structure) and hid the `}`
    const r = repairJson(`{"u": ${url}}`);
    expect([r.value, r.corrections, r.truncated]).toEqual([{ u: url }, ['repair'], false]);
    expect(repairJson(`{"u": ${url} "v": 1}`).corrections).toEqual(['insert-comma']);
    // extraction and the partials read its `}` as the root's close, and take the root after it
    const text = `Sure: {"u": ${url}} {"c": 3}`;
    expect(extractJson(text)).toEqual({ json: '{"c": 3}', from: 'text' });
    for (const chunks of [[...text], [text]]) expect(streamed(chunks).at(-1)).toEqual({ c: 3 });
  });

  it('should read a URL ending in `#` before white space whole, its `#` no comment, in the partials as in extraction and repair', () => {
    // the partials took the URL's last `#` and the space after it for a `# ` comment, which hid the `}`: no {"c": 3}
    expect(repairJson('{"u": https://x.com/a# }').value).toEqual({ u: 'https://x.com/a#' });
    const text = `Sure: {'u': https://x.com/a# } {"c": 3}`;
    expect(extractJson(text)).toEqual({ json: '{"c": 3}', from: 'text' });
    for (const chunks of [[...text], [text]]) expect(streamed(chunks).at(-1)).toEqual({ c: 3 });
  });

  it('should read a `//` after a URL and white space as the comment jsonrepair makes of it', () => {
    const r = repairJson('{"u": https://x.com/a //b}\n}');
    expect([r.value, r.corrections, r.truncated]).toEqual([{ u: 'https://x.com/a' }, ['remove-comments'], false]);
  });

  it.each(['s3', 'sftp', 'postgres'])('should read the `//` after `%s:`, a scheme jsonrepair knows no URL by, as the comment jsonrepair makes of it: cut, flagged', (scheme) => {
    // any word before `://` made a URL: jsonrepair's comment still ate the value's rest and its `}`, and repair said nothing was removed or cut
    const r = repairJson(`{"u": ${scheme}://h/x}`);
    expect([r.value, r.corrections, r.truncated]).toEqual([{ u: `${scheme}:` }, ['remove-comments', 'close-structure'], true]);
    // so the partials, as extraction, read no root after it
    const text = `Sure: {"u": ${scheme}://h/x} {"c": 3}`;
    expect(extractJson(text)).toEqual({ json: text.slice(6), from: 'text' });
    expect(streamed([...text]).at(-1)).toEqual({});
  });

  // a root the parser stops (a single quote, an unquoted value) is read to its close as extraction reads it, comments and URLs alike
  const piece = fc.constantFrom('#', ' ', '\n', '/', '//', '*', '[', ']', '{', '}', 'x', '1', ':', ',', "'", 'ftp:', 'mailto:', 'sftp:', 'https://x');
  it('should stream the object after a stopped root exactly when extraction takes it, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom("{'a': 1, ", '{"a": '), fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 6 }), (head, pieces, cuts) => {
        const text = `Sure: ${head}${pieces.join('')}} {"z": 1}`;
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((c, k, all) => text.slice(c, all[k + 1] ?? text.length)).filter((c) => c !== '');
        const found = extractJson(text).json === '{"z": 1}';
        for (const c of [chunks, [...text], [text]]) expect([c, JSON.stringify(streamed(c).at(-1)) === '{"z":1}']).toEqual([c, found]);
      }),
      { numRuns: runs(400) },
    );
  });

  it('should run a `#` or `//` comment to its line\'s end, a closing bracket on that line its own: cut, as jsonrepair reads it', () => {
    // jsonrepair makes {"a": 1} of `{"a": 1, // note}` and of `{"a": 1, // note` alike: the `}` is the comment's
    for (const text of ['{"a": 1, # note}', '{"a": 1, // note}', '{"a": 1, # note']) {
      const r = repairJson(text);
      expect([text, r.value, r.truncated]).toEqual([text, { a: 1 }, true]);
    }
  });
});

describe('NaN and Infinity', () => {
  const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

  it('should become the strings jsonrepair makes of them (fix-literals), as documented', () => {
    const r = repairJson('{"a": NaN, "b": [Infinity]}');
    expect([r.value, r.corrections]).toEqual([{ a: 'NaN', b: ['Infinity'] }, ['fix-literals']]);
  });

  it('should read `-Infinity` as one literal, no comma missing before it', () => {
    // its `-` was taken for a number and `Infinity` for a second value after it: `insert-comma`
    const r = repairJson('{"a": -Infinity, "b": [1, -Infinity]}');
    expect([r.value, r.corrections]).toEqual([{ a: '-Infinity', b: [1, '-Infinity'] }, ['fix-literals']]);
    expect(repairJson('[1 -2]').corrections).toEqual(['insert-comma']);
  });

  it('should fail a schema that wants a number with SCHEMA_VALIDATION_FAILED, never pass a number the model did not write', () => {
    let error: unknown;
    const events: L0Event[] = [start, { type: 'token', value: '{"score": NaN}' }, { type: 'complete', finishReason: 'stop' }];
    from(events).pipe(parseStructured({ schema: z.object({ score: z.number().nullable() }) })).subscribe({ error: (e: unknown) => (error = e) });
    expect(isSchemaValidationError(error) && error.info.kind).toBe('SCHEMA_VALIDATION_FAILED');
  });
});
