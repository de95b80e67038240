/** @test {JSDoc} */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ENTRY_SOURCES as ENTRIES } from './helpers/entryPoints.js';

// STYLE.md section 5: every public export has JSDoc; every exported function and class has an
// `@example`; every function that returns a stream or an operator draws it in a marble line.
// Read from the sources of every entry point of package.json's "exports".

interface PublicDoc {
  readonly name: string;
  readonly kind: 'function' | 'class' | 'value';
  readonly returnsStream: boolean;
  readonly docs: string;
}

/** An indented comment line whose first word is drawn in marble characters: `-a-b-|`, `(sabx|)`, `#`. */
function hasMarbleLine(docs: string): boolean {
  return docs.split('\n').some((line) => {
    const word = /^\s*\*\s{2,}(\S+)/.exec(line)?.[1];
    return word !== undefined && /^[-\w()#|^!]+$/.test(word) && /[-|#]/.test(word);
  });
}

/** The runtime exports of every entry, with the JSDoc of the declaration each one names. */
function publicDocs(): ReadonlyMap<string, readonly PublicDoc[]> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const files = Object.values(ENTRIES).map((file) => root + file);
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });
  const checker = program.getTypeChecker();
  const result = new Map<string, PublicDoc[]>();
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(root + file)!)!;
    const docs: PublicDoc[] = [];
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const exportSpecifier = symbol.declarations?.find(ts.isExportSpecifier);
      if (exportSpecifier?.isTypeOnly || exportSpecifier?.parent.parent.isTypeOnly) continue;
      if (!(target.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Class))) continue;
      const declaration = target.declarations![0]!;
      const documented = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
      const signatures = checker.getTypeOfSymbol(target).getCallSignatures();
      const returns = signatures.map((s) => checker.typeToString(s.getReturnType())).join(' ');
      docs.push({
        name: symbol.name,
        kind: target.flags & ts.SymbolFlags.Class ? 'class' : signatures.length > 0 ? 'function' : 'value',
        returnsStream: /^(Observable|OperatorFunction|MonoTypeOperatorFunction)</.test(returns),
        docs: ts.getJSDocCommentsAndTags(documented).map((d) => d.getText()).join('\n'),
      });
    }
    result.set(entry, docs);
  }
  return result;
}

describe('JSDoc of the public exports', () => {
  const byEntry = publicDocs();

  it('should read every entry point of package.json and find its exports', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as { exports: Record<string, unknown> };
    const entries = Object.keys(pkg.exports).filter((key) => key !== './package.json').map((key) => `l0-rx${key.slice(1)}`);
    expect(Object.keys(ENTRIES).sort()).toEqual(entries.sort());
    for (const [entry, docs] of byEntry) expect(docs.length, entry).toBeGreaterThan(0);
  });

  it('should document every runtime export', () => {
    const missing = [...byEntry].flatMap(([entry, docs]) => docs.filter((d) => !d.docs.startsWith('/**')).map((d) => `${entry}: ${d.name}`));
    expect(missing).toEqual([]);
  });

  it('should give every exported function and class an @example', () => {
    const missing = [...byEntry].flatMap(([entry, docs]) =>
      docs.filter((d) => d.kind !== 'value' && !d.docs.includes('@example')).map((d) => `${entry}: ${d.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('should draw a marble line for every function returning an Observable or an operator', () => {
    const streams = [...byEntry].flatMap(([entry, docs]) => docs.filter((d) => d.returnsStream).map((d) => ({ entry, ...d })));
    expect(streams.length).toBeGreaterThan(30);
    expect(streams.filter((d) => !hasMarbleLine(d.docs)).map((d) => `${d.entry}: ${d.name}`)).toEqual([]);
  });

  it('should tell a marble line from prose and code', () => {
    expect(hasMarbleLine('/**\n *   -a-b-|      source\n */')).toBe(true);
    expect(hasMarbleLine('/**\n *   (sabx|)     replayEvents(store, id)\n */')).toBe(true);
    expect(hasMarbleLine('/**\n * A sentence - with a dash.\n *   const x = 1;\n */')).toBe(false);
  });
});
