/** @test {createJsonlEventStore} */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { env } from './storeFixtures.js';

/** An envelope whose data payload JSON cannot write (a BigInt). */
const unwritable = (streamId: string, seq: number): EventEnvelope =>
  ({ v: 1, streamId, seq, ts: seq, event: { type: 'data', payload: { contentType: 'x', v: 10n } } }) as unknown as EventEnvelope;

describe('createJsonlEventStore when a write fails', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'l0-jsonl-fail-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should write none of an append whose envelopes cannot all be written, and reject it as a promise', async () => {
    const store = createJsonlEventStore(join(dir, 'events.jsonl'));
    const failing = store.append([env('a', 0), unwritable('a', 1)]);
    expect(failing).toBeInstanceOf(Promise);
    await expect(failing).rejects.toThrow();
    await store.append([env('b', 0)]);
    expect(await store.read('a')).toEqual([]);
    expect(await store.read('b')).toEqual([env('b', 0)]);
  });

  it('should try to create the folder again once a failed attempt\'s cause is gone', async () => {
    await writeFile(join(dir, 'logs'), 'not a folder');
    const store = createJsonlEventStore(join(dir, 'logs', 'events.jsonl'));
    await expect(store.append([env('a', 0)])).rejects.toThrow('EEXIST');
    await rm(join(dir, 'logs'));
    await store.append([env('a', 1)]);
    expect((await store.read('a')).map((e) => e.seq)).toEqual([1]);
  });
});
