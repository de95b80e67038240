/** @test {README.md} */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENTRY_SOURCES as ENTRIES } from './helpers/entryPoints.js';

// The README's entry table ("imports at run time") and its "Node only" sentence against the
// `node:*` modules each entry point's source really imports, following its relative imports.
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const flat = readme.replace(/\s+/g, ' ');

/** The modules other than its own files that `file` and the files it imports at run time import (`node:fs/promises` kept as it is). */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  // runtime imports and re-exports only: `import type` and `export type` bring in nothing
  for (const m of code.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from\s+'([^']+)'/gm)) {
    const specifier = m[1]!;
    if (!specifier.startsWith('.')) found.add(specifier);
    else {
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (existsSync(target)) for (const n of runtimeImports(target, seen)) found.add(n);
    }
  }
  return found;
}

/** The `node:*` modules (`node:fs/promises` as `node:fs`) that `file` and the files it imports at run time import. */
const nodeModules = (file: string): Set<string> =>
  new Set([...runtimeImports(file)].filter((m) => m.startsWith('node:')).map((m) => m.replace(/\/.*$/, '')));

describe("README's entry points", () => {
  const lines = readme.slice(readme.indexOf('| entry | holds | imports at run time |')).split('\n');
  const rows = lines.slice(2, lines.findIndex((line) => !line.startsWith('|'))).map((line) => line.slice(1, -1).split(' | ').map((c) => c.trim()));

  it('should give every entry point a row', () => {
    const listed = rows.flatMap(([entries]) => [...entries!.matchAll(/`(l0-rx[\w/]*)`/g)].map((m) => m[1]!));
    expect(listed.sort()).toEqual(Object.keys(ENTRIES).sort());
  });

  it.each(rows)('should name exactly the node: modules %s imports at run time', (entries, _holds, imports) => {
    const used = new Set([...entries.matchAll(/`(l0-rx[\w/]*)`/g)].flatMap((m) => [...nodeModules(root + ENTRIES[m[1]!]!)]));
    const named = [...imports.matchAll(/`(node:[\w]+)/g)].map((m) => m[1]!);
    expect(named.sort()).toEqual([...used].sort());
  });

  it.each(rows)('should name exactly the packages %s imports at run time', (entries, _holds, imports) => {
    const used = new Set([...entries.matchAll(/`(l0-rx[\w/]*)`/g)].flatMap((m) => [...runtimeImports(root + ENTRIES[m[1]!]!)]));
    // a client the caller passes in is not imported (`a \`redis\` client you pass`)
    const named = [...imports.matchAll(/`([@\w][\w@/.-]*)`(?! client you pass)/g)].map((m) => m[1]!).filter((m) => !m.startsWith('node:') && m !== 'EVALSHA');
    expect(named.sort()).toEqual([...used].filter((m) => !m.startsWith('node:')).sort());
  });

  it('should say which entry points are Node only', () => {
    const nodeOnly = Object.keys(ENTRIES).filter((entry) => nodeModules(root + ENTRIES[entry]!).size > 0);
    const sentence = /Node only, like ([^:]*): the root entry and the other entries use no `node:\*` module/.exec(flat);
    expect(sentence).not.toBeNull();
    const named = [...sentence![1]!.matchAll(/`(l0-rx[\w/]*)`/g)].map((m) => m[1]!);
    expect(['l0-rx/testing', ...named].sort()).toEqual(nodeOnly.sort());
  });
});
