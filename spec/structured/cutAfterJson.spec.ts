/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured, type L0Event, type TruncatedPolicy } from 'l0-rx';

/*
 * A `length` finish after JSON that closed: the answer is cut when the model was cut writing more
 * JSON after it (an object or array that never closes, after any number of closed ones, or a fence
 * that never closes holding a scalar, as the answer's own fence would be), not when it was cut in prose.
 */
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

function run(text: string, finishReason: 'stop' | 'length', onTruncated: TruncatedPolicy) {
  const out: L0Event[] = [];
  let error: unknown;
  const events: L0Event[] = [start, { type: 'token', value: text }, { type: 'complete', finishReason }];
  from(events).pipe(parseStructured({ schema: z.unknown(), onTruncated })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
  const result = out.find((e) => e.type === 'result');
  return { error, result: result?.type === 'result' ? result : undefined };
}

const fence = (body: string) => `\`\`\`json\n${body}`;

describe('a length finish after JSON that closed', () => {
  it.each([
    ['a whole scalar in a second fence that never closed', `${fence('1')}\n\`\`\`\n${fence('2')}`, 1],
    ['a cut string in a second fence', `${fence('1')}\n\`\`\`\n${fence('"ab')}`, 1],
    ['a lone `-` in a second fence', `${fence('{"a": 1}')}\n\`\`\`\n${fence('-')}`, { a: 1 }],
    ['a scalar in a third fence after two whole ones', `${fence('1')}\n\`\`\`\n${fence('2')}\n\`\`\`\n${fence('3')}`, 1],
    ['an object cut after two whole fences', `${fence('{"a": 1}')}\n\`\`\`\n${fence('{"a": 2}')}\n\`\`\`\n{"a": `, { a: 1 }],
    ['an object cut after two closed ones in prose', '{"a": 1} {"a": 2} {"a": ', { a: 1 }],
  ])('should take %s as truncated: reject fails it, accept flags the first value', (_, text, data) => {
    const rejected = run(text, 'length', 'reject');
    expect(isSchemaValidationError(rejected.error) && [rejected.error.code, rejected.error.info.truncated]).toEqual(['INVALID_JSON', true]);
    const accepted = run(text, 'length', 'accept');
    expect([accepted.error, accepted.result?.data, accepted.result?.truncated]).toEqual([undefined, data, true]);
  });

  it.each([
    ['the same text at a stop finish', `${fence('1')}\n\`\`\`\n${fence('2')}`, 'stop'],
    ['a bare number after the fence (prose)', `${fence('1')}\n\`\`\`\n2`, 'length'],
    ['a second fence that closed, then prose', `${fence('1')}\n\`\`\`\n${fence('2')}\n\`\`\`\n3`, 'length'],
    ['a second fence holding code', `${fence('1')}\n\`\`\`\n\`\`\`python\nprint(`, 'length'],
    ['a second fence with nothing in it yet', `${fence('1')}\n\`\`\`\n${fence('')}`, 'length'],
  ] as const)('should keep the first value, not truncated, for %s', (_, text, finish) => {
    const r = run(text, finish, 'reject');
    expect([r.error, r.result?.data, r.result?.truncated]).toEqual([undefined, 1, false]);
  });
});

describe('a length finish after JSON, then a citation or code the limit cut', () => {
  // what follows the JSON is read as the whole answer reads it: its start is no answer's start, so `[1, 2` after `} ` cites and `json[` after `}` indexes
  it.each(['{"a": 1} [1, 2', '{"a": 1} json [1, 2', '{"a": 1}json["x'])('should keep %j whole, not truncated', (text) => {
    const r = run(text, 'length', 'reject');
    expect([r.error, r.result?.data, r.result?.truncated]).toEqual([undefined, { a: 1 }, false]);
  });

  it.each(['{"a": 1}\n[1, 2', '{"a": 1} ids: [1, 2', '{"a": 1}["x'])('should still take %j, an introduced array or one right after the JSON, as truncated', (text) => {
    const r = run(text, 'length', 'accept');
    expect([r.error, r.result?.data, r.result?.truncated]).toEqual([undefined, { a: 1 }, true]);
  });
});

describe('a string cut after JSON that closed', () => {
  // the README's onTruncated: outside a fence a scalar after the JSON is prose, and at a stop finish nothing after closed JSON was cut
  it.each([
    ['{"a": 1} "and so', 'stop'],
    ['{"a": 1} "and so', 'length'],
    ['```json\n{"a": 1}\n```\n"Note: the', 'stop'],
    ['```json\n{"a": 1}\n```\n"Note: the', 'length'],
  ] as const)('should keep %j whole, not truncated, at a %s finish', (text, finish) => {
    const r = run(text, finish, 'reject');
    expect([r.error, r.result?.data, r.result?.truncated]).toEqual([undefined, { a: 1 }, false]);
  });
});

describe('a length finish after JSON and a code fence that closed', () => {
  // a bracket in the code's strings opens no root the cut stopped: the fence closed after it
  it.each([
    ['JSON in prose, then code printing a brace', '{"a": 1}\n\nUsage:\n```py\nprint("{")\n```\nMore about'],
    ['JSON in a fence, then code printing a bracket', '```json\n{"a": 1}\n```\n```js\nconsole.log("[");\n```\nThis logs'],
    ['JSON in prose, then code with an unclosed object', '{"a": 1}\n```js\nconst x = {"b": 1\n```\nThat is'],
  ])('should keep %s whole, not truncated', (_, text) => {
    const r = run(text, 'length', 'reject');
    expect([r.error, r.result?.data, r.result?.truncated]).toEqual([undefined, { a: 1 }, false]);
  });

  it('should still take a root cut after such a fence as truncated', () => {
    const r = run('{"a": 1}\n```py\nprint("{")\n```\n{"b": ', 'length', 'accept');
    expect([r.error, r.result?.data, r.result?.truncated]).toEqual([undefined, { a: 1 }, true]);
  });
});
