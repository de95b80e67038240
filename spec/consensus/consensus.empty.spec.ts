/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { consensus, isAllStreamsExhaustedError, isZeroOutputError } from 'l0-rx';
import { runConsensus } from './runConsensus.js';

describe('consensus with empty outputs', () => {
  it('should error with AllStreamsExhaustedError of ZeroOutputErrors when every output is empty (no agreement on nothing)', () => {
    const { result, error } = runConsensus((answer) => consensus([answer(''), answer('', 2)]));
    expect(result).toBeUndefined();
    expect(isAllStreamsExhaustedError(error)).toBe(true);
    if (!isAllStreamsExhaustedError(error)) return;
    expect(error.errors.map(isZeroOutputError)).toEqual([true, true]);
  });

  it('should count a whitespace-only output as failed', () => {
    const { error } = runConsensus((answer) => consensus([answer(' \n'), answer('')]));
    expect(isAllStreamsExhaustedError(error)).toBe(true);
  });

  it('should let empty outputs neither vote nor win: the non-empty answer is the consensus, partial', () => {
    const { result } = runConsensus((answer) => consensus([answer(''), answer('Paris', 2), answer('', 3)], { minimumAgreement: 0 }));
    expect([result?.consensus, result?.status, result?.successCount, result?.failureCount]).toEqual(['Paris', 'partial', 1, 2]);
    expect(isZeroOutputError(result?.outputs[0]?.error)).toBe(true);
  });

  it('should fail an empty output before a custom parse sees it (structured)', () => {
    const { error } = runConsensus((answer) => consensus([answer(''), answer('', 2)], { parse: (text) => ({ text }) }));
    expect(isAllStreamsExhaustedError(error)).toBe(true);
  });

  it('should not exit early on empty outputs agreeing with each other (earlyExit), cancelling the real answers', () => {
    const { result, error } = runConsensus((answer) => consensus([answer(''), answer('', 2), answer('Paris', 5)], { earlyExit: true, minimumAgreement: 0 }));
    expect(error).toBeUndefined();
    expect([result?.consensus, result?.successCount, result?.outputs.map((o) => o.status)]).toEqual(['Paris', 1, ['error', 'error', 'success']]);
  });
});
