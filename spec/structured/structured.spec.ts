/** @test {structured} */
import { from, lastValueFrom, type Observable, type ObservedValueOf, type OperatorFunction } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { accumulate, defineGuardrailRule, isGuardrailViolationError, isSchemaValidationError, jsonRule, minimalGuardrails, ofType, recommendedGuardrails, parseStructured, splitThinking, structured, zeroOutputRule, type GuardRule, type L0State, type L0Event, type PartialEvent, type ResultEvent, type StructuredEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';

/* L0 acceptance scenarios S1-S5 (reference/l0-tests-and-bench.md 7.10) through structured() on virtual time. */

const person = z.object({ name: z.string(), age: z.number() });
const named = z.object({ name: z.string() });
const answer = (...items: string[]) => ({ items });
const resultOf = (events: readonly L0Event[]) => events.find((e): e is ResultEvent => e.type === 'result');
const fast = { backoff: 'fixed', baseDelay: 1 } as const;

describe('structured()', () => {
  it('should return valid JSON uncorrected after one call (S1)', () => {
    const model = fakeModel(answer('{"name":"John",', '"age":30}'));
    const run = runScenario(() => structured({ schema: person, stream: model }));
    expect(resultOf(run.events)).toMatchObject({ data: { name: 'John', age: 30 }, corrected: false, corrections: [] });
    expect([model.callCount, run.events.at(-1)?.type, run.events.at(-2)?.type]).toEqual([1, 'complete', 'result']);
  });

  it('should extract and repair chatty fenced JSON on the first call (S2)', () => {
    const model = fakeModel(answer('Sure, here is the JSON:\n```json\n{"name": "Ann",}\n```'));
    const run = runScenario(() => structured({ schema: named, stream: model }));
    expect(resultOf(run.events)).toMatchObject({ data: { name: 'Ann' }, corrected: true, corrections: ['extract-fence', 'remove-trailing-comma'] });
    expect(model.callCount).toBe(1);
  });

  it("should accept truncated JSON on the first call with onTruncated: 'accept', flagged (S3)", () => {
    const model = fakeModel(answer('{"name": "Ann"'));
    const run = runScenario(() => structured({ schema: named, stream: model, onTruncated: 'accept' }));
    expect(resultOf(run.events)).toMatchObject({ data: { name: 'Ann' }, truncated: true, corrections: ['close-structure'] });
    expect(model.callCount).toBe(1);
  });

  it('should retry truncated JSON by default, parsing only the fresh attempt (S3)', () => {
    const model = fakeModel([answer('{"name": "Ann"'), answer('{"name": "Bo"}')]);
    const run = runScenario(() => structured({ schema: named, stream: model, retry: fast }));
    expect(resultOf(run.events)).toMatchObject({ data: { name: 'Bo' }, raw: '{"name": "Bo"}', truncated: false });
    expect(run.events.filter((e) => e.type === 'retry')).toMatchObject([{ reason: 'invalid_json', countsTowardAttempts: true }]);
  });

  it.each([[0, 1], [1, 2], [2, 3]])('should call a model that never validates 1 + attempts times (attempts %i: %i calls) (S4)', (attempts, calls) => {
    const model = fakeModel(answer('{"v":"x"}'));
    const run = runScenario(() => structured({ schema: z.object({ v: z.number() }), stream: model, retry: { ...fast, attempts } }));
    expect(model.callCount).toBe(calls);
    expect(isSchemaValidationError(run.error) && [run.error.code, run.error.message]).toEqual(['SCHEMA_VALIDATION_FAILED', expect.stringContaining('Schema validation failed: v:') as string]);
  });

  it('should reject cut JSON with autoCorrect off (S4)', () => {
    const run = runScenario(() => structured({ schema: named, stream: fakeModel(answer('{"name": "Ann"')), autoCorrect: false, retry: 0 }));
    expect(isSchemaValidationError(run.error) && run.error.code).toBe('INVALID_JSON');
  });

  it('should reject empty output (S4)', () => {
    const run = runScenario(() => structured({ schema: named, stream: fakeModel(answer('  ')), retry: 0 }));
    expect(isSchemaValidationError(run.error) && run.error.code).toBe('INVALID_JSON');
  });

  it('should pass valid JSON of punctuation only ([{}], {"":""}) through guardrails with zeroOutputRule, which run before the parser', () => {
    for (const guardrails of [[zeroOutputRule()], minimalGuardrails]) {
      for (const [text, data] of [['[{}]', [{}]], ['```\n[[], {}]\n```', [[], {}]], ['{"": ""}', { '': '' }], ['{\u00a0}', {}]] as const) {
        const model = fakeModel(answer(text));
        const run = runScenario(() => structured({ schema: z.unknown(), stream: model, guardrails, retry: 0 }));
        expect([run.error, resultOf(run.events)?.data, model.callCount]).toEqual([undefined, data, 1]);
      }
      const noise = runScenario(() => structured({ schema: z.unknown(), stream: fakeModel(answer('...')), guardrails, retry: 0 }));
      expect(isGuardrailViolationError(noise.error)).toBe(true); // noise is still zero output
    }
  });

  it('should repair JSON that jsonRule flags ({"name": "Ann",}, unquoted keys) on the first call, not retry it before the parser (L0 defect 5)', () => {
    for (const guardrails of [[jsonRule()], recommendedGuardrails]) {
      for (const [text, fix] of [['{"name": "Ann",}', 'remove-trailing-comma'], ['{name: "Ann"}', 'quote-keys'], ["{'name': 'Ann'}", 'single-quotes']] as const) {
        const model = fakeModel(answer(text));
        const run = runScenario(() => structured({ schema: named, stream: model, guardrails, retry: fast }));
        expect([run.error, resultOf(run.events)?.data, resultOf(run.events)?.corrections, model.callCount]).toEqual([undefined, { name: 'Ann' }, [fix], 1]);
      }
    }
    // autoCorrect off: the parser takes only valid JSON, and jsonRule keeps its say
    const strict = runScenario(() => structured({ schema: named, stream: fakeModel(answer('{"name": "Ann",}')), guardrails: [jsonRule()], autoCorrect: false, retry: 0 }));
    expect(isGuardrailViolationError(strict.error)).toBe(true);
  });

  it('should leave jsonRule out beside rules of yours too, wrapped or not, and still run them (the engine jsonRule brought runs them)', () => {
    const seen: string[] = [];
    const mine: GuardRule = { name: 'mine', complete: (text) => void seen.push(text) };
    for (const guardrails of [[jsonRule(), defineGuardrailRule(mine)], [jsonRule(), mine], [mine, jsonRule()]]) {
      const model = fakeModel([answer('{"name": "Ann",}'), answer('{"name": "Ann"}')]);
      const run = runScenario(() => structured({ schema: named, stream: model, guardrails, retry: fast }));
      expect([run.error, resultOf(run.events)?.data, model.callCount]).toEqual([undefined, { name: 'Ann' }, 1]);
    }
    expect(seen).toEqual(Array(3).fill('{"name": "Ann",}'));
    // custom rules alone bring no engine: refused as l0() refuses them
    expect(() => structured({ schema: named, stream: fakeModel(answer('{}')), guardrails: [mine] })).toThrow(/defineGuardrailRule/);
  });

  it('should hand l0() the same list without jsonRule at every call with a preset, so the guard checks and plans it once', () => {
    let reads = 0;
    // read by the rule check and the guard's plan, which its caches skip for a list they saw; never by a run that is not subscribed
    const mine = Object.freeze({ name: 'mine', complete: () => undefined, get interval() { return (reads++, 1); } }) as GuardRule;
    const preset = Object.freeze([jsonRule(), mine]);
    const call = () => structured({ schema: named, stream: fakeModel(answer('{"name": "Ann"}')), guardrails: preset, retry: 0 });
    call();
    const first = reads;
    call();
    call();
    expect([first > 0, reads - first]).toEqual([true, 0]);
    // and the list still runs the rule and still leaves jsonRule out
    const seen: string[] = [];
    const seeing = Object.freeze({ name: 'seeing', complete: (text: string) => void seen.push(text) });
    const withSeeing = Object.freeze([jsonRule(), seeing]);
    for (let i = 0; i < 2; i++) {
      const run = runScenario(() => structured({ schema: named, stream: fakeModel(answer('{"name": "Ann",}')), guardrails: withSeeing, retry: 0 }));
      expect([run.error, resultOf(run.events)?.data]).toEqual([undefined, { name: 'Ann' }]);
    }
    expect(seen).toEqual(['{"name": "Ann",}', '{"name": "Ann",}']);
  });

  it('should pass on a fresh second attempt and never use the fallback (S5)', () => {
    const model = fakeModel([answer('{"count": 5}'), answer('{"count": 15}')]);
    const fallback = fakeModel(answer('{"count": 99}'));
    const run = runScenario(() => structured({ schema: z.object({ count: z.number().min(10) }), stream: model, fallbackStreams: [fallback], retry: fast }));
    expect(resultOf(run.events)?.data).toEqual({ count: 15 });
    expect([model.callCount, fallback.callCount, run.events.filter((e) => e.type === 'result').length]).toEqual([2, 0, 1]);
  });

  it('should move to the fallback once the primary exhausts its budget', () => {
    const fallback = fakeModel(answer('{"name": "F"}'));
    const run = runScenario(() => structured({ schema: named, stream: fakeModel(answer('nope')), fallbackStreams: [fallback], retry: 0 }));
    expect(resultOf(run.events)?.data).toEqual({ name: 'F' });
  });

  describe('an answer that is only a tool call', () => {
    const weather = { toolCall: { id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } } };

    it('should fail at once with a non-retryable INVALID_JSON naming the tool, after the tool-call event', () => {
      const model = fakeModel({ items: [weather], finishReason: 'tool-calls' });
      const run = runScenario(() => structured({ schema: named, stream: model, retry: { ...fast, attempts: 3 } }));
      expect(model.callCount).toBe(1);
      expect(isSchemaValidationError(run.error) && [run.error.code, run.error.retryable, run.error.info.toolCalls, run.error.message]).toEqual([
        'INVALID_JSON', false, ['get_weather'], expect.stringContaining('answered with a tool call (get_weather)') as string,
      ]);
      expect(run.events.map((e) => e.type)).toEqual(['start', 'tool-call']);
    });

    it('should fail the same way with prose around the call', () => {
      const model = fakeModel({ items: ['Let me check the weather.', weather], finishReason: 'tool-calls' });
      const run = runScenario(() => structured({ schema: named, stream: model, retry: fast }));
      expect([model.callCount, isSchemaValidationError(run.error) && run.error.info.toolCalls]).toEqual([1, ['get_weather']]);
    });

    it('should move to the fallback, which may answer in text', () => {
      const fallback = fakeModel(answer('{"name": "F"}'));
      const run = runScenario(() => structured({ schema: named, stream: fakeModel({ items: [weather] }), fallbackStreams: [fallback], retry: fast }));
      expect(resultOf(run.events)?.data).toEqual({ name: 'F' });
    });

    it('should still parse JSON text sent along with a tool call', () => {
      const run = runScenario(() => structured({ schema: named, stream: fakeModel({ items: ['{"name": "T"}', weather] }) }));
      expect(resultOf(run.events)?.data).toEqual({ name: 'T' });
    });

    it('should count only the current attempt\'s tool calls', () => {
      const model = fakeModel([{ items: [weather, { error: { network: 'ECONNRESET' } }] }, answer('{"name": "N"}')]);
      const run = runScenario(() => structured({ schema: named, stream: model, retry: fast }));
      expect(resultOf(run.events)?.data).toEqual({ name: 'N' });
    });
  });

  it.each([
    ['[[]]', z.array(z.array(z.number()))],
    ['[{}]', z.array(z.object({}))],
    ['{"":""}', z.record(z.string(), z.string())],
  ])('should keep a validated answer of punctuation only (%s) as one result, not retry it as zero output', (text, schema) => {
    const model = fakeModel(answer(text));
    const run = runScenario(() => structured({ schema, stream: model, retry: { attempts: 2, ...fast } }));
    expect([model.callCount, run.error, run.events.filter((e) => e.type === 'result').length, run.events.at(-2)?.type]).toEqual([1, undefined, 1, 'result']);
  });

  describe('a length finish after JSON that closed', () => {
    const cut = (text: string) => ({ items: [text], finishReason: 'length' as const });
    it.each([
      ['a cut root after it', 'Example {"name":"x"}. Answer: {"name":"Ad'],
      ['a cut second root', '{"name":"Ada"} {"name":"Bo'],
    ])('should treat %s as truncated and retry, not return the first root', (_, text) => {
      const model = fakeModel([cut(text), answer('{"name": "Bo"}')]);
      const run = runScenario(() => structured({ schema: named, stream: model, retry: fast }));
      expect([model.callCount, resultOf(run.events)?.data]).toEqual([2, { name: 'Bo' }]);
    });

    it("should flag it truncated with onTruncated: 'accept' and fail it with 'reject'", () => {
      const text = 'Example {"name":"x"}. Answer: {"name":"Ad';
      const accepted = runScenario(() => structured({ schema: named, stream: fakeModel(cut(text)), onTruncated: 'accept' }));
      expect(resultOf(accepted.events)).toMatchObject({ data: { name: 'x' }, truncated: true });
      const rejected = runScenario(() => structured({ schema: named, stream: fakeModel(cut(text)), onTruncated: 'reject', retry: fast }));
      expect(isSchemaValidationError(rejected.error) && [rejected.error.code, rejected.error.info.truncated, rejected.error.retryable]).toEqual(['INVALID_JSON', true, false]);
    });

    it('should treat a bare number as cut (12 of 1234), and keep JSON followed by cut prose', () => {
      const number = fakeModel([cut('12'), answer('1234')]);
      expect(resultOf(runScenario(() => structured({ schema: z.number(), stream: number, retry: fast })).events)?.data).toBe(1234);
      const prose = fakeModel(cut('```json\n{"name": "Ada"}\n```\nNote: the na'));
      expect([resultOf(runScenario(() => structured({ schema: named, stream: prose })).events)?.truncated, prose.callCount]).toEqual([false, 1]);
    });
  });

  it('should still retry network errors like l0()', () => {
    const model = fakeModel([{ items: [{ error: { network: 'ECONNRESET' } }] }, answer('{"name": "N"}')]);
    const run = runScenario(() => structured({ schema: named, stream: model, retry: fast }));
    expect(resultOf(run.events)?.data).toEqual({ name: 'N' });
  });

  it('should keep the user attemptOperators and add its own after them', () => {
    const seen: string[] = [];
    const spy = (source: Observable<L0Event>) => { seen.push('subscribed'); return source; };
    runScenario(() => structured({ schema: named, stream: fakeModel(answer('{"name": "x"}')), attemptOperators: [spy] }));
    expect(seen).toEqual(['subscribed']);
  });

  it('should parse only the answer when splitThinking runs first in attemptOperators', () => {
    const model = fakeModel(answer('<think>maybe {"name": 1}', '</think>', '{"name": "a"}'));
    const run = runScenario(() => structured({ schema: named, stream: model, attemptOperators: [splitThinking()] }));
    expect([resultOf(run.events)?.raw, run.events.filter((e) => e.type === 'reasoning').length]).toEqual(['{"name": "a"}', 1]);
  });

  it('should fold partials and the result into state.object, retracted by a retry', () => {
    const model = fakeModel([answer('{"name": "Ann"', ','), answer('{"na', 'me": "Bo"}')]);
    const run = runScenario(() => structured({ schema: named, stream: model, retry: fast }));
    const states: L0State[] = [];
    from(run.events).pipe(accumulate()).subscribe((s) => states.push(s));
    const retrying = states.find((s) => s.status === 'retrying');
    expect([states.some((s) => (s.object as { name?: string } | undefined)?.name === 'Ann'), retrying?.object, states.at(-1)?.object]).toEqual([true, undefined, { name: 'Bo' }]);
  });

  it('should give the result as a promise in one line', async () => {
    const { data } = await lastValueFrom(structured({ schema: named, stream: () => (async function* () { yield '{"name": "P"}'; })() }).pipe(ofType('result')));
    expect(data.name).toBe('P');
  });

  it('should reject that promise when the run fails, never leave it pending (L0 defect 6)', async () => {
    const failing = lastValueFrom(structured({ schema: named, stream: () => (async function* () { yield 'no JSON here'; })(), retry: 0 }).pipe(ofType('result')));
    await expect(failing).rejects.toSatisfy((e: unknown) => isSchemaValidationError(e) && e.code === 'INVALID_JSON');
  });

  it('should type data as the schema output and partials as its deep-partial', () => {
    const events$ = structured({ schema: person.transform((p) => ({ ...p, adult: p.age >= 18 })), stream: fakeModel('|') });
    // types only: never subscribed (an empty fake answer would retry on real time and fail after the spec)
    expectTypeOf<ObservedValueOf<typeof events$>>().extract<{ type: 'result' }>().toHaveProperty('data').toEqualTypeOf<{ name: string; age: number; adult: boolean }>();
    expectTypeOf<ObservedValueOf<typeof events$>>().extract<{ type: 'partial' }>().toHaveProperty('value').toHaveProperty('name').toEqualTypeOf<string | undefined>();
    expectTypeOf(events$.pipe(ofType('token'))).toEqualTypeOf<Observable<{ readonly type: 'token'; readonly value: string }>>();
  });

  it('should type partials as the deep-partial of the schema input (the JSON before transforms), data as its output', () => {
    const schema = z.object({ date: z.string().transform((s) => new Date(s)), n: z.number() });
    const event = expectTypeOf<ObservedValueOf<ReturnType<typeof structured<typeof schema>>>>();
    event.extract<{ type: 'partial' }>().toHaveProperty('value').toHaveProperty('date').toEqualTypeOf<string | undefined>();
    event.extract<{ type: 'result' }>().toHaveProperty('data').toHaveProperty('date').toEqualTypeOf<Date>();
    expectTypeOf(parseStructured({ schema })).toEqualTypeOf<OperatorFunction<L0Event, StructuredEvent<{ date: Date; n: number }, { date: string; n: number }>>>();
    // a schema whose input type says nothing (a JSON Schema, a preprocess) types partials by its output, as before
    type Opaque = StandardSchemaV1<unknown, { n: number }>;
    expectTypeOf<ReturnType<typeof structured<Opaque>>>().toEqualTypeOf<Observable<StructuredEvent<{ n: number }>>>();
    expectTypeOf<StructuredEvent<Date, string>>().extract<{ type: 'partial' }>().toEqualTypeOf<PartialEvent<string>>();
  });

  describe('options', () => {
    it('should throw at creation for an unknown key, with a suggestion', () => {
      expect(() => structured({ schema: named, stream: fakeModel('|'), onTruncate: 'accept' } as never)).toThrow(/structured\(options\): unknown option `onTruncate` \(did you mean `onTruncated`\?\)/);
    });

    it('should throw at creation without a schema', () => {
      expect(() => structured({ stream: fakeModel('|') } as never)).toThrow(/structured\(\{schema\}\) must be a Standard Schema/);
    });

    it('should validate the l0 options too', () => {
      expect(() => structured({ schema: named, stream: fakeModel('|'), timeout: 'fast' } as never)).toThrow(/timeout/);
    });
  });
});
