/**
 * @test {createJsonlEventStore}: a line another program wrote, whose stream id is spelled with JSON
 * escapes or in bytes that are not UTF-8, is read and found under the id `streams()` lists it by.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { useTempDir } from '../helpers/tempDir.js';

const line = (idLiteral: Buffer | string, seq: number, value: string) =>
  Buffer.concat([Buffer.from('{"v":1,"streamId":'), Buffer.from(idLiteral), Buffer.from(`,"seq":${seq},"ts":${seq},"event":{"type":"token","value":${JSON.stringify(value)}}}\n`)]);

describe('createJsonlEventStore with lines of another writer', () => {
  const tmp = useTempDir('l0-jsonl-foreign-');

  it('should read and find an id that another JSON writer escaped (Go writes a<b as "a\\u003cb"), as streams() lists it', async () => {
    const file = tmp.path;
    await writeFile(file, Buffer.concat([line('"a\\u003cb"', 0, 'x'), line('"other"', 0, 'o'), line('"a\\u003cb"', 1, 'y')]));
    const store = createJsonlEventStore(file);
    expect(await store.streams()).toEqual(['a<b', 'other']);
    // before: skipped by their first bytes, which are not `"a<b"`: [] and false
    expect((await store.read('a<b')).map((e) => e.event)).toEqual([{ type: 'token', value: 'x' }, { type: 'token', value: 'y' }]);
    expect(await store.has!('a<b')).toBe(true);
    expect((await store.read('other')).map((e) => e.seq)).toEqual([0]);
  });

  it('should read an id with whitespace after it as that id', async () => {
    const file = tmp.path;
    await writeFile(file, Buffer.concat([line('"a" ', 0, 'x')]));
    const store = createJsonlEventStore(file);
    expect(await store.streams()).toEqual(['a']);
    expect((await store.read('a')).length).toBe(1);
    expect(await store.has!('a')).toBe(true);
  });

  it('should fail read with INVALID_LOG, and has say true, for an id listed from bytes that are not UTF-8', async () => {
    const file = tmp.path;
    // "café" saved as Latin-1: é is the one byte 0xE9, which UTF-8 reads as U+FFFD
    await writeFile(file, Buffer.concat([line(Buffer.concat([Buffer.from('"caf'), Buffer.from([0xe9]), Buffer.from('"')]), 0, 'x'), line('"ok"', 0, 'o')]));
    const store = createJsonlEventStore(file);
    const listed = await store.streams();
    expect(listed).toEqual(['caf\uFFFD', 'ok']);
    // before: read gave [] and has false for an id streams() listed
    expect(await store.has!('caf\uFFFD')).toBe(true);
    await expect(store.read('caf\uFFFD')).rejects.toMatchObject({ name: 'EventLogError', code: 'INVALID_LOG', message: expect.stringContaining('not UTF-8') });
    expect((await store.read('ok')).length).toBe(1);
  });
});
