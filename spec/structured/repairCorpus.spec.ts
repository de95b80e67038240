/** @test {repairJson} */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { isSchemaValidationError, repairJson } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/*
 * The repair corpus: malformed model outputs with the value each must give. It includes every
 * case L0 fails or corrupts (reference/l0-composition-inventory.md sections 0 and 2), chatty and
 * fenced answers, comments, single quotes, nesting, unicode, and S6 of l0-tests-and-bench.md 7.10.
 * Below it: truncation at every position of a nested document, and valid JSON passing unchanged.
 */
const CORPUS: readonly (readonly [string, unknown])[] = [
  // L0 corrupts or rejects these (inventory 0 #1, #2; 2.1 steps 5-7)
  ['{"url": "https://example.com/a//b"}', { url: 'https://example.com/a//b' }],
  ['{"a":"x,}"}', { a: 'x,}' }],
  ['{"a":[1,2', { a: [1, 2] }],
  ['{"name": "Al', { name: 'Al' }],
  ['{"a": "x // not a comment", "b": 1}', { a: 'x // not a comment', b: 1 }],
  ['{"a": "/* not a comment */"}', { a: '/* not a comment */' }],
  ['{"re": "^[a-z]+$", "b": "{}[]"}', { re: '^[a-z]+$', b: '{}[]' }],
  ['Sure! {"a": 1}', { a: 1 }],
  ['Use {curly} then {"a":1}', { a: 1 }],
  ['Set {x} and {"a":1}', { a: 1 }],
  // S6 (l0-tests-and-bench 7.10)
  ['{"a": {"b": {"c": {"d": "value"}', { a: { b: { c: { d: 'value' } } } }],
  ['[{"name":"John"}, {"name":"Jane"', [{ name: 'John' }, { name: 'Jane' }]],
  ['{"a":1,}', { a: 1 }],
  ['before {"x":1} after {y}', { x: 1 }],
  ['He said "use {braces}" like {"k": "v"}', { k: 'v' }],
  // chatty
  ["Here's the JSON:\n{\"a\": 1}", { a: 1 }],
  ['Here is the JSON: {"a": 1}\n\nI hope this helps!', { a: 1 }],
  ['Certainly! Here you go:\n\n{"items": [1, 2, 3]}\n\nLet me know if you need more.', { items: [1, 2, 3] }],
  ['As an AI model, I produced: {"ok": true}', { ok: true }],
  ['The answer is [1, 2, 3].', [1, 2, 3]],
  ['Result:\n{"a": "b"}\nThis JSON has one key.', { a: 'b' }],
  // fenced
  ['```json\n{"a": 1}\n```', { a: 1 }],
  ['```\n{"a": 1}\n```', { a: 1 }],
  ['```JSON\n{"a": 1}\n```', { a: 1 }],
  ['```javascript\n{"a": 1}\n```', { a: 1 }],
  ['Sure, here is the JSON:\n```json\n{"name": "Ann",}\n```', { name: 'Ann' }],
  ['Text first.\n\n```json\n{"a": [1, 2]}\n```\n\nText after.', { a: [1, 2] }],
  ['```json\n{"a": 1, "b": [1, 2', { a: 1, b: [1, 2] }],
  ['```sh\nnpm i\n```\n```json\n{"a": 1}\n```', { a: 1 }],
  ['~~~\nnot json\n~~~\n{"a": 2}', { a: 2 }],
  ['Here:\n```json\n{"readme": "Run:\\n```sh\\nnpm i\\n```"}\n```', { readme: 'Run:\n```sh\nnpm i\n```' }],
  // truncated
  ['{"a": 1, "b": "tw', { a: 1, b: 'tw' }],
  // a key cut, or cut before its value, is dropped: no invented key, no null the model never wrote
  ['{"a": 1, "b":', { a: 1 }],
  ['{"a": 1, "b', { a: 1 }],
  ['{"a": 1, "name" ', { a: 1 }],
  ['{"a": {"b": 1, "c', { a: { b: 1 } }],
  ['[{"a": 1}, {"b', [{ a: 1 }, {}]],
  ["{'a': 1, 'na", { a: 1 }],
  // unquoted too: a cut `n` is a key's start, never `"null": null`
  ['{"a": 1, n', { a: 1 }],
  ['{"a": 1, name: ', { a: 1 }],
  ['{a: 1, b', { a: 1 }],
  ['{"a": 1, "b": [1, 2], "c": ', { a: 1, b: [1, 2] }],
  ['[1, "x', [1, 'x']],
  ['{"a": [1, {"b": [2, [3', { a: [1, { b: [2, [3]] }] }],
  ['[1, 2, 3', [1, 2, 3]],
  ['{"a": tru', { a: true }],
  ['{"a": "x\\', { a: 'x' }],
  ['{"a": "caf\\u00', { a: 'caf' }],
  ['{"e": "\\ud83d', { e: '' }],
  ['{"e": "\\ud83d\\u', { e: '' }],
  ['{"e": "\\ud83d\\ude', { e: '' }],
  // a high surrogate before a whole one is alone, as JSON.parse keeps it: only the cut last one goes
  ['{"e": "a\\ud83d\\ud83d', { e: 'a\ud83d' }],
  ['{"e": "a\\ud83d\\ud83d\\u', { e: 'a\ud83d' }],
  ['{"a": 1, "b": -', { a: 1 }],
  ['{"a": 1, "b": n', { a: 1, b: null }],
  ['[1, -', [1]],
  ['{"a": 1.', { a: 1 }],
  ['{"a": 0.5e-', { a: 0.5 }],
  ['{"a": ["["], "b": 1e+', { a: ['['], b: 1 }],
  ['{"a": ["["]', { a: ['['] }],
  // strings that open a bracket, right before their container closes (jsonrepair would split them)
  ['{"a": ["["], "b": 1,}', { a: ['['], b: 1 }],
  ['{"re": ["^[a-z", "x"],}', { re: ['^[a-z', 'x'] }],
  ["{'a': 1, \"s\": \"x {\"}", { a: 1, s: 'x {' }],
  // commented
  ['{\n  // the name\n  "a": 1\n}', { a: 1 }],
  ['{"a": 1 /* one */, "b": 2}', { a: 1, b: 2 }],
  // single quotes, unquoted keys, literals
  ["{'a': 'b'}", { a: 'b' }],
  ["{'a': \"it's\"}", { a: "it's" }],
  ['{a: 1, b: "x"}', { a: 1, b: 'x' }],
  ['{a: None, b: True, c: False}', { a: null, b: true, c: false }],
  ['{"a": undefined}', { a: null }],
  ['{"a": 1, "b": [true, fals', { a: 1, b: [true, false] }],
  ['{"a": n', { a: null }],
  ['{“a”: “b”}', { a: 'b' }],
  ['{"a": 1 "b": 2}', { a: 1, b: 2 }],
  ['[1 2 3]', [1, 2, 3]],
  ['{"a": "line1\nline2"}', { a: 'line1\nline2' }],
  ['{"a": "tab\there"}', { a: 'tab\there' }],
  ['{"a": [1, 2,], "b": {"c": 3,},}', { a: [1, 2], b: { c: 3 } }],
  // nested
  ['{"user": {"name": "A", "roles": ["x", "y"], "meta": {"n": 1}}}', { user: { name: 'A', roles: ['x', 'y'], meta: { n: 1 } } }],
  ['[[[]]]', [[[]]]],
  ['{"a": [{"b": [{"c": []}]}]}', { a: [{ b: [{ c: [] }] }] }],
  // unicode
  ['{"e": "😀 émoji ✓"}', { e: '😀 émoji ✓' }],
  ['{"e": "\\ud83d\\ude00"}', { e: '😀' }],
  ['{"日本": "語"}', { 日本: '語' }],
  ['{"q": "say \\"hi\\""}', { q: 'say "hi"' }],
  ['{"e": "😀 cut', { e: '😀 cut' }],
  // keys that must not touch prototypes
  ['{"__proto__": {"x": 1}}', JSON.parse('{"__proto__": {"x": 1}}')],
  ['{constructor: {prototype: 1}}', { constructor: { prototype: 1 } }],
  // once known gaps: jsonrepair reads no `#` comment (it failed, or took the string's end quote for a stray one and
  // merged the comment into the string), and makes `NaN` a string, which the README documents
  ['{"a": 1, # python comment\n"b": 2}', { a: 1, b: 2 }],
  ['{"a": NaN}', { a: 'NaN' }],
];

