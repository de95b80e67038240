/** @test {README.md} */
import { readFileSync } from 'node:fs';
import * as rxjs from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as root from 'l0-rx';
import * as operators from 'l0-rx/operators';
import * as testing from 'l0-rx/testing';
import * as jsonl from 'l0-rx/stores/jsonl';
import * as redis from 'l0-rx/stores/redis';
import * as opentelemetry from 'l0-rx/opentelemetry';
import * as sentry from 'l0-rx/sentry';
import * as breakersRedis from 'l0-rx/breakers/redis';
import { DEDUPLICATE_CONTINUATION_DEFAULTS } from '../src/continuation/deduplicateContinuation.js';
import { LIFECYCLE_CALLBACK_KEYS } from '../src/lifecycle/tapLifecycle.js';

// Keeps the README honest about the public surface: the API reference lists every runtime export,
// the migration table names only functions that exist, and every in-page link lands on a heading.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const entries = { root, operators, testing, jsonl, redis, opentelemetry, sentry, breakersRedis };
const exported = new Set(Object.values(entries).flatMap((m) => Object.keys(m)));

/** The text of a `## title` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Table rows of a section (header and divider rows excluded), split into trimmed cells. */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !/^\|[-| ]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

/** Identifiers opening a backticked span: `foo(x)` and `foo` give foo; `a.b()`, `l0-rx` and `{...}` give nothing. */
function leadingNames(text: string, callsOnly: boolean): string[] {
  const pattern = callsOnly ? /`([A-Za-z_$][\w$]*)\(/g : /`([A-Za-z_$][\w$]*)(?:`|\()/g;
  return [...text.matchAll(pattern)].map((m) => m[1]!);
}

/** GitHub's heading anchor: lower case, punctuation removed, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('README', () => {
  it('should list every runtime export of every entry point in the API reference', () => {
    const listed = new Set(leadingNames(section('API reference'), false));
    const missing = [...exported].filter((name) => !listed.has(name)).sort();
    expect(missing).toEqual([]);
  });

  it('should name each export in a row of the entry point that exports it', () => {
    // A row's entry is the `(\`l0-rx/...\`)` in its first cell, else the one in its `###` heading, else l0-rx.
    const modules: Readonly<Record<string, Record<string, unknown>>> = {
      'l0-rx': root,
      'l0-rx/operators': operators,
      'l0-rx/testing': testing,
      'l0-rx/stores/jsonl': jsonl,
      'l0-rx/stores/redis': redis,
      'l0-rx/opentelemetry': opentelemetry,
      'l0-rx/sentry': sentry,
      'l0-rx/breakers/redis': breakersRedis,
    };
    const wrong: string[] = [];
    for (const block of section('API reference').split('\n### ').slice(1)) {
      const headingEntry = /^[^\n]*\(`(l0-rx\/[\w/]+)`\)/.exec(block)?.[1];
      for (const [first] of rows(block)) {
        const entry = /\(`(l0-rx\/[\w/]+)`\)/.exec(first ?? '')?.[1] ?? headingEntry ?? 'l0-rx';
        const module = modules[entry];
        if (!module) wrong.push(`${first}: no entry ${entry}`);
        for (const name of leadingNames(first ?? '', false)) if (module && !(name in module)) wrong.push(`${name} is not in ${entry}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('should mark exactly the operators of l0-rx/operators as *op* in the API reference', () => {
    const marked = rows(section('API reference'))
      .filter(([first]) => first?.includes('*op*'))
      .flatMap(([first]) => leadingNames(first!, true))
      .filter((name) => name in root);
    expect(marked.sort()).toEqual(Object.keys(operators).sort());
  });

  it('should name only exported functions in the first column of the API reference', () => {
    const named = rows(section('API reference')).flatMap(([first]) => leadingNames(first ?? '', false));
    expect(named.filter((name) => !exported.has(name))).toEqual([]);
  });

  it("should name only existing functions, rxjs functions or option callbacks in the migration table's l0-rx column", () => {
    const known = new Set([...exported, ...Object.keys(rxjs), ...LIFECYCLE_CALLBACK_KEYS, 'shouldRetry', 'calculateDelay', 'subscribe']);
    const named = rows(section('Migrating from L0')).flatMap(([, ours]) => leadingNames(ours ?? '', true));
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });

  it('should list the built-in adapters in the order fromStream tries them (BUILT_IN_ADAPTERS), wherever it lists them all', () => {
    const adapterNames = Object.keys(root).filter((name) => name.endsWith('Adapter'));
    const lists = [...readme.matchAll(/(?:`\w+Adapter`, )+`\w+Adapter`/g)]
      .map((m) => [...m[0].matchAll(/`(\w+)`/g)].map((n) => n[1]!))
      .filter((names) => names.every((n) => adapterNames.includes(n)) && names.length === adapterNames.length);
    expect(lists.length).toBeGreaterThanOrEqual(2);
    const order = root.BUILT_IN_ADAPTERS.map((adapter) => adapterNames.find((name) => (root as Record<string, unknown>)[name] === adapter));
    for (const names of lists) expect(names).toEqual(order);
  });

  it("should map every name of L0's README in the migration table's L0 column", () => {
    // The functions, options, callbacks, result fields and import paths L0's own README shows a user.
    const L0_NAMES = [
      'l0(', 'structured(', 'parallel(', 'pipe(', 'openaiStream', 'mastraStream', 'recommendedGuardrails', 'recommendedRetry',
      'minimalRetry', 'strictRetry', 'exponentialRetry', 'fallbackStreams', 'guardrails', 'retry:', 'attempts', 'maxRetries',
      'baseDelay', 'maxDelay', 'backoff', 'timeout:', 'initialToken', 'interToken', 'autoCorrect', 'concurrency', 'onStart',
      'onComplete', 'onError', 'onEvent', 'onViolation', 'onRetry', 'onFallback', 'onToolCall', 'result.stream', 'result.raw',
      'operations', 'pipe(steps, input)', 'race(', 'consensus(', 'createWindow(', '@ai2070/l0', '/core', '/structured',
      '/consensus', '/parallel', '/window', '/guardrails', '/drift', '/monitoring', 'L0OpenTelemetry', 'L0Sentry', 'replay(',
    ];
    const l0Column = rows(section('Migrating from L0')).map(([theirs]) => theirs ?? '').join('\n');
    expect(L0_NAMES.filter((name) => !l0Column.includes(name))).toEqual([]);
  });

  // Each exported defaults object against the API reference row of the function it belongs to.
  const DEFAULTS: readonly (readonly [string, string, Readonly<Record<string, unknown>>])[] = [
    ['L0_DEFAULTS', 'l0', root.L0_DEFAULTS],
    ['RETRY_WITH_BACKOFF_DEFAULTS', 'retryWithBackoff', root.RETRY_WITH_BACKOFF_DEFAULTS],
    ['PARALLEL_DEFAULTS', 'parallel', root.PARALLEL_DEFAULTS],
    ['CONSENSUS_DEFAULTS', 'consensus', root.CONSENSUS_DEFAULTS],
    ['RECORD_EVENTS_DEFAULTS', 'recordEvents', root.RECORD_EVENTS_DEFAULTS],
    ['TO_SERVER_SENT_EVENTS_DEFAULTS', 'toServerSentEvents', root.TO_SERVER_SENT_EVENTS_DEFAULTS],
    ['FROM_SERVER_SENT_EVENTS_DEFAULTS', 'fromServerSentEvents', root.FROM_SERVER_SENT_EVENTS_DEFAULTS],
    ['SSE_REPLAY_BUFFER_DEFAULTS', 'createSseReplayBuffer', root.SSE_REPLAY_BUFFER_DEFAULTS],
    ['FAULT_SERVER_DEFAULTS', 'startFaultServer', testing.FAULT_SERVER_DEFAULTS],
    ['REDIS_EVENT_STORE_DEFAULTS', 'createRedisEventStore', redis.REDIS_EVENT_STORE_DEFAULTS],
    ['REPLAY_EVENTS_DEFAULTS', 'replayEvents', root.REPLAY_EVENTS_DEFAULTS],
    // not exported, but the defaults deduplicateContinuation (and l0's continuation) resolves against
    ['DEDUPLICATE_CONTINUATION_DEFAULTS', 'deduplicateContinuation', DEDUPLICATE_CONTINUATION_DEFAULTS],
  ];

  it.each(DEFAULTS)('should give the values of %s as the defaults of %s() in the API reference', (_, fn, defaults) => {
    const row = rows(section('API reference')).find(([first]) => first?.includes(`\`${fn}(`))?.join(' | ') ?? '';
    const format = (v: unknown) => (typeof v === 'string' ? `(\`'${v}'\`` : typeof v === 'boolean' ? `(\`${v}\`` : `(${String(v)}`);
    const scalars = Object.entries(defaults).filter(([, v]) => typeof v !== 'object');
    expect(scalars.length).toBeGreaterThan(0);
    expect(scalars.filter(([k, v]) => !row.includes(`\`${k}\` ${format(v)}`)).map(([k]) => k)).toEqual([]);
  });

  it('should link only to headings that exist', () => {
    const outsideCode = readme.replace(/```[\s\S]*?```/g, '');
    const anchors = new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    const links = [...outsideCode.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
  });

  it('should list every section in the contents', () => {
    const contents = section('Contents');
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!).filter((title) => title !== 'Contents');
    expect(sections.filter((title) => !contents.includes(`](#${slug(title)})`))).toEqual([]);
  });

  it("should keep the '### Angular' quick start heading the Angular example links to", () => {
    expect(section('Quick start')).toContain('\n### Angular\n');
  });
});
