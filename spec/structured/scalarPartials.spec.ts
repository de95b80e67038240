/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured, repairJson, type L0Event, type TruncatedPolicy } from 'l0-rx';

/*
 * A whole answer that is one JSON string streams its partials as an object's or an array's value
 * strings do: the decoded prefix, once per change. A bare number (or literal) is shown only when
 * complete, at the end: a number's prefix is another number (`12` of `1234`).
 */
const tok = (value: string): L0Event => ({ type: 'token', value });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const done: L0Event = { type: 'complete', finishReason: 'stop' };

function run(schema: z.ZodType, ...chunks: string[]) {
  const out: L0Event[] = [];
  let error: unknown;
  from([start, ...chunks.map(tok), done]).pipe(parseStructured({ schema })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
  const partials = out.flatMap((e) => (e.type === 'partial' ? [e.value] : []));
  const result = out.find((e) => e.type === 'result');
  return { out, error, partials, data: result?.type === 'result' ? result.data : undefined, types: out.map((e) => e.type) };
}

describe('parseStructured: a whole answer that is a JSON string', () => {
  it('should show the string\'s prefix as it grows, then the result, no partial twice', () => {
    const r = run(z.string(), '"hel', 'lo wo', 'rld"');
    expect(r.partials).toEqual(['hel', 'hello wo', 'hello world']);
    expect(r.data).toBe('hello world');
    expect(r.types).toEqual(['start', 'token', 'partial', 'token', 'partial', 'token', 'partial', 'result', 'complete']);
  });

  it('should decode escapes and surrogate pairs split across tokens, never showing half a pair', () => {
    const r = run(z.string(), '  "a\\', 'nb \\u00', 'e9 \\uD83D', '\\uDE00"\n');
    expect(r.partials).toEqual(['a', 'a\nb ', 'a\nb é ', 'a\nb é 😀']);
    expect(r.data).toBe('a\nb é 😀');
    const raw = run(z.string(), '"x\uD83D', '\uDE00"');
    expect(raw.partials).toEqual(['x', 'x😀']);
  });

  it('should show it for every cut of the answer the same way in the end', () => {
    const answer = '"Hello, \\"world\\" \\u00e9!"';
    for (let at = 1; at < answer.length; at++) {
      const r = run(z.string(), answer.slice(0, at), answer.slice(at));
      expect(r.data).toBe('Hello, "world" é!');
      expect(r.partials.at(-1)).toBe('Hello, "world" é!');
      for (let i = 1; i < r.partials.length; i++) expect(r.partials[i]).not.toEqual(r.partials[i - 1]);
    }
  });

  it('should show a resumed checkpoint\'s prefix right after the resume event', () => {
    const out: L0Event[] = [];
    const resume: L0Event = { type: 'resume', checkpoint: '"hel' };
    from([start, resume, tok('lo"'), done]).pipe(parseStructured({ schema: z.string() })).subscribe((e) => out.push(e));
    expect(out.map((e) => (e.type === 'partial' ? `partial ${String(e.value)}` : e.type))).toEqual(['start', 'resume', 'partial hel', 'token', 'partial hello', 'result', 'complete']);
  });

  it('should go back to the usual search when the string was not the whole answer', () => {
    const r = run(z.object({ a: z.number() }), '"Note" first. ', 'Then: {"a": ', '1}');
    expect(r.data).toEqual({ a: 1 });
    expect(r.partials.at(-1)).toEqual({ a: 1 });
  });
});

describe('a whole answer that is a JSON string cut before its closing quote', () => {
  /** `chunks` ending on a `length` finish, under `onTruncated`. */
  function cut(onTruncated: TruncatedPolicy, ...chunks: string[]) {
    const out: L0Event[] = [];
    let error: unknown;
    const length: L0Event = { type: 'complete', finishReason: 'length' };
    from([start, ...chunks.map(tok), length]).pipe(parseStructured({ schema: z.string(), onTruncated })).subscribe({ next: (e) => out.push(e), error: (e: unknown) => (error = e) });
    return { out, error, partials: out.flatMap((e) => (e.type === 'partial' ? [e.value] : [])), result: out.find((e) => e.type === 'result') };
  }

  it('should be closed and accepted as truncated under onTruncated: accept, its last partial the result', () => {
    const r = cut('accept', '"The quick', ' bro');
    expect(r.error).toBeUndefined();
    expect(r.result).toEqual({ type: 'result', data: 'The quick bro', corrected: true, corrections: ['close-string'], truncated: true, raw: '"The quick bro' });
    expect(r.partials.at(-1)).toBe('The quick bro');
  });

  it.each([['retry', true], ['reject', false]] as const)('should fail as truncated JSON under onTruncated: %s (retryable: %s)', (policy, retryable) => {
    const { error } = cut(policy, '"The quick', ' bro');
    expect(isSchemaValidationError(error) && [error.code, error.info.truncated, error.retryable]).toEqual(['INVALID_JSON', true, retryable]);
  });

  it.each([
    ['"abc ', 'abc ', ['close-string']],
    ['  "caf\\u00', 'caf', ['close-string']],
    ['"line\nnext', 'line\nnext', ['escape-control-chars', 'close-string']],
    ['"say \\"hi', 'say "hi', ['close-string']],
  ])('should close %j in repairJson, flagged truncated', (text, value, corrections) => {
    expect(repairJson(text)).toMatchObject({ value, truncated: true, corrected: true, corrections });
  });

  it('should still reject a closed string followed by prose, which is no cut string', () => {
    expect(() => repairJson('"done" and more')).toThrow(/no object or array/);
  });
});

describe('parseStructured: a whole answer that is a number', () => {
  it('should show the number once, complete, right before the result', () => {
    const r = run(z.number(), '4', '2');
    expect(r.partials).toEqual([42]);
    expect(r.types).toEqual(['start', 'token', 'token', 'partial', 'result', 'complete']);
    expect(r.data).toBe(42);
  });
});
