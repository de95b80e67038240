/** @test {createJsonlEventStore} */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { env } from './storeFixtures.js';
import { useTempDir } from '../helpers/tempDir.js';

/** An envelope whose data payload JSON cannot write (a BigInt). */
const unwritable = (streamId: string, seq: number): EventEnvelope =>
  ({ v: 1, streamId, seq, ts: seq, event: { type: 'data', payload: { contentType: 'x', v: 10n } } }) as unknown as EventEnvelope;

describe('createJsonlEventStore when a write fails', () => {
  const tmp = useTempDir('l0-jsonl-fail-');

  it('should write none of an append whose envelopes cannot all be written, and reject it as a promise', async () => {
    const store = createJsonlEventStore(join(tmp.dir, 'events.jsonl'));
    const failing = store.append([env('a', 0), unwritable('a', 1)]);
    expect(failing).toBeInstanceOf(Promise);
    await expect(failing).rejects.toThrow();
    await store.append([env('b', 0)]);
    expect(await store.read('a')).toEqual([]);
    expect(await store.read('b')).toEqual([env('b', 0)]);
  });

  it('should let another run take a stream whose run\'s first append failed, and refuse the failed run there', async () => {
    const store = createJsonlEventStore(join(tmp.dir, 'events.jsonl'));
    await expect(store.append([{ ...unwritable('a', 0), run: 'one' }])).rejects.toThrow(/BigInt/);
    // nothing of run one was written: the stream is not its log
    await store.append([{ ...env('a', 0), run: 'two' }]);
    await expect(store.append([{ ...env('a', 1), run: 'one' }])).rejects.toMatchObject({ name: 'EventLogError', code: 'RUN_MISMATCH' });
    expect(await store.read('a')).toEqual([{ ...env('a', 0), run: 'two' }]);
  });

  it('should try to create the folder again once a failed attempt\'s cause is gone', async () => {
    await writeFile(join(tmp.dir, 'logs'), 'not a folder');
    const store = createJsonlEventStore(join(tmp.dir, 'logs', 'events.jsonl'));
    await expect(store.append([env('a', 0)])).rejects.toThrow('EEXIST');
    await rm(join(tmp.dir, 'logs'));
    await store.append([env('a', 1)]);
    expect((await store.read('a')).map((e) => e.seq)).toEqual([1]);
  });
});
