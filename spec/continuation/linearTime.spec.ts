/** @test {checkpointEvery} @test {l0} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, checkpointEvery, l0, recommendedGuardrails, type L0Event, type L0State } from 'l0-rx';
import { expectLinearTime, prose, tokens } from '../helpers/linearTime.js';

// Checkpoints in linear time: a checkpoint that read a character of the attempt's text (a string
// grown by +=) made V8 copy the whole text at every checkpoint, quadratic in the answer's length
// (28 us per token at 100,000 tokens in the content stack). 16-character tokens, 1 MB against 256 KB.
const KB = 1024;

function time(run: (events: L0Event[]) => void): (size: number) => number {
  return (size) => {
    const events = tokens(prose(size));
    const started = performance.now();
    run(events);
    return performance.now() - started;
  };
}

describe('checkpoints on a long answer', () => {
  it('should run checkpointEvery(10) in linear time', () => {
    expectLinearTime('checkpointEvery(10)', time((events) => from(events).pipe(checkpointEvery(10)).subscribe()), 256 * KB);
  });

  it('should run the content stack (l0 with guardrails, drift and checkpoints, accumulate) in linear time', () => {
    let last: L0State | undefined;
    const run = (events: L0Event[]) =>
      l0({ stream: () => from(events.slice(1)), guardrails: recommendedGuardrails, detectDrift: true, continueFromLastKnownGoodToken: true })
        .pipe(accumulate())
        .subscribe({ next: (s) => (last = s), error: (e: unknown) => expect.unreachable(String(e)) });
    expectLinearTime('content stack', time(run), 256 * KB);
    // the whole answer went through, every check passed
    expect(last).toMatchObject({ status: 'complete', violations: [] });
    expect(last!.content).toHaveLength(1024 * KB);
  });
});

describe('checkpoints on a long answer whose tokens end between the halves of an emoji', () => {
  /** Tokens that each end with an emoji's first half, the next one starting with its second: every checkpoint drops a half. */
  function split(size: number): L0Event[] {
    const events: L0Event[] = [{ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false }];
    for (let length = 0, i = 0; length < size; length += 16, i++) events.push({ type: 'token', value: `\uDE42${String(i).padStart(14, '.')}\uD83D` });
    events.push({ type: 'complete', finishReason: 'stop' });
    return events;
  }

  it('should run checkpointEvery(10) in linear time (dropping the half never copies the whole text)', () => {
    const contents: string[] = [];
    const timeFor = (size: number) => {
      const events = split(size);
      const started = performance.now();
      from(events).pipe(checkpointEvery(10)).subscribe((e) => e.type === 'checkpoint' && contents.length < 2 && contents.push(e.content));
      return performance.now() - started;
    };
    expectLinearTime('checkpointEvery(10), split emoji', timeFor, 256 * KB);
    // the checkpoints still leave the half out
    expect(contents[0]).toBe(split(160).slice(1, 11).map((e) => (e as { value: string }).value).join('').slice(0, -1));
  });
});
