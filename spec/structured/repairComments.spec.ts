/** @test {repairJson} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured, repairJson, type L0Event } from 'l0-rx';

/*
 * The repair corpus' two known gaps: Python `#` comments (jsonrepair reads none) and `NaN`. The
 * outcome is a documented repair or a typed error, never a value the model did not write.
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

describe('NaN and Infinity', () => {
  const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };

  it('should become the strings jsonrepair makes of them (fix-literals), as documented', () => {
    const r = repairJson('{"a": NaN, "b": [Infinity]}');
    expect([r.value, r.corrections]).toEqual([{ a: 'NaN', b: ['Infinity'] }, ['fix-literals']]);
  });

  it('should fail a schema that wants a number with SCHEMA_VALIDATION_FAILED, never pass a number the model did not write', () => {
    let error: unknown;
    const events: L0Event[] = [start, { type: 'token', value: '{"score": NaN}' }, { type: 'complete', finishReason: 'stop' }];
    from(events).pipe(parseStructured({ schema: z.object({ score: z.number().nullable() }) })).subscribe({ error: (e: unknown) => (error = e) });
    expect(isSchemaValidationError(error) && error.info.kind).toBe('SCHEMA_VALIDATION_FAILED');
  });
});
