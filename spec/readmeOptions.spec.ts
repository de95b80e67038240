/** @test {README.md} */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { asyncScheduler } from 'rxjs';
import { createWindow, customPatternRule, measureRun, patternRule, RETRY_PRESETS, withTimeouts } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { withOpenTelemetry } from 'l0-rx/opentelemetry';
import { withSentry } from 'l0-rx/sentry';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { LIFECYCLE_CALLBACK_KEYS } from '../src/lifecycle/tapLifecycle.js';

// The README's option tables, the options cells of its API reference and the fields it lists
// (`{a, b, c}`, result objects) against the TypeScript types they describe: every option listed,
// none made up. The names are read from the types (with the options they extend), so a new option
// or field fails here until the README lists it.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
/** The README with each run of white space one space: sentences are looked up in it, so rewrapping a paragraph fails nothing. */
const flat = readme.replace(/\s+/g, ' ');

/** The first group of `pattern` in the README's prose ({@link flat}); an error quoting the pattern when the README no longer says it. */
function said(pattern: RegExp): string {
  const found = pattern.exec(flat)?.[1];
  if (found === undefined) throw new Error(`README no longer matches ${pattern} (the sentence this spec reads was reworded: update the pattern)`);
  return found;
}

/** The properties of each exported type of the entry points, by type name (a union of string literals: its members). */
function optionsByType(): ReadonlyMap<string, readonly string[]> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const entries = ['src/index.ts', 'src/testing/index.ts', 'src/stores/redis/index.ts', 'src/stores/jsonl/index.ts',
    'src/monitoring/opentelemetry/index.ts', 'src/monitoring/sentry/index.ts', 'src/breaker/redis/index.ts'];
  const program = ts.createProgram(entries.map((e) => root + e), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });
  const checker = program.getTypeChecker();
  const types = new Map<string, string[]>();
  for (const entry of entries) {
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(root + entry)!)!)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (!(target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
      const type = checker.getDeclaredTypeOfSymbol(target);
      // a union of string literals gives its members; a union of objects, the keys of each member
      const union = type.isUnion() ? type.types : undefined;
      const members = union?.every((t) => t.isStringLiteral()) ? union.map((t) => (t as ts.StringLiteralType).value)
        : union ? union.filter((t) => t.flags & ts.TypeFlags.Object).flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name)) : undefined;
      types.set(symbol.name, members ?? checker.getPropertiesOfType(type).map((p) => p.name));
    }
  }
  return types;
}

/** The identifiers the first column of the table starting at `start` backticks (all the callbacks for `onStart`, `onRetry`, ...). */
function columnAt(start: number): string[] {
  if (start < 0) throw new Error('README has no such table');
  const lines = readme.slice(start).split('\n');
  const end = lines.findIndex((line) => !line.startsWith('|'));
  return lines
    .slice(2, end)
    .map((line) => line.slice(2).split(' | ')[0]!)
    .flatMap((cell) => {
      if (cell.startsWith('`onStart`, `onRetry`, ...')) return [...LIFECYCLE_CALLBACK_KEYS];
      if (cell.startsWith('every `l0()` option')) return [];
      // `concurrency` (`parallel` only): what the parentheses say is not an option
      return [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([A-Za-z]\w*)/g)].map((m) => m[1]!);
    });
}

/** The row of the API reference whose first cell shows `call`. */
function apiRow(call: string): string {
  const reference = readme.slice(readme.indexOf('\n## API reference\n'), readme.indexOf('\n## Migrating from L0\n'));
  const row = reference.split('\n').find((line) => line.startsWith('| ') && line.split(' | ')[0]!.includes(`\`${call}`));
  if (!row) throw new Error(`README's API reference has no row for ${call}`);
  return row;
}

