/** @test {l0} a signal that is not this realm's AbortSignal */
import { NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isStreamAbortedError, l0, parallel } from 'l0-rx';
import { ForeignSignal } from '../helpers/foreignSignal.js';

describe('l0({signal}) with a signal-like object', () => {
  // it was taken (l0 asked for `aborted` and `addEventListener` only); the run's end then called the missing
  // removeEventListener: an UnsubscriptionError thrown at the consumer's unsubscribe, the request never torn down
  it('should refuse at the call one without removeEventListener, as parallel does', () => {
    const halfSignal = { aborted: false, addEventListener: () => undefined } as unknown as AbortSignal;
    const call = () => l0({ stream: () => NEVER, signal: halfSignal, timeout: false }).subscribe().unsubscribe();
    expect(call).toThrow(new TypeError('l0({signal}) must be an AbortSignal, got an object'));
    expect(() => parallel([], { signal: halfSignal })).toThrow(/^parallel\(sources, \{signal\}\) must be an AbortSignal, got an object$/);
  });

  it('should take a polyfill\'s signal with all three, ending the run with StreamAbortedError at its abort', () => {
    const signal = new ForeignSignal();
    expect(signal).not.toBeInstanceOf(AbortSignal);
    let error: unknown;
    l0({ stream: () => NEVER, signal: signal as unknown as AbortSignal, timeout: false }).subscribe({ error: (e: unknown) => (error = e) });
    signal.abort('stop');
    expect([isStreamAbortedError(error), (error as Error).message]).toEqual([true, 'The stream was aborted: stop']);
  });
});
