/** @test {consensus} earlyExit: each output through `schema` once, each pair through `similarity` once */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, of } from 'rxjs';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { consensus, isSchemaValidationError, type ConsensusResult, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  a: { type: 'token', value: '{"a":1}' },
  x: { type: 'complete', finishReason: 'stop' },
};
type A = { readonly a: number };
/** Each output's parsed value (a fresh object per output) asked about once, and the value merged from the fields' winners once. */
const onceEach = (seen: readonly unknown[], outputs: number) => expect([seen.length, new Set(seen).size]).toEqual([outputs + 1, outputs + 1]);

/** A schema that records each value it is asked about; `async`: it answers with a promise. Valid when `a` is 1. */
function counted(seen: unknown[], async: boolean): StandardSchemaV1<unknown, A> {
  const check = (value: unknown): StandardSchemaV1.Result<A> =>
    (value as A).a === 1 ? { value: value as A } : { issues: [{ message: 'a must be 1' }] };
  return { '~standard': { version: 1, vendor: 'spec', validate: (value) => (seen.push(value), async ? Promise.resolve(check(value)) : check(value)) } };
}

describe('consensus: earlyExit with a schema', () => {
  // the early decision validated each finished output, then the outputs were validated again: twice per output
  it('should validate each finished output once, the early decision reusing its outcome', () => {
    let result: ConsensusResult<A> | undefined;
    const seen: unknown[] = [];
    testScheduler().run(({ cold, flush }) => {
      const answer = (frames: number) => cold(`${'-'.repeat(frames)}(ax|)`, values);
      consensus([answer(1), answer(2), answer(3), answer(9)], { schema: counted(seen, false), earlyExit: true }).subscribe((r) => (result = r));
      flush();
    });
    expect([result!.consensus, result!.successCount, result!.cancelledCount]).toEqual([{ a: 1 }, 3, 1]);
    onceEach(seen, 3);
  });

  it('should validate each output once with an async schema (no early decision on a pending one)', async () => {
    const seen: unknown[] = [];
    const answer = () => of(values.a!, values.x!);
    const result = await lastValueFrom(consensus([answer(), answer(), answer()], { schema: counted(seen, true), earlyExit: true }));
    expect([result.consensus, result.successCount]).toEqual([{ a: 1 }, 3]);
    onceEach(seen, 3);
  });

  it('should fail an invalid output once, with the schema\'s SchemaValidationError', () => {
    let result: ConsensusResult<A> | undefined;
    const seen: unknown[] = [];
    testScheduler().run(({ cold, flush }) => {
      const bad = cold<L0Event>('-(bx|)', { b: { type: 'token', value: '{"a":2}' }, x: values.x! });
      const answer = (frames: number) => cold(`${'-'.repeat(frames)}(ax|)`, values);
      consensus([bad, answer(2), answer(3)], { schema: counted(seen, false), earlyExit: true }).subscribe((r) => (result = r));
      flush();
    });
    const failed = result!.outputs[0]!;
    expect([failed.status, isSchemaValidationError(failed.error) && /a must be 1/.test(failed.error.message)]).toEqual(['error', true]);
    expect([result!.consensus, result!.successCount]).toEqual([{ a: 1 }, 2]);
    onceEach(seen, 3);
  });
});

describe('consensus: earlyExit with a custom similarity', () => {
  // the early decision compared the finished outputs, then the decision compared them again: each pair twice
  it('should compare each pair of outputs once, the decision reusing what the early check computed', () => {
    let result: ConsensusResult<string> | undefined;
    const pairs: string[] = [];
    const city = (text: string) => text.split(' ')[0];
    const similarity = (a: string, b: string) => (pairs.push(`${a}|${b}`), city(a) === city(b) ? 1 : 0);
    testScheduler().run(({ cold, flush }) => {
      const answer = (text: string, frames: number) => cold<L0Event>(`${'-'.repeat(frames)}(ax|)`, { a: { type: 'token', value: text }, x: values.x! });
      consensus([answer('Paris 1', 1), answer('London 2', 2), answer('Paris 3', 3), answer('Paris 4', 4), answer('London 5', 9)], { similarity, earlyExit: true }).subscribe((r) => (result = r));
      flush();
    });
    expect([result!.consensus, result!.successCount, result!.cancelledCount]).toEqual(['Paris 1', 4, 1]);
    // the four finished outputs: six pairs, each compared once
    expect([pairs.length, new Set(pairs).size]).toEqual([6, 6]);
  });
});
