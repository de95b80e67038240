/** @test {consensus} an async parse: bounded by `timeout`, and run once per output */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of } from 'rxjs';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { consensus, isAllStreamsExhaustedError, isSchemaValidationError, isTokenTimeoutError, type ConsensusResult, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { unhandledDuring } from '../helpers/unhandled.js';

const values: Record<string, L0Event> = {
  a: { type: 'token', value: '{"a":1}' },
  x: { type: 'complete', finishReason: 'stop' },
};

describe('consensus: an async parse', () => {
  it('should fail an output whose parse never settles at the timeout, as a timed-out source, and decide on the rest', () => {
    let result: ConsensusResult<{ a: number }> | undefined;
    let done = false;
    testScheduler().run(({ cold, flush }) => {
      const answer = () => cold('-(ax|)', values);
      const slow = cold('--(ax|)', values); // subscribed at 0, ends at 2: its parse never settles
      let calls = 0;
      const parse = (text: string): { a: number } | Promise<{ a: number }> => (++calls === 3 ? new Promise<never>(() => undefined) : (JSON.parse(text) as { a: number }));
      consensus([answer(), answer(), slow], { parse, timeout: 100 }).subscribe({ next: (r) => (result = r), complete: () => (done = true) });
      flush();
    });
    expect(done).toBe(true);
    const late = result!.outputs[2]!;
    expect([late.status, isTokenTimeoutError(late.error) && late.error.info]).toEqual(['error', { kind: 'total', timeoutMs: 100, elapsedMs: 100, tokenCount: 1 }]);
    expect([result!.consensus, result!.status, result!.failureCount]).toEqual([{ a: 1 }, 'partial', 1]);
  });

  it('should parse each output once with earlyExit (the early decision reuses its value)', () => {
    let result: ConsensusResult<{ a: number }> | undefined;
    const calls: string[] = [];
    testScheduler().run(({ cold, flush }) => {
      const answer = (frames: number) => cold(`${'-'.repeat(frames)}(ax|)`, values);
      const parse = (text: string) => (calls.push(text), JSON.parse(text) as { a: number });
      consensus([answer(1), answer(2), answer(3), answer(9)], { parse, earlyExit: true }).subscribe((r) => (result = r));
      flush();
    });
    expect([result!.consensus, result!.successCount, result!.cancelledCount]).toEqual([{ a: 1 }, 3, 1]);
    expect(calls).toHaveLength(3);
  });
});

describe('consensus: an async schema with earlyExit', () => {
  // the early decision asks the schema too: its promise was left alone, so a rejection was unhandled (the output's own
  // validation, which fails it, asks again)
  it('should leave no rejection unhandled when the validation rejects, failing each output with a SchemaValidationError', async () => {
    const broken = new Error('validator down');
    const schema: StandardSchemaV1<unknown, { a: number }> = {
      '~standard': { version: 1, vendor: 'spec', validate: () => Promise.reject(broken) },
    };
    const answer = () => of(values.a!, values.x!);
    let error: unknown;
    const unhandled = await unhandledDuring(async () => {
      error = await lastValueFrom(consensus([answer(), answer(), answer()], { schema, earlyExit: true })).catch((e: unknown) => e);
    });
    expect(unhandled).toEqual([]);
    const causes = isAllStreamsExhaustedError(error) ? error.errors.map((e) => isSchemaValidationError(e) && e.cause) : error;
    expect(causes).toEqual([broken, broken, broken]);
  });
});