describe('repairJson corpus', () => {
  it('should hold at least 60 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it('should be counted in the README as it is', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const valid = CORPUS.filter(([text]) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    }).length;
    expect(readme).toContain(`${CORPUS.length} model outputs, ${CORPUS.length - valid} of them malformed`);
    expect(readme).toContain(`and ${valid} valid ones`);
    expect(readme).toContain(`for all ${CORPUS.length} and`);
  });

  it.each(CORPUS)('should repair %j', (text, expected) => {
    expect(repairJson(text).value).toEqual(expected);
  });

  it('should never pollute Object.prototype', () => {
    for (const [text] of CORPUS) repairJson(text);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('repairJson on complete answers', () => {
  it('should not flag a fenced answer truncated when one of its strings holds a fence', () => {
    const r = repairJson('Here:\n```json\n{"readme": "Run:\\n```sh\\nnpm i\\n```"}\n```');
    expect([r.value, r.truncated]).toEqual([{ readme: 'Run:\n```sh\nnpm i\n```' }, false]);
  });

  it('should repair a mismatched bracket without flagging it truncated', () => {
    const r = repairJson('{"a": [1, 2}');
    expect([r.value, r.truncated, r.corrections]).toEqual([{ a: [1, 2] }, false, ['repair']]);
  });

  it.each(['I found [1] source', 'See [2].', '[1] Smith, J. (2020). On numbers.'])('should reject prose with a citation: %j', (text) => {
    expect(() => repairJson(text)).toThrow(/no object or array/);
  });

  it('should skip a citation before the JSON', () => {
    expect(repairJson('According to [1], the answer is: {"a": 1}').value).toEqual({ a: 1 });
  });

  it.each(['I cannot share [redacted] details.', 'Use {curly} braces.', 'See [the docs] and {this}.'])('should reject prose with a bracketed word: %j', (text) => {
    expect(() => repairJson(text)).toThrow(/no object or array/);
  });

  it('should keep the jsonrepair error as the cause of INVALID_JSON', () => {
    let error: unknown;
    try {
      repairJson('{"a": 1 @@@ }}}]]]');
    } catch (e) {
      error = e;
    }
    expect(isSchemaValidationError(error) && error.cause).toBeInstanceOf(Error);
  });
});

describe('repairJson on truncation', () => {
  const DOC = '{"name": "Ada", "tags": ["a", {"k": [1, 2.5, "x,}"]}], "meta": {"url": "https://a.b//c", "ok": true}}';
  const prefixes = Array.from({ length: DOC.length - 1 }, (_, i) => DOC.slice(0, i + 1));

  it.each(prefixes)('should close %j as truncated', (prefix) => {
    const r = repairJson(prefix);
    expect([r.truncated, typeof r.value]).toEqual([true, 'object']);
    if (prefix.length > '{"name": "Ada",'.length) expect(r.value).toMatchObject({ name: 'Ada' });
  });
});

describe('repairJson on cut documents (properties)', () => {
  const containers = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));

  it('should close any cut object or array, flagged truncated', () => {
    fc.assert(fc.property(containers, fc.nat(), (value, k) => {
      const text = JSON.stringify(value);
      const cut = text.slice(0, 1 + (k % (text.length - 1)));
      expect(repairJson(cut).truncated).toBe(true);
    }), { numRuns: runs(500) });
  });

  it('should close a cut document to a prefix of its value: no key or null it does not hold, strings as prefixes (property)', () => {
    /** `p` is what `r` began with: its keys and elements are `r`'s, strings prefixes, numbers numbers (`12` of `123`). */
    const prefix = (p: unknown, r: unknown): boolean => {
      if (typeof p === 'string') return typeof r === 'string' && r.startsWith(p);
      if (typeof p === 'number') return typeof r === 'number';
      if (typeof p !== 'object' || p === null) return p === r;
      if (typeof r !== 'object' || r === null || Array.isArray(p) !== Array.isArray(r)) return false;
      if (Array.isArray(p)) return p.length <= (r as unknown[]).length && p.every((v, i) => prefix(v, (r as unknown[])[i]));
      return Object.entries(p).every(([k, v]) => Object.hasOwn(r, k) && prefix(v, (r as Record<string, unknown>)[k]));
    };
    fc.assert(fc.property(containers, fc.nat(), fc.boolean(), (value, k, pretty) => {
      const text = JSON.stringify(value, null, pretty ? 2 : undefined);
      const { value: closed } = repairJson(text.slice(0, 1 + (k % text.length)));
      expect(prefix(closed, value), JSON.stringify(closed)).toBe(true);
    }), { numRuns: runs(1000) });
  });

  it('should give back the exact value of a document cut right before its last closer', () => {
    fc.assert(fc.property(containers, (value) => {
      const text = JSON.stringify(value);
      expect(repairJson(text.slice(0, -1)).value).toEqual(JSON.parse(text));
    }), { numRuns: runs(500) });
  });
});

describe('repairJson on deep or huge input', () => {
  it('should fail with a typed INVALID_JSON, not a crash, on 100k unclosed brackets', () => {
    const error: unknown = (() => {
      try {
        return repairJson('['.repeat(100_000));
      } catch (e) {
        return e;
      }
    })();
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated]).toEqual(['INVALID_JSON', true]);
  });

  it('should parse 100k closed nested brackets', () => {
    expect(repairJson(`Here: ${'['.repeat(100_000)}${']'.repeat(100_000)}`).corrections).toEqual(['extract-text']);
  });

  it('should read prose with nested brackets in linear total work', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const text = `x ${'[a '.repeat(20_000)}${']'.repeat(20_000)}`;
      expect(() => repairJson(text)).toThrow(/no object or array/);
      const parsed = parse.mock.calls.reduce((n, [s]) => n + String(s).length, 0);
      expect(parsed).toBeLessThan(10 * text.length);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('repairJson on valid JSON', () => {
  it('should pass any valid JSON through unchanged, with no corrections (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      const r = repairJson(text);
      expect([JSON.stringify(r.value), r.corrected, r.corrections, r.truncated]).toEqual([text, false, [], false]);
    }));
  });
});
