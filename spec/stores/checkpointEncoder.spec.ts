/** @test {CheckpointEncoder}: what a durable store keeps to write a checkpoint compact (internal). */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope, L0Event } from 'l0-rx';
import { CheckpointEncoder } from '../../src/events/checkpointEncoder.js';
import { markIfPrefix, noteCheckpoint } from '../../src/events/checkpointRefs.js';

const at = (streamId: string, seq: number, event: L0Event): EventEnvelope => ({ v: 1, streamId, seq, ts: 0, event });
/** A checkpoint envelope marked as the recorder marks a proved one. */
const proved = (streamId: string, seq: number, content: string, tokenCount: number): EventEnvelope => {
  const event: L0Event = { type: 'checkpoint', content, tokenCount };
  const envelope = at(streamId, seq, event);
  noteCheckpoint(event, 1);
  markIfPrefix(envelope, event, 1);
  return envelope;
};
const open = (encoder: CheckpointEncoder) => (encoder as unknown as { streams: Map<string, unknown> }).streams.size;

describe('CheckpointEncoder', () => {
  it('should write a proved checkpoint compact over the text it wrote, and whole past it', () => {
    const encoder = new CheckpointEncoder();
    encoder.encode(at('s', 0, { type: 'token', value: 'abc' }));
    expect(encoder.encode(proved('s', 1, 'abc', 1))).toEqual({ type: 'checkpoint', contentLength: 3, tokenCount: 1 });
    expect(encoder.encode(proved('s', 2, 'abcd', 1))).toEqual({ type: 'checkpoint', content: 'abcd', tokenCount: 1 });
    expect(encoder.encode(proved('s', 3, 'ab', 2))).toEqual({ type: 'checkpoint', content: 'ab', tokenCount: 2 });
  });

  it('should count a resumed checkpoint into the attempt text it wrote', () => {
    const encoder = new CheckpointEncoder();
    encoder.encode(at('s', 0, { type: 'resume', checkpoint: 'xyz' }));
    encoder.encode(at('s', 1, { type: 'token', value: 'a' }));
    expect(encoder.encode(proved('s', 2, 'xyza', 1))).toEqual({ type: 'checkpoint', contentLength: 4, tokenCount: 1 });
  });

  it('should drop a stream at its terminal envelope, so a store open for long holds only running streams', () => {
    const encoder = new CheckpointEncoder();
    for (let i = 0; i < 100; i++) {
      encoder.encode(at(`s${i}`, 0, { type: 'token', value: 'a' }));
      encoder.encode(at(`s${i}`, 1, i % 2 === 0 ? { type: 'complete', finishReason: 'stop' } : { type: 'token', value: 'b' }));
    }
    expect(open(encoder)).toBe(50);
  });

  it('should follow at most 10,000 streams that never end, forgetting the oldest (its checkpoints then whole)', () => {
    const encoder = new CheckpointEncoder();
    encoder.encode(at('first', 0, { type: 'token', value: 'abc' }));
    for (let i = 0; i < 10_000; i++) encoder.encode(at(`s${i}`, 0, { type: 'token', value: 'a' }));
    expect(open(encoder)).toBe(10_000);
    expect(encoder.encode(proved('first', 1, 'abc', 1))).toEqual({ type: 'checkpoint', content: 'abc', tokenCount: 1 });
  });
});
