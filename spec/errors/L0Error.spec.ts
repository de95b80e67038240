/** @test {L0Error} */
import { describe, expect, it, vi } from 'vitest';
import {
  AllStreamsExhaustedError,
  deserializeError,
  DriftDetectedError,
  GuardrailViolationError,
  InvalidStreamError,
  isAllStreamsExhaustedError,
  isDriftDetectedError,
  isGuardrailViolationError,
  isInvalidStreamError,
  isL0Error,
  isProviderError,
  isSchemaValidationError,
  isStreamAbortedError,
  isTokenTimeoutError,
  isZeroOutputError,
  L0Error,
  ProviderError,
  SchemaValidationError,
  serializeError,
  StreamAbortedError,
  TokenTimeoutError,
  ZeroOutputError,
  type SerializedError,
} from 'l0-rx';

const timeout = (kind: 'initial' | 'inter' | 'total' = 'inter') => new TokenTimeoutError({ kind, timeoutMs: 100, elapsedMs: 120, tokenCount: 3 });
const violation = (severity: 'error' | 'fatal') => ({ ruleId: 'json', message: 'unbalanced', severity, recoverable: severity !== 'fatal' });

/** One instance of each class, its guard and the fields it must carry. */
const CASES = [
  ['TokenTimeoutError', timeout, isTokenTimeoutError, { code: 'INTER_TOKEN_TIMEOUT', category: 'timeout', retryable: true, reason: 'timeout' }],
  ['ZeroOutputError', () => new ZeroOutputError({ content: '  ' }), isZeroOutputError, { code: 'ZERO_OUTPUT', category: 'content', retryable: true, reason: 'zero_output' }],
  ['GuardrailViolationError', () => new GuardrailViolationError({ violations: [violation('error')] }), isGuardrailViolationError, { code: 'GUARDRAIL_VIOLATION', category: 'content', retryable: true, reason: 'guardrail_violation' }],
  ['DriftDetectedError', () => new DriftDetectedError({ types: ['meta_commentary'], confidence: 0.8 }), isDriftDetectedError, { code: 'DRIFT_DETECTED', category: 'content', retryable: true, reason: 'drift' }],
  ['SchemaValidationError', () => new SchemaValidationError({ kind: 'SCHEMA_VALIDATION_FAILED', issues: [] }), isSchemaValidationError, { code: 'SCHEMA_VALIDATION_FAILED', category: 'content', retryable: true, reason: 'schema' }],
  ['ProviderError', () => new ProviderError('slow', { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true, reason: 'rate_limit', status: 429 }), isProviderError, { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true, reason: 'rate_limit', status: 429 }],
  ['StreamAbortedError', () => new StreamAbortedError(), isStreamAbortedError, { code: 'STREAM_ABORTED', category: 'abort', retryable: false, reason: 'abort' }],
  ['AllStreamsExhaustedError', () => new AllStreamsExhaustedError([timeout()]), isAllStreamsExhaustedError, { code: 'ALL_STREAMS_EXHAUSTED', category: 'timeout', retryable: true, reason: 'all_streams_exhausted' }],
  ['InvalidStreamError', () => new InvalidStreamError('not a stream'), isInvalidStreamError, { code: 'INVALID_STREAM', category: 'bad-request', retryable: false, reason: 'invalid_stream' }],
] as const;

