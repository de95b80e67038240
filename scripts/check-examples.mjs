// Type-checks every JSDoc `@example` in src/ against the package sources, in one tsc run, so the
// examples users read in their editor compile in CI (STYLE.md section 9). Run by `npm run typecheck`,
// after check-readme.mjs, which does the same for the README's ```ts blocks.
//
// An example is the text after `@example` up to the next block tag (`@see`, `@param`, ...) or the
// end of the comment, without the leading ` * `. Each becomes a module of its own, so it imports
// what it uses: from 'l0-rx' and its subpaths (resolved to src/ by tsconfig.check.json's paths),
// rxjs, the SDKs. A relative import resolves from the source file holding the example (only an
// internal helper's example needs one). One-line expressions are fine as statements. Errors are
// reported at the line and column of the comment in src/.
//
// The user's own things an example may use without declaring them are the few in PRELUDE below,
// typed as what they stand for. Anything else the example declares itself, in its first lines:
//   declare const chunks: string[];
//   declare function summarise(text: string): StreamFactory;
// Keep the prelude short, and avoid names the DOM lib already has (`event`, `name`, `scheduler`...).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const PRELUDE = `
/** A model call, as fromStream(factory) takes it. */
declare const factory: import('l0-rx').StreamFactory;
/** The same, as l0({ stream }) takes it. */
declare const stream: import('l0-rx').StreamFactory;
/** Two named models, for fallbacks, races and hedges. */
declare const gpt4o: import('l0-rx').StreamFactory;
declare const claude: import('l0-rx').StreamFactory;
/** A stream of l0-rx events, e.g. fromStream(factory) or l0({ stream }). */
declare const events$: import('rxjs').Observable<import('l0-rx').L0Event>;
/** A caught error, for the guards: if (isTokenTimeoutError(e)) ... */
declare const e: unknown;
/** A model's answer, as text. */
declare const answer: string;
/** The user's UI. */
declare function render(...text: (string | undefined)[]): void;
`;

// Block tags end an example; inline ones (`{@link x}`) and `@` inside code (`// @ts-expect-error`, '@sentry/node') do not.
const BLOCK_TAG = /(^|\s)@(example|see|param|returns?|throws|default|defaultValue|deprecated|internal|remarks|typeParam|template|since)\b/;
const out = '.examples-check';

/** The `@example` blocks of one source file: their code lines and where each line sits in the source. */
function examplesOf(file) {
  const text = readFileSync(file, 'utf8');
  const examples = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const first = text.slice(0, comment.index).split('\n').length;
    let current;
    comment[0].split('\n').forEach((raw, i) => {
      const stripped = /^(\s*\/\*\* ?|\s*\*(?!\/) ?)?(.*?)(\s*\*\/)?$/.exec(raw);
      let col = stripped[1]?.length ?? 0;
      let rest = stripped[2];
      for (;;) {
        const tag = BLOCK_TAG.exec(rest);
        if (current) current.lines.push({ code: tag ? rest.slice(0, tag.index) : rest, line: first + i, col });
        if (!tag) return;
        current = undefined;
        const after = tag.index + tag[0].length;
        if (tag[2] === 'example') {
          current = { file, line: first + i, lines: [] };
          examples.push(current);
        }
        col += after + (rest[after] === ' ' ? 1 : 0);
        rest = rest.slice(after).replace(/^ /, '');
      }
    });
  }
  for (const example of examples) {
    const lines = example.lines;
    while (lines.length && !lines[0].code.trim()) lines.shift();
    while (lines.length && !lines.at(-1).code.trim()) lines.pop();
    if (/^```/.test(lines[0]?.code ?? '') && /^```\s*$/.test(lines.at(-1).code)) {
      // a fenced example (TSDoc style): the fences are not code
      lines.shift();
      lines.pop();
    }
    if (!lines.length) throw new Error(`${example.file}:${example.line}: empty @example`);
  }
  return examples;
}

const examples = readdirSync('src', { recursive: true }).filter((f) => f.endsWith('.ts')).sort().flatMap((f) => examplesOf(join('src', f)));
if (examples.length === 0) throw new Error('No @example found in src/');
rmSync(out, { recursive: true, force: true });
const written = new Map();
examples.forEach((example, i) => {
  // e.g. .examples-check/retry/retryWithBackoff.57.ts for the @example on line 57 of src/retry/retryWithBackoff.ts
  const stem = join(out, relative('src', example.file)).replace(/\.ts$/, `.${example.line}`);
  const target = written.has(`${stem}.ts`) ? `${stem}-${i}.ts` : `${stem}.ts`; // two on one line: rare
  const fromSource = (spec) => relative(dirname(target), resolve(dirname(example.file), spec)).replace(/^(?!\.)/, './');
  const code = example.lines.map(({ code }) => code.replace(/((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]*)\2/g, (_, lead, q, spec) => lead + q + fromSource(spec) + q));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${code.join('\n')}\nexport {};\n`);
  written.set(target, example);
});
writeFileSync(`${out}/prelude.d.ts`, PRELUDE);
writeFileSync(`${out}/tsconfig.json`, JSON.stringify({
  extends: '../tsconfig.check.json',
  compilerOptions: { rootDir: '..', noUnusedLocals: false },
  include: ['./**/*.ts'],
}));
try {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${out}/tsconfig.json`, '--pretty', 'false'], { encoding: 'utf8' });
  if (tsc.status !== 0) {
    // point each error at the line of the JSDoc comment it comes from
    const located = (tsc.stdout + tsc.stderr).replace(/^(\S+?)\((\d+),(\d+)\)/gm, (whole, path, row, column) => {
      const at = written.get(path)?.lines[row - 1];
      return at ? `${written.get(path).file}(${at.line},${at.col + Number(column)}) [@example]` : whole;
    });
    process.stderr.write(located || `${tsc.error}\n`);
    process.exitCode = 1;
  } else {
    console.log(`JSDoc: ${written.size} @example blocks compile`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
