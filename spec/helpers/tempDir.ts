/* A fresh temporary folder per test, removed after it: for the specs of the file-backed (JSONL) store. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * Registers, in the calling `describe`, a folder made before each test and removed after it.
 * Read `dir` (and `path`, `file` inside it) inside the tests, once the folder is made.
 */
export function useTempDir(prefix: string, file = 'events.jsonl'): { readonly dir: string; readonly path: string } {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    get path() {
      return join(dir, file);
    },
  };
}
