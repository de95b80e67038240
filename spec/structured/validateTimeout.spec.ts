/** @test {parseStructured} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isSchemaValidationError, parseStructured, structured, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * An async Standard Schema whose `validate` never settles: the attempt fails after `validateTimeout`
 * (virtual) ms with a SchemaValidationError naming the step, instead of hanging the run.
 */
const hanging = { '~standard': { version: 1, vendor: 'test', validate: () => new Promise<never>(() => undefined) } } as const;
const settling = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => Promise.resolve({ value }) } } as const;
const values: Record<string, L0Event> = {
  a: { type: 'token', value: '{"n": 1}' },
  x: { type: 'complete', finishReason: 'stop' },
  p: { type: 'partial', value: { n: 1 } },
};

describe('parseStructured({validateTimeout})', () => {
  it('should fail the attempt after the default 5000 ms when validate never settles, with a typed error naming the step', () => {
    const scheduler = testScheduler();
    let error: unknown;
    scheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-x|', values).pipe(parseStructured({ schema: hanging }));
      expectObservable(events).toBe('(ap) 4998ms #', values, expect.anything()); // complete at 2, the error at 5002;
      events.subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(isSchemaValidationError(error)).toBe(true);
    if (!isSchemaValidationError(error)) return;
    expect(error.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe("Schema validation failed: the schema's validate did not settle within 5000 ms (validateTimeout)");
    expect(error.info).toMatchObject({ kind: 'SCHEMA_VALIDATION_FAILED', issues: [{ message: "the schema's validate did not settle within 5000 ms (validateTimeout)", path: [] }], text: '{"n": 1}' });
  });

  it('should take its own bound and its scheduler', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-x|', values).pipe(parseStructured({ schema: hanging, validateTimeout: 30 }))).toBe('(ap) 28ms #', values, expect.anything()); // complete at 2, the error at 32;
    });
  });

  it('should leave a schema that settles in time alone (its timer is dropped when it settles)', async () => {
    const events: L0Event[] = [];
    await new Promise<void>((resolve, reject) => {
      from([values.a!, values.x!]).pipe(parseStructured({ schema: settling, validateTimeout: 10 })).subscribe({ next: (e) => events.push(e), error: reject, complete: resolve });
    });
    expect(events.map((e) => e.type)).toEqual(['token', 'partial', 'result', 'complete']);
  });

  it('should wait without bound with Infinity', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-x|', values).pipe(parseStructured({ schema: hanging, validateTimeout: Infinity })), '^ 100000ms !').toBe('(ap)', values);
    });
  });

  it('should reject a validateTimeout that is not a non-negative number of ms, naming the option', () => {
    expect(() => parseStructured({ schema: hanging, validateTimeout: -1 })).toThrow(/validateTimeout/);
    expect(() => parseStructured({ schema: hanging, validateTimeout: '5' as unknown as number })).toThrow(/validateTimeout/);
  });

  it('should retry in structured() after the bound, then fail with the timeout (virtual time)', () => {
    const model = fakeModel({ items: ['{"n": 1}'] });
    const run = runScenario(() => structured({ schema: hanging, stream: model, validateTimeout: 100, retry: { attempts: 2, backoff: 'fixed', baseDelay: 1 } }));
    expect(model.callCount).toBe(3); // the first call and 2 retries, each failed after 100 ms
    expect(String((run.error as Error).message)).toMatch(/did not settle within 100 ms \(validateTimeout\)/);
    expect(run.errorFrame).toBeGreaterThanOrEqual(300);
  });
});
