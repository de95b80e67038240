/** @test {createJsonlEventStore}: what `fsync` syncs, seen through node:fs/promises. */
import { dirname } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { env } from './storeFixtures.js';
import { useTempDir } from '../helpers/tempDir.js';

/** The paths whose handles were `sync`ed, in order. */
const synced = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args) => {
    const handle = await fs.open(...args);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      synced.push(String(args[0]));
      return sync();
    };
    return handle;
  };
  return { ...fs, open };
});

describe('createJsonlEventStore: fsync', () => {
  const tmp = useTempDir('l0-jsonl-fsync-', 'logs/events.jsonl');

  it.skipIf(process.platform === 'win32')('should sync the file after every append, and its folder after the first, so a new file survives a power loss', async () => {
    synced.length = 0;
    const store = createJsonlEventStore(tmp.path, { fsync: true });
    await store.append([env('a', 0)]);
    await store.append([env('a', 1)]);
    // only the file was synced: its entry in the folder it created could be lost with every append in it
    expect(synced).toEqual([tmp.path, dirname(tmp.path), tmp.path]);
    expect(await store.read('a')).toEqual([env('a', 0), env('a', 1)]);
  });

  it('should sync nothing without fsync', async () => {
    synced.length = 0;
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0)]);
    expect(synced).toEqual([]);
  });
});