describe('L0Error', () => {
  it.each(CASES)('should give a %s its name, code, category and retryability', (name, make, _guard, fields) => {
    const e = make();
    expect(e).toBeInstanceOf(L0Error);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name, ...fields });
    expect(isL0Error(e)).toBe(true);
  });

  it.each(CASES)('should make only its own guard accept a %s', (name, make) => {
    const e = make();
    for (const [other, , guard] of CASES) expect(guard(e), `${other} guard on ${name}`).toBe(other === name);
  });

  it.each([undefined, null, 'ZeroOutputError', new Error('x'), Object.assign(new Error('x'), { name: 'ZeroOutputError', code: 'ZERO_OUTPUT' })])(
    'should reject %s in every guard',
    (e) => {
      expect(isL0Error(e)).toBe(false);
      for (const [, , guard] of CASES) expect(guard(e)).toBe(false);
    },
  );

  describe('duplicate package copies', () => {
    it('should recognise an error from a second copy of the module', async () => {
      vi.resetModules();
      const copy = await import('../../src/errors/ZeroOutputError.js');
      expect(copy.ZeroOutputError).not.toBe(ZeroOutputError);
      const foreign = new copy.ZeroOutputError({ content: '' });
      expect(foreign).not.toBeInstanceOf(ZeroOutputError);
      expect(isL0Error(foreign)).toBe(true);
      expect(isZeroOutputError(foreign)).toBe(true);
      expect(copy.isZeroOutputError(new ZeroOutputError({ content: '' }))).toBe(true);
    });

    it('should recognise any object carrying the global brand', () => {
      class Elsewhere extends Error {
        override readonly name = 'StreamAbortedError';
        readonly code = 'STREAM_ABORTED';
      }
      const e = Object.defineProperty(new Elsewhere('aborted'), Symbol.for('l0-rx.L0Error'), { value: true });
      expect(isL0Error(e)).toBe(true);
      expect(isStreamAbortedError(e)).toBe(true);
      expect(isZeroOutputError(e)).toBe(false);
    });

    it('should keep the brand out of enumerable and JSON output', () => {
      const e = new ZeroOutputError({ content: '' });
      expect(Object.getOwnPropertySymbols(e).map(String)).toEqual(['Symbol(l0-rx.L0Error)']);
      expect(JSON.stringify(e)).not.toContain('l0-rx');
    });
  });

  describe('toJSON', () => {
    it('should give the plain fields and omit unset optional ones', () => {
      expect(new StreamAbortedError('stop').toJSON()).toEqual({
        name: 'StreamAbortedError', message: 'stop', code: 'STREAM_ABORTED', category: 'abort', retryable: false, reason: 'abort',
      });
    });

    it('should include status, retryAfterMs, attempt, fallbackIndex and checkpoint when set', () => {
      const e = new ProviderError('slow', { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true, status: 429, retryAfterMs: 1000 })
        .withRunInfo({ attempt: 2, fallbackIndex: 1 });
      expect(e.toJSON()).toMatchObject({ status: 429, retryAfterMs: 1000, attempt: 2, fallbackIndex: 1, reason: 'rate_limit' });
      const withCheckpoint = new L0Error('x', { code: 'X', category: 'unknown', retryable: false, checkpoint: 'Hello' });
      expect(withCheckpoint.toJSON()).toMatchObject({ checkpoint: 'Hello', reason: 'unknown' });
    });

    describe('withRunInfo', () => {
      it('should return a copy of the same class, message, stack and cause with the run info, leaving the original alone', () => {
        const cause = new Error('socket');
        const e = new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503, cause });
        const copy = e.withRunInfo({ attempt: 3, fallbackIndex: 1, attemptErrors: [e] });
        expect(copy).not.toBe(e);
        expect(isProviderError(copy) && copy instanceof ProviderError).toBe(true);
        expect([copy.message, copy.stack, copy.cause, copy.status, copy.code]).toEqual([e.message, e.stack, cause, 503, 'SERVER_ERROR']);
        expect([copy.attempt, copy.fallbackIndex, copy.attemptErrors]).toEqual([3, 1, [e]]);
        expect([e.attempt, e.fallbackIndex, e.attemptErrors]).toEqual([undefined, undefined, []]);
        expect(Object.isFrozen(copy.attemptErrors)).toBe(true);
        expect(copy.withRunInfo({ attempt: 4 })).toMatchObject({ attempt: 4, fallbackIndex: 1 });
      });

      it('should keep a subclass\'s info', () => {
        const t = timeout('inter').withRunInfo({ attempt: 2 });
        expect(isTokenTimeoutError(t) && t.info.kind).toBe('inter');
        expect(t.toJSON()).toMatchObject({ attempt: 2, info: { kind: 'inter' } });
      });
    });

    it('should serialise the cause chain: L0Error, Error with code, nested cause and non-errors', () => {
      const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      const outer = new ProviderError('cut', { code: 'INCOMPLETE_STREAM', category: 'network', retryable: true, cause: new TypeError('terminated', { cause: socket }) });
      expect(outer.toJSON().cause).toEqual({ name: 'TypeError', message: 'terminated', cause: { name: 'Error', message: 'other side closed', code: 'UND_ERR_SOCKET' } });
      const wrapped = new StreamAbortedError('stop', timeout('initial'));
      expect(wrapped.toJSON().cause).toMatchObject({ name: 'TokenTimeoutError', code: 'INITIAL_TOKEN_TIMEOUT' });
      expect(new StreamAbortedError('stop', 'why').toJSON().cause).toBe('why');
    });

    it('should survive JSON.stringify round trips', () => {
      const e = new ProviderError('x', { code: 'SERVER_ERROR', category: 'server', retryable: true, cause: new Error('boom') });
      expect(JSON.parse(JSON.stringify(e))).toEqual(e.toJSON());
    });
  });

  describe('AllStreamsExhaustedError', () => {
    const errors = [timeout(), new ZeroOutputError({ content: '' }), new Error('plain')];

    it('should list every error, oldest first, in toJSON', () => {
      const json = new AllStreamsExhaustedError(errors).toJSON();
      expect(json.errors.map((e) => e.name)).toEqual(['TokenTimeoutError', 'ZeroOutputError', 'Error']);
      expect(json.errors[0]).toMatchObject({ code: 'INTER_TOKEN_TIMEOUT' });
      expect(json.cause).toEqual({ name: 'Error', message: 'plain' });
    });

    it('should freeze a copy of the errors and name the count and the last message', () => {
      const input = [...errors];
      const e = new AllStreamsExhaustedError(input);
      input.pop();
      expect(e.errors).toHaveLength(3);
      expect(Object.isFrozen(e.errors)).toBe(true);
      expect(e.message).toBe('All 3 attempt(s) over every stream failed; last: plain');
      expect(e.category).toBe('unknown');
    });

    // toJSON walked the whole list as L0Error's, then replaced it with each entry serialised whole: every entry twice
    it('should serialise each of its errors once', () => {
      let reads = 0;
      const first = new Error('counted');
      Object.defineProperty(first, 'message', { get: () => (reads++, 'counted') });
      const e = new AllStreamsExhaustedError([first, timeout()]);
      reads = 0;
      const json = e.toJSON();
      expect(json.errors[0]).toEqual({ name: 'Error', message: 'counted' });
      expect(reads).toBe(1);
    });

    it('should keep every attempt\'s error, each within the caps, through a round trip (the 32-error cap is per entry here)', () => {
      const chain = (i: number) => new ProviderError(`down ${i}`, { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503, cause: new TypeError('terminated', { cause: new Error(`socket ${i}`) }) });
      const e = new AllStreamsExhaustedError(Array.from({ length: 40 }, (_, i) => chain(i)), { fallbackIndex: 2 });
      const plain = JSON.parse(JSON.stringify(e)) as SerializedError;
      expect(plain.errors).toHaveLength(40);
      expect(plain.errors?.[39]).toMatchObject({ message: 'down 39', cause: { name: 'TypeError', cause: { message: 'socket 39' } } });
      const back = deserializeError(plain);
      expect(back).toMatchObject({ name: 'AllStreamsExhaustedError', category: 'server', retryable: true, fallbackIndex: 2 });
      expect(serializeError(back)).toEqual(plain);
    });
  });

  describe('codes by variant', () => {
    it.each([
      ['initial', 'INITIAL_TOKEN_TIMEOUT'],
      ['inter', 'INTER_TOKEN_TIMEOUT'],
      ['total', 'TOTAL_TIMEOUT'],
    ] as const)('should give a %s timeout the code %s', (kind, code) => expect(timeout(kind).code).toBe(code));

    it('should make a fatal guardrail violation non-retryable', () => {
      expect(new GuardrailViolationError({ violations: [violation('error'), violation('fatal')] })).toMatchObject({
        code: 'FATAL_GUARDRAIL_VIOLATION', retryable: false, reason: 'fatal_guardrail_violation', category: 'content',
      });
    });

    it('should give INVALID_JSON its own code and message', () => {
      expect(new SchemaValidationError({ kind: 'INVALID_JSON', text: '{' })).toMatchObject({ code: 'INVALID_JSON', message: 'Invalid JSON' });
    });
  });
});
