/** @test {toServerSentEvents} */
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { l0, toServerSentEvents, type L0Event } from 'l0-rx';
import { expectLinearTime } from '../helpers/linearTime.js';

// SSE frames in linear time: 16-character tokens, 1 MB against 256 KB (spec/helpers/linearTime.ts).
// A `checkpoint` event holds the whole text so far; sent as a frame every 10 tokens, it was the
// answer sent again and again: quadratic bytes and time (61 us per token at 256 KB).
const KB = 1024;

/** Prose that never repeats a sentence: each one numbered. */
function prose(size: number): string {
  const parts: string[] = [];
  for (let i = 0, length = 0; length < size; i++) length += parts[parts.push(`Sentence ${i} is ordinary prose, with an emoji 🙂. `) - 1]!.length;
  return parts.join('').slice(0, size);
}

function tokens(size: number): L0Event[] {
  const text = prose(size);
  const events: L0Event[] = [];
  for (let i = 0; i < text.length; i += 16) events.push({ type: 'token', value: text.slice(i, i + 16) });
  events.push({ type: 'complete', finishReason: 'stop' });
  return events;
}

describe('toServerSentEvents on a long answer', () => {
  it('should frame an l0() run with continuation in linear time, without sending its checkpoints', () => {
    let bytes = 0;
    const types = new Set<string>();
    const timeFor = (size: number) => {
      const events = tokens(size);
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
