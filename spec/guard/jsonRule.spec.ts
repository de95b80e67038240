/** @test {jsonRule} */
import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { guard, jsonRule, strictJsonRule, type L0Event } from 'l0-rx';
import { runSync, text } from './helpers.js';

const check = (...chunks: string[]) => runSync(text(...chunks), guard([jsonRule()]));
const messages = (...chunks: string[]) => check(...chunks).violations.map((v) => v.message);

describe('jsonRule (G6)', () => {
  it('should flag unbalanced structure at completion', () => {
    expect(messages('{"a":1')).toEqual(['the JSON ends with 1 unclosed bracket(s)']);
  });

  it('should flag a parse failure at completion', () => {
    expect(messages('{"a": value}')[0]).toMatch(/^the JSON does not parse/);
  });

  it('should leave prose and code alone', () => {
    expect(check('The answer is {probably} 4.').violations).toEqual([]);
    expect(check('```json\n{"a":\n```').violations).toEqual([]);
    expect(check('- [x] done\n- [ ] todo', ' ]] }').violations).toEqual([]);
  });

  it('should report nothing for an unfinished prefix while streaming', () => {
    const events$ = new Subject<L0Event>();
    const seen: string[] = [];
    events$.pipe(guard([jsonRule()])).subscribe({ next: (e) => seen.push(e.type), error: () => seen.push('error') });
    events$.next({ type: 'token', value: '{"a":' });
    events$.next({ type: 'token', value: ' [1, {"b"' });
    expect(seen).toEqual(['token', 'token']);
  });

  it('should flag a closer that closes nothing, and an empty slot, as they stream, with the position', () => {
    expect(check('{"a":1}}').violations[0]).toMatchObject({ message: '`}` without an opening bracket', position: 7 });
    expect(check('{"a":1,', ',"b":2}').violations[0]).toMatchObject({ message: 'empty value before `,`', position: 7 });
    expect(messages('[1, 2,]')).toEqual(['trailing comma before `]`']);
    expect(messages('{"a": [1}')[0]).toBe('`}` closes `[`');
  });

  it('should ignore brackets, commas and escaped quotes inside strings, across chunk boundaries', () => {
    expect(check('{"a": "}', ',,\\', '"]"}').violations).toEqual([]);
  });

  it('should accept valid JSON split anywhere', () => {
    const json = '{"name":"Ada","langs":["en","fr"],"n":{"x":[1,2,{"y":null}]}}';
    for (let i = 1; i < json.length; i++) expect(check(json.slice(0, i), json.slice(i)).violations).toEqual([]);
  });

  it('should leave prose that starts with a bracket, and JSON followed by prose, alone, split anywhere', () => {
    for (const t of [
      '[Paris](https://en.wikipedia.org/wiki/Paris) is the capital of France.',
      '[1] Smith, J. (2020). Title. Journal.',
      '[2, 3, 5, 7] are the first four primes.',
      '{x | x > 0} is the set of positive numbers.',
      '{"a": 1}\n\nThis object has one key.',
      '[1], [2] and [3] are cited above.',
    ]) {
      expect(check(t).violations).toEqual([]);
      for (let i = 1; i < t.length; i++) expect(check(t.slice(0, i), t.slice(i)).violations).toEqual([]);
      expect(check(...t).violations).toEqual([]);
    }
  });

  it('should still flag what follows a closed value when it is JSON: a stray closer, a comma, a second document on its line', () => {
    for (const [t, message] of [
      ['{"a":1}}', '`}` without an opening bracket'],
      ['{"a":1} ]', '`]` without an opening bracket'],
      ['{"a":1} {"b":2}', 'the JSON does not parse'],
      ['{"a":1}\n{"b":2}}', '`}` without an opening bracket'],
      ['[1], "x"', 'the JSON does not parse'],
      ['{"a": 1}: 2', 'the JSON does not parse'],
      ['[1] [2, 3', 'the JSON ends with 1 unclosed bracket(s)'],
    ] as const) {
      for (let i = 1; i < t.length; i++) expect(messages(t.slice(0, i), t.slice(i))[0]).toMatch(new RegExp(`^${message.replace(/[[\]()`{}]/g, '\\$&')}`));
    }
  });

  it('should flag an unclosed string', () => {
    expect(messages('{"a": "b')).toEqual(['the JSON ends inside a string']);
  });
});

describe('strictJsonRule', () => {
  it('should reject prose and primitives', () => {
    expect(runSync(text('just a string'), guard([strictJsonRule()])).violations[0]!.message).toBe('the output is not a JSON object or array');
    expect(runSync(text('"s"'), guard([strictJsonRule()])).violations).toHaveLength(1);
  });

  it('should reject a JSON value followed by prose, and prose that starts with a bracket', () => {
    expect(runSync(text('{"a": 1}\n\nThis object has one key.'), guard([strictJsonRule()])).violations[0]!.message).toMatch(/^the JSON does not parse/);
    expect(runSync(text('[1] Smith, J. (2020).'), guard([strictJsonRule()])).violations).toHaveLength(1);
  });

  it('should accept objects and arrays, and run only at completion', () => {
    expect(runSync(text(' {"a":1} '), guard([strictJsonRule()])).violations).toEqual([]);
    expect(runSync(text('[1]'), guard([strictJsonRule()])).violations).toEqual([]);
  });
});
