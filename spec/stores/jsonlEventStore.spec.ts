/** @test {createJsonlEventStore} */
import { appendFile, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { recordEvents, replayEvents, type EventEnvelope, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { buildWriter, exited, listStreams, startWriter } from './jsonlChild.js';
import { env, tokens } from './storeFixtures.js';
import { useTempDir } from '../helpers/tempDir.js';

/** Every envelope in the file, grouped by stream, read in one pass (independently of the store). */
async function fileStreams(path: string): Promise<Map<string, EventEnvelope[]>> {
  const streams = new Map<string, EventEnvelope[]>();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as EventEnvelope;
    streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
  }
  return streams;
}

function checkStreams(streams: Map<string, readonly EventEnvelope[]>, names: string[], events: number): void {
  expect([...streams.keys()].sort()).toEqual([...names].sort());
  for (const name of names) {
    const log = streams.get(name)!;
    expect(log, name).toHaveLength(events);
    expect(log.every((e, i) => e.seq === i), `${name} in seq order`).toBe(true);
  }
}

describe('createJsonlEventStore', () => {
  const tmp = useTempDir('l0-jsonl-', 'logs/events.jsonl');

  it('should create the file and its folder and read the envelopes back in order', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0), env('a', 1)]);
    await store.append([env('a', 2)]);
    expect(await store.read('a')).toEqual([env('a', 0), env('a', 1), env('a', 2)]);
  });

  it('should write one line per envelope and never rewrite earlier lines', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0)]);
    const before = await readFile(tmp.path, 'utf8');
    await store.append([env('a', 1), env('b', 0)]);
    const after = await readFile(tmp.path, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventEnvelope)).toEqual([env('a', 0), env('a', 1), env('b', 0)]);
  });

  it('should keep streams apart, list them and read an inclusive range', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0), env('b', 0), env('a', 1), env('a', 2)]);
    expect(await store.streams()).toEqual(['a', 'b']);
    expect(await store.read('a', { fromSeq: 1, toSeq: 1 })).toEqual([env('a', 1)]);
  });

  it('should write each line exactly as JSON.stringify writes the envelope', async () => {
    const store = createJsonlEventStore(tmp.path);
    const odd = { streamId: 'a', v: 1, seq: 9, ts: 2, event: { type: 'token', value: 'x' } } as unknown as EventEnvelope;
    const envelopes: EventEnvelope[] = [
      env('a', 0, 'plain'),
      env('a', 1, 'quote " backslash \\ newline \n tab \t and \u2028, emoji \u{1F600}, lone \uD800'),
      { v: 1, streamId: 'with "quotes"', seq: 2, ts: 1733300000000.125, event: { type: 'token', value: 'y' } },
      { v: 1, streamId: 'a', seq: 3, ts: -0, event: { value: 'reordered', type: 'token' } as unknown as L0Event },
      { v: 1, streamId: 'a', seq: 4, ts: 4, event: { type: 'token', value: 'z', extra: 1 } as unknown as L0Event },
      { v: 1, streamId: 'a', seq: 5, ts: 5, event: { type: 'complete', finishReason: 'stop' } },
      { v: 1, streamId: 'a', seq: 6, ts: Number.NaN, event: { type: 'token', value: 'nan ts' } },
      odd,
    ];
    await store.append(envelopes);
    expect((await readFile(tmp.path, 'utf8')).split('\n').filter(Boolean)).toEqual(envelopes.map((e) => JSON.stringify(e)));
  });

  it('should write the appends that arrive during a write together, in one write', async () => {
    const store = createJsonlEventStore(tmp.path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append([env(`s${i}`, 0), env(`s${i}`, 1)])));
    const text = await readFile(tmp.path, 'utf8');
    // every write starts a line of its own: the first append's write, then one for the other 49
    expect(text.split('\n\n')).toHaveLength(2);
    checkStreams(await fileStreams(tmp.path), Array.from({ length: 50 }, (_, i) => `s${i}`), 2);
  });

  it('should reject every append of a failed write and write the next ones', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0)]);
    await rm(tmp.path);
    await mkdir(tmp.path); // the path is now a folder: opening it for append fails
    const failed = await Promise.allSettled([store.append([env('a', 1)]), store.append([env('b', 0)])]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await rm(tmp.path, { recursive: true });
    await store.append([env('c', 0)]);
    expect(await store.streams()).toEqual(['c']);
  });

  it('should read a missing file as no streams', async () => {
    const store = createJsonlEventStore(tmp.path);
    expect(await store.read('a')).toEqual([]);
    expect(await store.streams()).toEqual([]);
  });

  it('should delete a stream by appending a marker, and keep what is recorded under its id afterwards', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0), env('b', 0)]);
    const size = (await stat(tmp.path)).size;
    await store.delete('a');
    expect((await stat(tmp.path)).size).toBeGreaterThan(size);
    expect(await store.streams()).toEqual(['b']);
    await store.append([env('a', 0, 'again')]);
    expect(await store.read('a')).toEqual([env('a', 0, 'again')]);
  });

  it('should ignore a partial last line left by a crash, and keep appending on a line of its own', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0)]);
    await appendFile(tmp.path, JSON.stringify(env('a', 1)).slice(0, 20));
    expect(await store.read('a')).toEqual([env('a', 0)]);
    await store.append([env('b', 0)]);
    expect(await store.read('b')).toEqual([env('b', 0)]);
  });

  it('should read a log larger than the longest string V8 holds (512 MiB), in memory bounded by its longest line', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0)]);
    // 520 runs of other streams with a 1 MiB answer each, as a long-lived log holds them
    const other = Buffer.from(`${JSON.stringify(env('other', 0, 'x'.repeat(1 << 20)))}\n`);
    const handle = await open(tmp.path, 'a');
    for (let i = 0; i < 520; i++) await handle.write(other);
    await handle.close();
    await store.append([env('a', 1)]);
    // readFile(path, 'utf8') failed with "Invalid string length": every read of every stream failed
    expect(await store.read('a')).toEqual([env('a', 0), env('a', 1)]);
  }, 30_000);

  it('should list the streams of a log far larger than its heap, holding no envelope (a replay of an unknown id lists them)', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0)]);
    // 200 MiB: 200 runs of another stream with a 1 MiB answer each
    const other = Buffer.from(`${JSON.stringify(env('other', 0, 'x'.repeat(1 << 20)))}\n`);
    const handle = await open(tmp.path, 'a');
    for (let i = 0; i < 200; i++) await handle.write(other);
    await handle.close();
    await store.delete('a');
    // it kept every envelope of every stream to list their ids: a process whose heap is smaller than the file ran out of memory
    expect(await listStreams(await buildWriter(), tmp.path, 64)).toEqual({ code: 0, out: '["other"]\n' });
  }, 30_000);

  it('should read lines longer than a read chunk, with characters across its edges, and lines of a file saved with a BOM and CRLF', async () => {
    const long = `é🌍${'日本'.repeat(700_000)}🌍`; // about 4 MiB of UTF-8
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0, long), env('a', 1), env('a', 2, long)]);
    expect(await store.read('a')).toEqual([env('a', 0, long), env('a', 1), env('a', 2, long)]);
    await writeFile(tmp.path, `\uFEFF${JSON.stringify(env('b', 0))}\r\n${JSON.stringify(env('b', 1))}\r\n`);
    // the BOM made the first line not JSON: seq 0 was skipped as a torn line
    expect(await store.read('b')).toEqual([env('b', 0), env('b', 1)]);
  });

  it('should fail a read with INVALID_LOG naming the seq of a line whose bytes are not UTF-8, never replaying U+FFFD as the answer', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0, 'café'), env('b', 0, 'thé')]);
    // the same file saved as Latin-1 by an editor: é is one byte, 0xE9, and no UTF-8
    await writeFile(tmp.path, Buffer.from(await readFile(tmp.path, 'utf8'), 'latin1'));
    await store.append([env('a', 1)]);
    // "caf\uFFFD" was read and replayed as the recorded text
    const invalid = 'Stream a is not a valid event log: the envelope at seq 0 holds bytes that are not UTF-8 (a file saved in another encoding?)';
    await expect(store.read('a')).rejects.toMatchObject({ name: 'EventLogError', code: 'INVALID_LOG', streamId: 'a', message: invalid });
    await expect(lastValueFrom(replayEvents(store, 'a'))).rejects.toMatchObject({ code: 'INVALID_LOG', message: invalid });
    // a stream of plain ASCII lines in that file reads as ever
    await store.append([env('c', 0, 'tea')]);
    expect(await store.read('c')).toEqual([env('c', 0, 'tea')]);
  });

  it('should fail only a read whose log holds bytes that are not UTF-8: a deleted run\'s lines are no part of it, and has() answers as streams() does', async () => {
    const store = createJsonlEventStore(tmp.path);
    await store.append([env('a', 0, 'café')]);
    await writeFile(tmp.path, Buffer.from(await readFile(tmp.path, 'utf8'), 'latin1'));
    // has() rejected with INVALID_LOG where streams() listed the stream
    expect([await store.streams(), await store.has!('a')]).toEqual([['a'], true]);
    await store.delete('a');
    await store.append([env('a', 0, 'tea')]);
    // the deleted run's Latin-1 line failed the read of the run recorded after it
    expect([await store.read('a'), await store.has!('a')]).toEqual([[env('a', 0, 'tea')], true]);
    await store.delete('a');
    expect(await store.has!('a')).toBe(false);
  });

  it('should keep writing and reading the file it was created with after the process changes its working directory', async () => {
    const cwd = process.cwd();
    await mkdir(join(tmp.dir, 'elsewhere'), { recursive: true });
    process.chdir(tmp.dir);
    try {
      const store = createJsonlEventStore('logs/relative.jsonl');
      await store.append([env('a', 0)]);
      process.chdir(join(tmp.dir, 'elsewhere'));
      await store.append([env('a', 1)]);
      // it wrote seq 1 to elsewhere/logs/relative.jsonl and read [seq 1] from there: a log split in two
      expect(await store.read('a')).toEqual([env('a', 0), env('a', 1)]);
      await expect(stat(join(tmp.dir, 'elsewhere', 'logs'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      process.chdir(cwd);
    }
  });

  it('should replay what recordEvents wrote', async () => {
    const store = createJsonlEventStore(tmp.path);
    const recorded = new Promise<RecordedInfo>((resolve) => tokens(5, 2).pipe(recordEvents(store, { streamId: 'r', onRecorded: resolve })).subscribe());
    expect(await recorded).toMatchObject({ count: 5, error: undefined });
    const replayed: L0Event[] = [];
    await new Promise<void>((resolve) => replayEvents(store, 'r').subscribe({ next: (e) => replayed.push(e), complete: resolve }));
    expect(replayed.map((e) => (e as { value: string }).value)).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('should name a bad path or option', () => {
    expect(() => createJsonlEventStore('')).toThrow('createJsonlEventStore(path) must be a non-empty string, got ""');
    expect(() => createJsonlEventStore(tmp.path, { sync: true } as never)).toThrow('createJsonlEventStore(path, options): unknown option `sync`; the options are `fsync`');
    expect(() => createJsonlEventStore(tmp.path, { fsync: 1 } as never)).toThrow('createJsonlEventStore(path, {fsync}) must be a boolean, got number');
  });

  describe('under concurrency', () => {
    it('should lose nothing when 100 recorders append 1,000 events each through 10 stores on one file', async () => {
      const stores = Array.from({ length: 10 }, () => createJsonlEventStore(tmp.path));
      const names = Array.from({ length: 100 }, (_, i) => `w${i}`);
      const infos = await Promise.all(names.map((streamId, i) =>
        new Promise<RecordedInfo>((resolve) => tokens(1000, 25).pipe(recordEvents(stores[i % 10]!, { streamId, onRecorded: resolve })).subscribe())));
      expect(infos.every((info) => info.count === 1000 && info.error === undefined)).toBe(true);
      checkStreams(await fileStreams(tmp.path), names, 1000);
      expect(await createJsonlEventStore(tmp.path).read('w42')).toEqual((await fileStreams(tmp.path)).get('w42'));
    }, 60_000);

    it('should lose nothing when 4 processes with 25 writers each append 1,000 events per writer', async () => {
      const script = await buildWriter();
      const children = [0, 1, 2, 3].map((p) => startWriter(script, { path: tmp.path, prefix: `p${p}`, writers: 25, events: 1000, batch: 20, payload: 0 }));
      expect(await Promise.all(children.map(exited))).toEqual([0, 0, 0, 0]);
      const names = [0, 1, 2, 3].flatMap((p) => Array.from({ length: 25 }, (_, w) => `p${p}-${w}`));
      expect([...(await createJsonlEventStore(tmp.path).streams())].sort()).toEqual([...names].sort());
      checkStreams(await fileStreams(tmp.path), names, 1000);
    }, 60_000);
  });

  it('should leave a readable log when a writer process is killed mid-append', async () => {
    const script = await buildWriter();
    const child = startWriter(script, { path: tmp.path, prefix: 'k', writers: 4, events: 1_000_000, batch: 8, payload: 64 * 1024 });
    // kill it while it is writing 512 KiB batches
    for (let i = 0; i < 400; i++) {
      const size = await stat(tmp.path).then((s) => s.size, () => 0);
      if (size > 8 * 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await exited(child);
    const store = createJsonlEventStore(tmp.path);
    const names = [...(await store.streams())].sort();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const log = await store.read(name);
      expect(log.every((e, i) => e.seq === i && e.streamId === name), `${name} is a gap-free prefix`).toBe(true);
    }
    await store.append([env('after', 0)]);
    expect(await store.read('after')).toEqual([env('after', 0)]);
  }, 30_000);
});
