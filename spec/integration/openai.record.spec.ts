/** @test {recordEvents} @test {replayEvents} */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate, replayEvents, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { REPLY, RETRY, expectComplete, retriesOf, runOpenAIModel, useFaultServer } from './harness.js';

// E2: a run through the real openai SDK and the fault server, with retries and a fallback,
// recorded to a JSONL file and replayed from it byte for byte.
const ctx = useFaultServer();

describe('l0({record}) + openai SDK: byte-identical replay (E2)', () => {
  it('should replay a recorded run with retries and a fallback into the same events, text and state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l0-e2-'));
    try {
      const store = createJsonlEventStore(join(dir, 'events.jsonl'));
      let resolveRecorded!: (info: RecordedInfo) => void;
      const recorded = new Promise<RecordedInfo>((resolve) => (resolveRecorded = resolve));
      const live = await runOpenAIModel(ctx.server, ['fault:cut-after-n:3', 'gpt-fallback'], {
        retry: { ...RETRY, maxRetries: 1 },
        record: { store, streamId: 'e2', onRecorded: (info) => resolveRecorded(info) },
      });
      expectComplete(live, 'stop', REPLY);
      expect(retriesOf(live)).toHaveLength(1);
      expect(live.state.fallbackIndex).toBe(1);
      expect(await recorded).toEqual({ streamId: 'e2', run: expect.any(String), count: live.events.length, error: undefined });

      const replayed: L0Event[] = await lastValueFrom(replayEvents(store, 'e2').pipe(toArray()));
      expect(JSON.stringify(replayed)).toBe(JSON.stringify(live.events));
      const lastStart = replayed.map((e) => e.type).lastIndexOf('start');
      const text = replayed.slice(lastStart).map((e) => (e.type === 'token' ? e.value : '')).join('');
      expect(text).toBe(live.state.content);
      const state = await lastValueFrom(replayEvents(store, 'e2').pipe(accumulate({ errorsAsState: true })));
      expect(JSON.stringify(state)).toBe(JSON.stringify(live.state));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
