/* Runs the JSONL store in child processes: its source (and what it imports) transpiled to a temp folder, driven by a small script. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const WRITER = `
import { createJsonlEventStore } from './stores/jsonl/jsonlEventStore.js';
const [path, prefix, writers, events, batch, payload] = process.argv.slice(2);
const store = createJsonlEventStore(path);
const pad = 'x'.repeat(Number(payload));
process.stdout.write('ready\\n');
await Promise.all(Array.from({ length: Number(writers) }, async (_, w) => {
  const streamId = prefix + '-' + w;
  for (let seq = 0; seq < Number(events); seq += Number(batch)) {
    const envelopes = [];
    for (let s = seq; s < Math.min(seq + Number(batch), Number(events)); s++) {
      envelopes.push({ v: 1, streamId, seq: s, ts: s, event: { type: 'token', value: pad + s } });
    }
    await store.append(envelopes);
  }
}));
process.stdout.write('done\\n');
`;

/** Prints the streams the store lists in the file at argv[2], as JSON. */
const LISTER = `
import { createJsonlEventStore } from './stores/jsonl/jsonlEventStore.js';
process.stdout.write(JSON.stringify(await createJsonlEventStore(process.argv[2]).streams()) + '\\n');
`;

/** A folder holding the transpiled store (with the modules it imports, at their paths under src/) and the writer and lister scripts; returns the writer's path. */
export async function buildWriter(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'l0-jsonl-writer-'));
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const done = new Set<string>();
  const transpile = async (file: string): Promise<void> => {
    if (done.has(file)) return;
    done.add(file);
    const source = await readFile(join(src, file.replace(/\.js$/, '.ts')), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), outputText);
    // the relative imports that survive transpiling (type-only ones are gone)
    for (const [, spec] of outputText.matchAll(/from '(\.{1,2}\/[^']+)'/g)) await transpile(posix.join(posix.dirname(file), spec!));
  };
  await transpile('stores/jsonl/jsonlEventStore.js');
  await writeFile(join(dir, 'package.json'), '{"type":"module","dependencies":{}}');
  await writeFile(join(dir, 'writer.mjs'), WRITER);
  await writeFile(join(dir, 'lister.mjs'), LISTER);
  return join(dir, 'writer.mjs');
}

/** Lists the streams of the file at `path` in a process of its own whose heap is `heapMb` MiB (`script`: buildWriter's); its exit code and output. */
export function listStreams(script: string, path: string, heapMb: number): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, join(dirname(script), 'lister.mjs'), path], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return exited(child).then((code) => ({ code, out }));
}

/** Starts a writer process: `writers` streams named `<prefix>-<i>`, `events` envelopes each, `batch` per append. */
export function startWriter(script: string, args: { path: string; prefix: string; writers: number; events: number; batch: number; payload: number }): ChildProcess {
  const { path, prefix, writers, events, batch, payload } = args;
  return spawn(process.execPath, [script, path, prefix, String(writers), String(events), String(batch), String(payload)], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves with the exit code once the child exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}
