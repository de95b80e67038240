/* Runs a README code block as written, so the quick starts are tested exactly as a stranger copies them. */
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { config } from 'rxjs';
import ts from 'typescript';
import { afterEach, beforeEach, vi } from 'vitest';
import { eventually } from '../testing/sdkDrivers.js';

/** The first ```ts block under `heading` (a whole README line such as `### With the AI SDK`), before the next heading. */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading "${heading}"`);
  const section = readme.slice(at + heading.length + 2);
  const next = section.search(/^#{1,6} /m);
  const block = /```ts\n([\s\S]*?)```/.exec(next < 0 ? section : section.slice(0, next));
  if (!block) throw new Error(`README.md has no \`\`\`ts block under "${heading}"`);
  return block[1]!;
}

/** What a snippet printed through its `console`, one formatted string per call. */
export interface Printed {
  readonly log: string[];
  readonly error: string[];
}

/**
 * Runs `code` (TypeScript, ESM imports) once: transpiled to CommonJS, its imports served from
 * `modules` (an import the spec does not provide is an error) and its `console` captured.
 */
export function runSnippet(code: string, modules: Readonly<Record<string, unknown>>): Printed {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const printed: Printed = { log: [], error: [] };
  const console = {
    log: (...args: unknown[]) => printed.log.push(format(...args)),
    error: (...args: unknown[]) => printed.error.push(format(...args)),
  };
  const require = (name: string): unknown => {
    if (!Object.hasOwn(modules, name)) throw new Error(`the README snippet imports "${name}", which the spec does not provide`);
    return modules[name];
  };
  new Function('require', 'exports', 'console', js)(require, {}, console);
  return printed;
}

/** What escaped a snippet, see {@link watchLeaks}. */
export interface Leaks {
  readonly unhandled: unknown[];
  readonly rejections: unknown[];
  readonly sdkConsole: string[];
}

/**
 * Watches what escapes a snippet while a test runs: errors RxJS would rethrow (and so crash the
 * process with) for want of an error handler, unhandled promise rejections, and anything the SDKs
 * write to the real console (their own error logging). Read the arrays inside the test.
 */
export function watchLeaks(): Leaks {
  const leaks: Leaks = { unhandled: [], rejections: [], sdkConsole: [] };
  const onRejection = (reason: unknown) => leaks.rejections.push(reason);
  beforeEach(() => {
    leaks.unhandled.length = leaks.rejections.length = leaks.sdkConsole.length = 0;
    config.onUnhandledError = (e: unknown) => leaks.unhandled.push(e);
    process.on('unhandledRejection', onRejection);
    for (const level of ['error', 'warn', 'log', 'info'] as const) {
      vi.spyOn(globalThis.console, level).mockImplementation((...args: unknown[]) => void leaks.sdkConsole.push(`${level}: ${format(...args)}`));
    }
  });
  afterEach(() => {
    config.onUnhandledError = null;
    process.off('unhandledRejection', onRejection);
    vi.restoreAllMocks();
  });
  return leaks;
}

/**
 * Resolves once the snippet printed its answer (`console.log`), gave up (`no answer:`) or let an
 * error escape, then waits a little for late output.
 */
export async function settled(printed: Printed, leaks: Leaks, timeoutMs = 10_000): Promise<void> {
  const done = () => printed.log.length > 0 || printed.error.some((line) => line.startsWith('no answer:')) || leaks.unhandled.length > 0;
  await eventually(done, timeoutMs);
  await new Promise((r) => setTimeout(r, 50));
}