describe('README option tables', () => {
  const types = optionsByType();
  const keys = (type: string, without: readonly string[] = []) => (types.get(type) ?? []).filter((k) => !without.includes(k)).sort();

  // [the table's header row, the type, the type's keys the table leaves to another table]
  const TABLES: readonly (readonly [string, string, (readonly string[])?])[] = [
    ['| option | default | `l0()` default | meaning |', 'WithTimeoutsConfig'],
    ['| option | default | meaning |\n|---|---|---|\n| `enabled`', 'DeduplicateContinuationConfig'],
    ['| option | default | meaning |\n|---|---|---|\n| `errorsAsState`', 'AccumulateConfig'],
    ['| option | default | meaning |\n|---|---|---|\n| `attempts`', 'RetryWithBackoffConfig'],
    ['| option | default | |\n|---|---|---|\n| `stream`', 'L0Options'],
    ['| option | default | |\n|---|---|---|\n| `schema`', 'ParseStructuredConfig', ['scheduler']],
    ['| `guard()` option |', 'GuardConfig'],
    ['| `toServerSentEvents(events$, config)` |', 'ToServerSentEventsConfig'],
    ['| `fromServerSentEvents(url \\| request, config)` |', 'FromServerSentEventsConfig'],
    ['| `createSseReplayBuffer(config)` |', 'SseReplayBufferConfig'],
    ['| `recordEvents` option |', 'RecordEventsConfig'],
    ['| `replayEvents(store, streamId, options)` |', 'ReplayEventsConfig'],
    ['| option (`parallel`, `sequential`, `batched`) |', 'ParallelConfig'],
    ['| pipeline option |', 'PipelineConfig'],
    ['| option | default | meaning |\n|---|---|---|\n| `strategy`', 'ConsensusConfig'],
    ['| option | default | meaning |\n|---|---|---|\n| `key`', 'CircuitBreakerConfig'],
    ['| option | default | meaning |\n|---|---|---|\n| `maxOutputTokens`', 'BudgetConfig'],
    ['| `mergeResults` option |', 'MergeResultsOptions'],
    ['| option | default | meaning |\n|---|---|---|\n| `faults`', 'InjectFaultsOptions'],
  ];

  it.each(TABLES)('should list in the table headed %j exactly the options of %s', (header, type, without) => {
    const names = columnAt(readme.indexOf(header as string));
    expect([...new Set(names)].sort()).toEqual(keys(type as string, (without ?? []) as readonly string[]));
  });

  it('should list in the racing table exactly the options of raceModels and hedge', () => {
    const names = columnAt(readme.indexOf('| option | default | meaning |\n|---|---|---|\n| `winOn`'));
    expect([...new Set(names)].sort()).toEqual([...new Set([...keys('RaceModelsConfig'), ...keys('HedgeConfig')])].sort());
  });

  // [the call as the API reference's first cell shows it, the type of its options]
  const ROWS: readonly (readonly [string, string])[] = [
    ['l0(', 'L0Options'], ['structured(', 'StructuredOptions'], ['fromStream(', 'FromStreamConfig'], ['fromAttempt(', 'FromAttemptConfig'],
    ['withTimeouts(', 'WithTimeoutsConfig'], ['retryWithBackoff(', 'RetryWithBackoffConfig'], ['deduplicateContinuation(', 'DeduplicateContinuationConfig'],
    ['tapLifecycle(', 'LifecycleCallbacks'], ['accumulate(', 'AccumulateConfig'], ['guard(', 'GuardConfig'], ['detectDrift(', 'DetectDriftConfig'],
    ['parseStructured(', 'ParseStructuredConfig'], ['splitThinking(', 'SplitThinkingConfig'], ['hedge(', 'HedgeConfig'], ['budget(', 'BudgetConfig'],
    ['recordEvents(', 'RecordEventsConfig'], ['measureRun(', 'MeasureRunConfig'], ['raceModels(', 'RaceModelsConfig'], ['parallel(', 'ParallelConfig'],
    ['sequential(', 'SequentialConfig'], ['pipeline(', 'PipelineConfig'], ['consensus(', 'ConsensusConfig'], ['createCircuitBreaker(', 'CircuitBreakerConfig'],
    ['createWindow(', 'CreateWindowConfig'], ['toServerSentEvents(', 'ToServerSentEventsConfig'], ['fromServerSentEvents(', 'FromServerSentEventsConfig'],
    ['createSseReplayBuffer(', 'SseReplayBufferConfig'], ['replayEvents(', 'ReplayEventsConfig'], ['createJsonlEventStore(', 'JsonlEventStoreOptions'],
    ['createRedisEventStore(', 'RedisEventStoreOptions'], ['redisBreakerStore(', 'RedisBreakerStoreConfig'], ['withOpenTelemetry(', 'WithOpenTelemetryConfig'],
    ['withSentry(', 'WithSentryConfig'], ['patternRule(', 'PatternRuleConfig'], ['customPatternRule(', 'CustomPatternRuleConfig'],
    ['formatContext(', 'FormatContextConfig'], ['formatMemory(', 'FormatMemoryConfig'], ['cleanOutput(', 'CleanOutputConfig'],
    ['fakeModel(', 'FakeModelOptions'], ['injectFaults(', 'InjectFaultsOptions'], ['startFaultServer(', 'FaultServerOptions'],
  ];

  it.each(ROWS)('should name every option of %s in its API reference row (%s)', (call, type) => {
    const row = apiRow(call);
    const options = row.split(' | ').slice(2).join(' | ');
    expect(keys(type).length, type).toBeGreaterThan(0);
    // "every callback of `tapLifecycle`" and "every `l0()` option" name those options
    const covered = (k: string) =>
      options.includes(`\`${k}\``) ||
      (options.includes('every callback of `tapLifecycle`') && LIFECYCLE_CALLBACK_KEYS.includes(k as never)) ||
      (options.includes('every `l0()` option') && types.get('L0Options')!.includes(k));
    expect(keys(type).filter((k) => !covered(k))).toEqual([]);
  });

  it.each([
    ['| operator | what it does |', {
      fromStream: 'FromStreamConfig', fromAttempt: 'FromAttemptConfig', withTimeouts: 'WithTimeoutsConfig', parseStructured: 'ParseStructuredConfig',
      splitThinking: 'SplitThinkingConfig', measureRun: 'MeasureRunConfig', guard: 'GuardConfig', detectDrift: 'DetectDriftConfig',
      hedge: 'HedgeConfig', budget: 'BudgetConfig',
    }],
    ['| helper | what it does |', {
      formatContext: 'FormatContextConfig', formatMemory: 'FormatMemoryConfig', toolDefinition: 'ToolSpec', splitThinking: 'SplitThinkingConfig',
    }],
  ] as const)("should spell out in the braces of the table headed %j exactly the options of each function", (header, configs: Readonly<Record<string, string>>) => {
    const lines = readme.slice(readme.indexOf(header)).split('\n');
    const braced = lines.slice(2, lines.findIndex((line) => !line.startsWith('|')))
      .map((line) => /^\| `(\w+)\([^`]*\{([^}]*)\}/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!.split(',').map((name) => name.trim().replace(/\?$/, '')).sort()] as const);
    expect(braced.map(([name]) => name).sort()).toEqual(Object.keys(configs).sort());
    for (const [name, listed] of braced) expect(listed, name).toEqual(keys(configs[name]!));
  });

  it('should describe a guardrail rule with every field of GuardRule', () => {
    const fields = said(/A rule is a frozen description `\{([^}]*)\}`/).split(',').map((f) => f.trim().replace(/\?$/, ''));
    expect(fields.sort()).toEqual(keys('GuardRule'));
  });

  it("should list every JsonCorrection in the result table's corrections", () => {
    const row = readme.split('\n').find((line) => line.startsWith('| `corrected`, `corrections` |'))!;
    expect([...row.split(' | ')[1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!).sort()).toEqual(keys('JsonCorrection'));
  });

  it("should name every item kind of fakeModel's object scripts", () => {
    const bullet = readme.slice(readme.indexOf('- `fakeModel(attempts, options?)`'), readme.indexOf('`model.calls` records'));
    const named = [...bullet.matchAll(/`\{(\w+)/g)].map((m) => m[1]!).filter((k) => k !== 'items');
    expect([...new Set(named)].sort()).toEqual([...new Set(keys('FakeItem'))].filter((k) => k !== 'token').sort());
  });

  it('should describe StreamAdapter and its decoder with every member', () => {
    const sentence = said(/Custom adapters implement `StreamAdapter` \(([^]*?)\) and are passed/);
    const named = [...sentence.matchAll(/`(\w+)/g)].map((m) => m[1]!);
    expect(named.sort()).toEqual([...keys('StreamAdapter'), ...keys('ChunkDecoder')].sort());
  });

  it("should give classifyError's result every field of ErrorClassification, wherever it is shown", () => {
    const shown = [...flat.matchAll(/`classifyError\(e(?:, options\?)?\)`(?: returns| \|) `\{([^}]*)\}`/g)].map((m) => m[1]!);
    expect(shown).toHaveLength(2);
    for (const fields of shown) expect(fields.split(',').map((f) => f.trim().replace(/\?$/, '')).sort()).toEqual(keys('ErrorClassification'));
  });

  it.each([
    ['RunMetrics', 'gives the same numbers as a `RunMetrics` object:', 'once per run'],
    ['ParallelResult', 'emits a `ParallelResult` snapshot each time one ends', '`failFast` unsubscribes'],
    ['ConsensusResult', 'runs every source and emits one `ConsensusResult`:', 'Each output has'],
  ])('should name every field of %s where the README describes it', (type, from, to) => {
    const start = flat.indexOf(from);
    const text = flat.slice(start, flat.indexOf(to, start));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(keys(type).filter((k) => !text.includes(`\`${k}\``) && !text.includes(`\`${k}: `))).toEqual([]);
  });

  it("should show every field of the fault server's requests, the server itself and a fake model's calls", () => {
    const fields = (shown: string) => shown.split(',').map((f) => f.trim().replace(/\(\)$/, '')).sort();
    expect(fields(said(/each request records `\{([^}]*)\}`/))).toEqual(keys('FaultRequest'));
    expect(fields(said(/It resolves to `\{([^}]*)\}`/))).toEqual(keys('FaultServer'));
    expect(fields(said(/`model\.calls` records each call's `\{([^}]*)\}`/))).toEqual(keys('FakeModelCall'));
  });

  it('should show every field of an envelope and of RecordedInfo, and every member of EventStore and ServerSentEvents', () => {
    const fields = (shown: string) => shown.split(',').map((f) => f.trim().replace(/[:?].*$/, '')).sort();
    expect(fields(said(/appends each event as an envelope `\{([^}]*)\}`/))).toEqual(keys('EventEnvelope'));
    expect(fields(said(/\| `onRecorded` \| \| `\(\{([^}]*)\}\)/))).toEqual(keys('RecordedInfo'));
    expect(fields(said(/`EventStore \{([^}]*)\}`/))).toEqual(keys('EventStore'));
    expect(fields(said(/It returns `\{ ([^}]*) \}`/).replace(/\([^)]*\)/g, ''))).toEqual(keys('ServerSentEvents'));
  });

  it("should spell out EventStore and StreamAdapter with every member in the migration table", () => {
    const members = (shown: string) => shown.split(',').map((f) => f.trim().replace(/[(?].*$/, '')).sort();
    const migration = readme.slice(readme.indexOf('\n## Migrating from L0\n'), readme.indexOf('\n## Design decisions\n')).replace(/\s+/g, ' ');
    expect(members(/`EventStore` is `\{([^}]*)\}`/.exec(migration)?.[1] ?? '')).toEqual(keys('EventStore'));
    expect(members(/a `StreamAdapter` is `\{([^}]*)\}`/.exec(migration)?.[1] ?? '')).toEqual(keys('StreamAdapter'));
  });

  it.each(ROWS)('should name no option %s does not have in its API reference row (%s)', (call, type) => {
    const options = apiRow(call).split(' | ').slice(2).join(' | ');
    // the comma-separated items outside parentheses, each opened by the option it describes
    const items: string[] = [];
    let depth = 0;
    let item = '';
    for (const ch of options) {
      if (ch === '(' || ch === '{' || ch === '[') depth++;
      if (ch === ')' || ch === '}' || ch === ']') depth--;
      if ((ch === ',' || ch === ';') && depth === 0) {
        items.push(item);
        item = '';
      } else {
        item += ch;
      }
    }
    items.push(item);
    const named = items.map((i) => /^\s*(?:or )?`(\w+)`/.exec(i)?.[1]).filter((n) => n !== undefined);
    // structured() takes every l0() option; customPatternRule(patterns, message?, severity?, config?) two arguments before its config
    const known = new Set([...keys(type), ...(call === 'structured(' ? keys('L0Options') : []), ...(call === 'customPatternRule(' ? ['message', 'severity'] : [])]);
    expect(named.filter((n) => !known.has(n))).toEqual([]);
  });

  it('should say which calls list their options instead of suggesting the closest one for a misspelt key', () => {
    const intro = flat.slice(flat.indexOf('## API reference'), flat.indexOf('| entry | holds |'));
    // [the call, a call with a misspelt option, the option it means]
    const CALLS: readonly (readonly [string, () => unknown, string])[] = [
      ['measureRun', () => measureRun(() => undefined, { schedular: asyncScheduler } as never), 'scheduler'],
      ['patternRule', () => patternRule({ categorys: [] } as never), 'categories'],
      ['createJsonlEventStore', () => createJsonlEventStore('/nonexistent/x.jsonl', { fsynk: true } as never), 'fsync'],
      ['createRedisEventStore', () => createRedisEventStore({ sendCommand: async () => null } as never, { keyprefix: 'x' } as never), 'keyPrefix'],
      ['withOpenTelemetry', () => withOpenTelemetry({ tracer: { startSpan: () => undefined } as never, spanname: 'x' } as never), 'spanName'],
      ['withSentry', () => withSentry({ spanname: 'x' } as never), 'spanName'],
      ['customPatternRule', () => customPatternRule(/x/, 'x', 'error', { spn: 3 } as never), 'span'],
      ['withTimeouts', () => withTimeouts({ intialToken: 5 } as never), 'initialToken'],
      ['createWindow', () => createWindow('text', { sze: 3 } as never), 'size'],
      ['redisBreakerStore', () => redisBreakerStore({ get: () => null, set: () => null, eval: () => null } as never, { prefx: 'x' } as never), 'prefix'],
    ];
    for (const [call, make, meant] of CALLS) {
      let message = '';
      try {
        make();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, call).toContain(`\`${meant}\``);
      if (!message.includes('did you mean')) expect(intro, call).toContain(`\`${call}\``);
    }
  });

  it('should give each retry preset the values of RETRY_PRESETS', () => {
    const start = readme.indexOf('| preset | `attempts` | `maxRetries` | `backoff` |');
    const lines = readme.slice(start).split('\n');
    const rows = lines.slice(2, lines.findIndex((line) => !line.startsWith('|')));
    const table = Object.fromEntries(rows.map((line) => line.slice(2, -2).split(' | ')).map(([name, attempts, maxRetries, backoff]) => [
      /'(\w+)'/.exec(name!)![1]!, { attempts: Number(attempts), maxRetries: Number(maxRetries), backoff: /'([\w-]+)'/.exec(backoff!)![1] },
    ]));
    expect(table).toEqual(JSON.parse(JSON.stringify(RETRY_PRESETS)));
  });
});
