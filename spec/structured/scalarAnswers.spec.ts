/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractJson, isSchemaValidationError, parseStructured, repairJson, type L0Event, type TruncatedPolicy } from 'l0-rx';

/*
 * Answers that are one JSON scalar: a literal or number cut by the token limit (`tr`, `nul`, `1.`)
 * is truncated JSON as a cut string is, and a scalar alone in a fence (```json\n42\n```) is the
 * answer, for the schema to take or refuse; prose that merely holds a number stays no JSON.
 */
const tok = (value: string): L0Event => ({ type: 'token', value });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

function run(schema: z.ZodType, text: string, finishReason: 'stop' | 'length' = 'stop', onTruncated: TruncatedPolicy = 'retry') {
  const out: L0Event[] = [];
  let error: unknown;
  const done: L0Event = { type: 'complete', finishReason };
  from([start, tok(text), done]).pipe(parseStructured({ schema, onTruncated })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
  const result = out.find((e) => e.type === 'result');
  return { error, result: result?.type === 'result' ? result : undefined, partials: out.flatMap((e) => (e.type === 'partial' ? [e.value] : [])) };
}

describe('a bare literal or number cut at a length finish', () => {
  it.each([
    ['tr', z.boolean(), true],
    ['fal', z.boolean(), false],
    ['nul', z.null(), null],
    ['12', z.number(), 12],
    ['1.', z.number(), 1],
    ['-3e', z.number(), -3],
  ] as const)('should accept %j as truncated under onTruncated: accept, its last partial the result', (text, schema, data) => {
    const r = run(schema, text, 'length', 'accept');
    expect(r.error).toBeUndefined();
    expect([r.result?.data, r.result?.truncated, r.partials.at(-1)]).toEqual([data, true, data]);
  });

  it.each([
    ['retry', true],
    ['reject', false],
  ] as const)('should fail as truncated JSON under onTruncated: %s (retryable: %s)', (policy, retryable) => {
    for (const text of ['tr', 'nul', '1.', '-']) {
      const { error } = run(z.unknown(), text, 'length', policy);
      expect(isSchemaValidationError(error) && [text, error.code, error.info.truncated, error.retryable]).toEqual([text, 'INVALID_JSON', true, retryable]);
    }
  });

  it('should fail a lone `-` as truncated under accept too: it holds no value', () => {
    const { error } = run(z.number(), '-', 'length', 'accept');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', true, 'Invalid JSON: the answer was cut before its value']);
  });

  it.each([
    ['tr', true, ['repair']],
    [' nu\n', null, ['repair']],
    ['2.', 2, ['repair']],
    ['-0.5e+', -0.5, ['repair']],
  ] as const)('should close %j in repairJson, flagged truncated', (text, value, corrections) => {
    expect(repairJson(text)).toMatchObject({ value, truncated: true, corrected: true, corrections });
  });

  it.each(['trust me', 'no', 'nan', 'True', 'tr ue', '1, 2', '01.', 'Infinity'])('should still reject %j, which is no cut literal or number', (text) => {
    expect(() => repairJson(text)).toThrow(/no object or array/);
  });

  it('should leave a complete literal at a length finish alone (nothing could follow it)', () => {
    expect(run(z.boolean(), 'true', 'length', 'reject').result?.truncated).toBe(false);
  });
});

describe('a JSON scalar alone in a fence', () => {
  it.each([
    ['```json\n42\n```', z.number(), 42],
    ['Sure! ```json\n"red"\n```', z.enum(['red', 'green']), 'red'],
    ['The answer:\n```\n  true\n```\nHope it helps.', z.boolean(), true],
    ['```python\nprint(1)\n```\nOutput:\n```\n3.5\n```', z.number(), 3.5],
  ] as const)('should be the answer of %j when the schema takes it', (text, schema, data) => {
    const r = run(schema, text);
    expect(r.error).toBeUndefined();
    expect([r.result?.data, r.result?.corrections, r.result?.truncated, r.partials.at(-1)]).toEqual([data, ['extract-fence'], false, data]);
  });

  it('should fail with the schema\'s issue when the schema refuses it (the model did answer JSON)', () => {
    const { error } = run(z.object({ a: z.number() }), '```json\n42\n```');
    expect(isSchemaValidationError(error) && error.code).toBe('SCHEMA_VALIDATION_FAILED');
  });

  it('should not take a fenced number as cut at a length finish: its fence closed', () => {
    expect(run(z.number(), '```json\n42\n```', 'length', 'reject').result?.truncated).toBe(false);
  });

  it('should come after any object or array in the answer', () => {
    expect(run(z.unknown(), '```json\n1\n```\nor {"a": 2}').result?.data).toEqual({ a: 2 });
  });

  it('should be what extractJson finds', () => {
    expect(extractJson('Here:\n```json\n"red"\n```')).toEqual({ json: '"red"', from: 'fence' });
  });

  it.each(['The answer is 42.', 'It is ```42``` I think', '```json\n42', '```\nhello\n```', '```json\n1 2\n```'])(
    'should keep refusing %j: prose holding a number, inline code, an unclosed fence, or a body that is no JSON',
    (text) => {
      const { error } = run(z.unknown(), text);
      expect(isSchemaValidationError(error) && [error.code, error.message]).toEqual(['INVALID_JSON', expect.stringMatching(/no object or array/)]);
    },
  );
});

describe('a scalar cut inside a fence that never closed, at a length finish', () => {
  it.each([
    ['retry', true],
    ['reject', false],
  ] as const)('should fail as truncated JSON under onTruncated: %s (retryable: %s), as a bare cut scalar does', (policy, retryable) => {
    for (const text of ['```json\n12', '```json\n"abc', 'Here:\n```json\n"ab\\u00', '```\ntr', '```json\n1.']) {
      const { error } = run(z.unknown(), text, 'length', policy);
      expect(isSchemaValidationError(error) && [text, error.code, error.info.truncated, error.retryable, error.message]).toEqual([
        text,
        'INVALID_JSON',
        true,
        retryable,
        `Truncated JSON: the answer was cut (onTruncated: '${policy}')`,
      ]);
    }
  });

  it.each([
    ['```json\n12', z.number(), 12, ['extract-fence']],
    ['```json\n"abc', z.string(), 'abc', ['extract-fence', 'close-string']],
    ['```json\ntr', z.boolean(), true, ['extract-fence', 'repair']],
  ] as const)('should accept %j as truncated under onTruncated: accept, its body read as a whole answer', (text, schema, data, corrections) => {
    const r = run(schema, text, 'length', 'accept');
    expect(r.error).toBeUndefined();
    expect([r.result?.data, r.result?.truncated, r.result?.corrections]).toEqual([data, true, corrections]);
  });

  it.each(['```json\n```\n12', '```json\nhello', 'It is ```12'])('should keep refusing %j: a fence that closed, a body that is no JSON, or no fence body', (text) => {
    const { error } = run(z.unknown(), text, 'length');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', undefined, expect.stringMatching(/no object or array/)]);
  });
});

describe('a scalar cut in a fence, by the finish that ended it', () => {
  it.each([
    ['```json\n"hel\n```', 'length'],
    ['```json\n"hel\n```', 'stop'],
    ['```json\n{"a": "hel\n```', 'length'],
    ['```json\n"abc', 'stop'],
    ['Here:\n```\ntr', 'stop'],
    ['```json\n1.', 'stop'],
  ] as const)('should fail %j at a %s finish as truncated JSON: its text shows the cut (a closed fence\'s "```" may be its string\'s)', (text, finish) => {
    const { error } = run(z.unknown(), text, finish, 'reject');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.retryable, error.message]).toEqual([
      'INVALID_JSON',
      true,
      false,
      "Truncated JSON: the answer was cut (onTruncated: 'reject')",
    ]);
  });

  it.each(['length', 'stop'] as const)('should accept a string cut in a closed fence at a %s finish as truncated, without the fence\'s line break', (finish) => {
    const r = run(z.string(), 'Sure:\n```json\n"hel\n```', finish, 'accept');
    expect([r.error, r.result?.data, r.result?.truncated, r.result?.corrections]).toEqual([undefined, 'hel', true, ['extract-fence', 'close-string']]);
  });

  it('should refuse a whole scalar in a fence that never closed at a stop finish, naming it and why it is not taken as cut', () => {
    const { error } = run(z.number(), '```json\n12', 'stop', 'accept');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual([
      'INVALID_JSON',
      undefined,
      "Invalid JSON: no object or array in the answer; its fence holding 12 never closes, and a 'stop' finish is no sign of a cut",
    ]);
  });

  it.each(['```\ntr\n```', '```json\n1.\n```', '```\nhello\n```'])('should keep refusing %j at a length finish: a closed fence holding no cut string', (text) => {
    const { error } = run(z.unknown(), text, 'length');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', undefined, 'Invalid JSON: no object or array in the answer']);
  });
});

describe('a lone `-`, bare or in a fence', () => {
  it.each([
    ['-', 'stop'],
    ['-', 'length'],
    ['```json\n-', 'stop'],
    ['```json\n-', 'length'],
    ['Here:\n```\n-', 'length'],
  ] as const)('should fail %j at a %s finish as truncated, cut before its value, under every policy', (text, finish) => {
    for (const [policy, message] of [
      ['accept', 'Invalid JSON: the answer was cut before its value'],
      ['retry', "Truncated JSON: the answer was cut (onTruncated: 'retry')"],
      ['reject', "Truncated JSON: the answer was cut (onTruncated: 'reject')"],
    ] as const) {
      const { error } = run(z.number(), text, finish, policy);
      expect(isSchemaValidationError(error) && [policy, error.code, error.info.truncated, error.info.text, error.message]).toEqual([policy, 'INVALID_JSON', true, text, message]);
    }
  });

  it('should keep refusing one in a fence that closed, as `1.` in one: a closed fence holding no cut string', () => {
    const { error } = run(z.number(), '```json\n-\n```', 'length');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.message]).toEqual(['INVALID_JSON', undefined, 'Invalid JSON: no object or array in the answer']);
  });
});
