/** @test {parseStructured} */
import { EMPTY, from, NEVER, Observable, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSchemaValidationError, parseStructured, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { done, resultOf, run, schema, start, text, tok } from './parseStructuredRun.js';

/*
 * parseStructured's result, errors and operator contract (parseStructured.partials.spec.ts has
 * which partials it streams on the way).
 */
describe('parseStructured', () => {
  it('should emit partials while the JSON grows, then one result right before complete (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('s-a---b---c---x---|', { s: start, a: tok('{"name":'), b: tok(' "Al", "n": 1'), c: tok('}'), x: done });
      const p1 = { type: 'partial', value: { name: 'Al' } };
      const p2 = { type: 'partial', value: { name: 'Al', n: 1 } };
      const result = { type: 'result', data: { name: 'Al', n: 1 }, corrected: false, corrections: [], truncated: false, raw: '{"name": "Al", "n": 1}' };
      expectObservable(source.pipe(parseStructured({ schema }))).toBe('s-(ap)(bq)(cr)(Rx)|', {
        s: start, a: tok('{"name":'), p: { type: 'partial', value: {} }, b: tok(' "Al", "n": 1'), q: p1, c: tok('}'), r: p2, R: result, x: done,
      });
    });
  });

  it('should error with SCHEMA_VALIDATION_FAILED, with issues and paths, and not complete', () => {
    const { error, completed, types } = run(text('{"name": 5, "n": 1}'));
    expect(isSchemaValidationError(error) && [error.code, error.info.issues]).toEqual([
      'SCHEMA_VALIDATION_FAILED', [{ message: expect.any(String) as string, path: ['name'] }],
    ]);
    expect([completed, types.includes('complete'), types.includes('result')]).toEqual([false, false, false]);
  });

  describe('an attempt that only called a tool', () => {
    const call: L0Event = { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city": "Paris"}' };

    it('should pass the call on, then error with a non-retryable INVALID_JSON naming the tool', () => {
      const { error, types } = run([start, call, { type: 'complete', finishReason: 'tool-calls' }]);
      expect(isSchemaValidationError(error) && [error.code, error.retryable, error.info.toolCalls]).toEqual(['INVALID_JSON', false, ['get_weather']]);
      expect(types).toEqual(['start', 'tool-call']);
    });

    it('should forget the calls of an attempt that a retry retracted', () => {
      const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'E', message: 'm', code: 'X' }, reason: 'network_error', countsTowardAttempts: false };
      const { error } = run([start, call, retry, start, tok('no json'), done]);
      expect(isSchemaValidationError(error) && [error.retryable, error.info.toolCalls]).toEqual([true, undefined]);
    });
  });

  it('should error with INVALID_JSON on text that is not JSON', () => {
    const { error } = run(text('I cannot help with that.'));
    expect(isSchemaValidationError(error) && error.code).toBe('INVALID_JSON');
  });

  it('should repair and report what it changed', () => {
    const { out } = run(text("Sure! ```json\n{name: 'Al', n: 1,}\n```"));
    expect(resultOf(out)).toMatchObject({ data: { name: 'Al', n: 1 }, corrected: true, corrections: ['extract-fence', 'quote-keys', 'single-quotes', 'remove-trailing-comma'] });
  });

  it('should keep URLs, braces and quotes inside strings intact', () => {
    const raw = '{"name": "https://a.b/c?d=1#x,}//\\"q\\" {[", "n": 1}';
    expect(resultOf(run(text(raw)).out)).toMatchObject({ data: JSON.parse(raw) as object, corrected: false });
  });

  describe('truncated JSON', () => {
    const cut = text('{"name": "Al", "n": 1');

    it('should error with a retryable INVALID_JSON by default', () => {
      const { error } = run(cut);
      expect(isSchemaValidationError(error) && [error.code, error.retryable, error.info.truncated]).toEqual(['INVALID_JSON', true, true]);
    });

    it("should error with a non-retryable error with onTruncated: 'reject'", () => {
      const { error } = run(cut, { onTruncated: 'reject' });
      expect(isSchemaValidationError(error) && error.retryable).toBe(false);
    });

    it("should accept the closed value with onTruncated: 'accept', flagged truncated", () => {
      expect(resultOf(run(cut, { onTruncated: 'accept' }).out)).toMatchObject({ data: { name: 'Al', n: 1 }, truncated: true, corrections: ['close-structure'] });
    });

    describe('cut inside a \\u escape', () => {
      const cutEscape = text('{"name": "caf\\u00');

      it("should error with a non-retryable truncated error with onTruncated: 'reject'", () => {
        const { error } = run(cutEscape, { onTruncated: 'reject' });
        expect(isSchemaValidationError(error) && [error.info.truncated, error.retryable]).toEqual([true, false]);
      });

      it("should accept the string up to the escape with onTruncated: 'accept'", () => {
        const { out } = run(cutEscape, { schema: z.any(), onTruncated: 'accept' });
        expect(resultOf(out)).toMatchObject({ data: { name: 'caf' }, truncated: true });
      });
    });

    it('should follow onTruncated when repair cannot close the cut text', () => {
      const { error } = run(text('{"name": "x", @@@ ]] "n": "y'), { onTruncated: 'reject' });
      expect(isSchemaValidationError(error) && [error.info.truncated, error.retryable, isSchemaValidationError(error.cause)]).toEqual([true, false, true]);
    });
  });

  it('should only accept valid JSON as a whole with autoCorrect: false', () => {
    expect(isSchemaValidationError(run(text('```json\n{"name": "Al", "n": 1}\n```'), { autoCorrect: false }).error)).toBe(true);
  });

  it('should parse only the text after the last start, retry or fallback', () => {
    const retry: L0Event = { type: 'retry', attempt: 1, delayMs: 0, error: { name: 'E', message: 'm', code: 'X' }, reason: 'schema', countsTowardAttempts: true };
    const { out } = run([start, tok('{"bad'), retry, start, tok('{"name": "B", "n": 2}'), done]);
    expect(resultOf(out)).toMatchObject({ data: { name: 'B', n: 2 }, raw: '{"name": "B", "n": 2}' });
  });

  it('should parse a resumed attempt from its checkpoint', () => {
    const { out } = run([start, { type: 'resume', checkpoint: '{"name": "C",' }, tok(' "n": 3}'), done]);
    expect(resultOf(out)).toMatchObject({ data: { name: 'C', n: 3 } });
  });

  it('should wait for an async schema before result and complete', async () => {
    const slow = { '~standard': { version: 1, vendor: 'test', validate: (v: unknown) => Promise.resolve({ value: v }) } } as const;
    const out: string[] = [];
    await new Promise<void>((resolve) => {
      from(text('{"a": 1}')).pipe(parseStructured({ schema: slow })).subscribe({ next: (e) => out.push(e.type), complete: resolve });
    });
    expect(out.slice(-2)).toEqual(['result', 'complete']);
  });

  it('should error with SchemaValidationError when the schema throws', () => {
    const throwing = { '~standard': { version: 1, vendor: 'test', validate: () => { throw new Error('boom'); } } } as const;
    const { error } = run(text('{"a": 1}'), { schema: throwing } as never);
    expect(isSchemaValidationError(error) && error.message).toContain('boom');
  });

  it('should keep what the schema threw as the cause', () => {
    const boom = new Error('boom');
    const throwing = { '~standard': { version: 1, vendor: 'test', validate: () => { throw boom; } } } as const;
    const { error } = run(text('{"a": 1}'), { schema: throwing } as never);
    expect(isSchemaValidationError(error) && error.cause).toBe(boom);
  });

  it('should keep what an async schema rejected with as the cause', async () => {
    const boom = new Error('boom');
    const rejecting = { '~standard': { version: 1, vendor: 'test', validate: () => Promise.reject(boom) } } as const;
    const error = await new Promise<unknown>((resolve) => {
      from(text('{"a": 1}')).pipe(parseStructured({ schema: rejecting })).subscribe({ error: resolve });
    });
    expect(isSchemaValidationError(error) && error.cause).toBe(boom);
  });

  it('should fail validation with a SchemaValidationError naming what a schema returned that is no result (undefined, issues not an array)', async () => {
    const returning = (r: unknown) => ({ '~standard': { version: 1, vendor: 'test', validate: () => r } }) as never;
    for (const [r, what] of [[undefined, 'undefined'], [null, 'null'], [{ issues: 'bad' }, 'issues "bad"']] as const) {
      const { error } = run(text('{"a": 1}'), { schema: returning(r) });
      expect(isSchemaValidationError(error) && [error.code, error.message]).toEqual(['SCHEMA_VALIDATION_FAILED', `Schema validation failed: (root): the schema's validate returned ${what}, not { value } or { issues: [...] }`]);
    }
    const error = await new Promise<unknown>((resolve) => {
      from(text('{"a": 1}')).pipe(parseStructured({ schema: returning(Promise.resolve(undefined)) })).subscribe({ error: resolve });
    });
    expect(isSchemaValidationError(error) && error.info.issues).toEqual([{ message: "the schema's validate returned undefined, not { value } or { issues: [...] }", path: [] }]);
  });

  it('should take a result whose issues is null as a success, as the check of what validate returned does (it threw a TypeError)', () => {
    const schema = { '~standard': { version: 1, vendor: 'test', validate: (v: unknown) => ({ value: v, issues: null }) } } as never;
    const { error, out } = run(text('{"a": 1}'), { schema });
    expect([error, resultOf(out)]).toMatchObject([undefined, { data: { a: 1 } }]);
  });

  describe('rxjs checklist', () => {
    it('should complete on empty', () => {
      testScheduler().run(({ expectObservable }) => expectObservable(EMPTY.pipe(parseStructured({ schema }))).toBe('|'));
    });

    it('should stay silent on never', () => {
      testScheduler().run(({ expectObservable }) => expectObservable(NEVER.pipe(parseStructured({ schema }))).toBe('-'));
    });

    it('should pass an error through', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(throwError(() => new Error('x')).pipe(parseStructured({ schema }))).toBe('#', undefined, new Error('x'));
      });
    });

    it('should unsubscribe from a never-ending source on early unsubscribe', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b-', { a: tok('{"name"'), b: tok(': "x"') });
        expectObservable(source.pipe(parseStructured({ schema })), '^--!').toBe('-(ap)', { a: tok('{"name"'), p: { type: 'partial', value: {} } });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('should keep parser state per subscription', () => {
      const op = parseStructured({ schema });
      const events = new Subject<L0Event>();
      const a: L0Event[] = [];
      const b: L0Event[] = [];
      events.pipe(op).subscribe((e) => a.push(e));
      events.next(tok('{"name": "x",'));
      let bError: unknown;
      events.pipe(op).subscribe({ next: (e) => b.push(e), error: (e: unknown) => (bError = e) });
      events.next(tok(' "n": 1}'));
      events.next(done);
      expect([resultOf(a)?.type, resultOf(b), isSchemaValidationError(bError)]).toEqual(['result', undefined, true]);
    });
  });

  describe('validation at creation', () => {
    it.each([
      [{ schema: {} }, /schema.*Standard Schema/],
      [{ schema: { type: 'object' } }, /jsonSchema\(schema, new Ajv\(\)\)/],
      [{ schema, partial: true }, /did you mean `partials`/],
      [{ schema, onTruncated: 'drop' }, /onTruncated.*'retry', 'accept', 'reject'/],
      [{ schema, autoCorrect: 'yes' }, /autoCorrect.*boolean/],
    ])('should throw a TypeError for %j', (config, message) => {
      expect(() => parseStructured(config as never)).toThrow(message);
    });
  });

  it('should never set a prototype from model output', () => {
    const loose = z.record(z.string(), z.unknown());
    const { out } = run(text('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"p": 1}}}'), { schema: loose } as never);
    const data = (resultOf(out) as { data: object }).data;
    expect([({} as Record<string, unknown>)['polluted'], Object.getPrototypeOf(data) === Object.prototype || Object.getPrototypeOf(data) === null]).toEqual([undefined, true]);
  });

  it('should not subscribe before it is subscribed', () => {
    let subscribed = false;
    const source = new Observable<L0Event>(() => { subscribed = true; });
    source.pipe(parseStructured({ schema }));
    expect(subscribed).toBe(false);
  });
});
