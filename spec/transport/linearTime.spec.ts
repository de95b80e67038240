/** @test {toServerSentEvents} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { l0, toServerSentEvents } from 'l0-rx';
import { expectLinearTime, prose, tokens } from '../helpers/linearTime.js';

// SSE frames in linear time: 16-character tokens, 1 MB against 256 KB (spec/helpers/linearTime.ts).
// A `checkpoint` event holds the whole text so far; sent as a frame every 10 tokens, it was the
// answer sent again and again: quadratic bytes and time (61 us per token at 256 KB).
const KB = 1024;

describe('toServerSentEvents on a long answer', () => {
  it('should frame an l0() run with continuation in linear time, without sending its checkpoints', () => {
    let bytes = 0;
    const types = new Set<string>();
    const timeFor = (size: number) => {
      const events = tokens(prose(size), []);
      bytes = 0;
      const started = performance.now();
      toServerSentEvents(l0({ stream: () => from(events), continueFromLastKnownGoodToken: true }), { heartbeatMs: 0 }).frames.subscribe((frame) => {
        bytes += frame.length;
        types.add(/^event: (.*)$/m.exec(frame)![1]!);
      });
      return performance.now() - started;
    };
    expectLinearTime('l0 with continuation, SSE frames', timeFor, 256 * KB);
    expect([...types].sort()).toEqual(['complete', 'end', 'start', 'token']);
    expect(bytes).toBeLessThan(8 * 1024 * KB); // about 4 MB of frames for 1 MB of text
  });
});
