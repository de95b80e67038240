/** @test {README.md} */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  AllStreamsExhaustedError,
  BudgetExceededError,
  CircuitOpenError,
  ConsensusError,
  createMemoryEventStore,
  createSseReplayBuffer,
  createStoreReplaySource,
  DriftDetectedError,
  EventLogError,
  GuardrailViolationError,
  InvalidStreamError,
  L0_EVENT_TYPES,
  SchemaValidationError,
  StreamAbortedError,
  TokenTimeoutError,
  UnknownError,
  ZeroOutputError,
  classifyError,
  type ErrorClassification,
  type EventLogErrorCode,
  type L0Error,
  type ProviderErrorCode,
  type SseReplaySource,
  type TimeoutKind,
} from 'l0-rx';
import { fakeError } from 'l0-rx/testing';
import { INITIAL_L0_STATE } from '../src/events/reduceState.js';

// The README's reference tables against the code: the event table against eventTypes.ts, the
// L0State and usage tables against their types, the error table against the errors themselves.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first table after `marker` (a heading or a header row), as rows of trimmed cells, header and divider left out. */
function tableAfter(marker: string): string[][] {
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no "${marker}"`);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('| '));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  return lines
    .slice(first + 2, end)
    .map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

/** The backticked words of a cell: `` `a, b?` `` gives a, b?. */
const words = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.split(/,\s*/));

/** The members of an interface or type literal of src/events/eventTypes.ts, `?` marking optional ones. */
function membersByType(): { events: Map<string, string[]>; interfaces: Map<string, string[]> } {
  const file = fileURLToPath(new URL('../src/events/eventTypes.ts', import.meta.url));
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const events = new Map<string, string[]>();
  const interfaces = new Map<string, string[]>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const members = node.members.filter(ts.isPropertySignature);
    const type = members.find((m) => m.name.getText(source) === 'type')?.type;
    const names = members.filter((m) => m.name.getText(source) !== 'type').map((m) => m.name.getText(source) + (m.questionToken ? '?' : ''));
    interfaces.set(node.name.text, names);
    if (type && ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) events.set(type.literal.text, names);
  });
  return { events, interfaces };
}

describe('README reference tables', () => {
  const { events, interfaces } = membersByType();

  it('should list every event type with exactly its fields', () => {
    const rows = tableAfter('| type | fields | meaning |');
    expect(rows.map(([type]) => words(type!)[0]).sort()).toEqual([...L0_EVENT_TYPES].sort());
    expect([...events.keys()].sort()).toEqual([...L0_EVENT_TYPES].sort());
    for (const [type, fields] of rows) expect(words(fields!).sort(), words(type!)[0]).toEqual(events.get(words(type!)[0]!)!.sort());
  });

  it('should list every L0State field', () => {
    const rows = tableAfter('| field | type | meaning |');
    expect(rows.map(([field]) => words(field!)[0]).sort()).toEqual(Object.keys(INITIAL_L0_STATE).sort());
  });

  it('should list every Usage field', () => {
    const rows = tableAfter('| field | meaning |\n|---|---|\n| `inputTokens`');
    expect(rows.map(([field]) => `${words(field!)[0]}?`).sort()).toEqual(interfaces.get('Usage')!.sort());
  });

  // Every code of every class, built as the library builds it. The Record types make tsc fail when a code is added.
  const TIMEOUTS: Record<TimeoutKind, true> = { initial: true, inter: true, total: true };
  const LOG_CODES: Record<EventLogErrorCode, true> = {
    STREAM_NOT_FOUND: true, STREAM_EMPTY: true, INVALID_LOG: true, RECORD_FAILED: true, RECORD_OVERFLOW: true, RUN_MISMATCH: true, STORE_UNAVAILABLE: true,
    STORE_TIMEOUT: true, STORE_FAILED: true,
  };
  const PROVIDER_CODES: Record<ProviderErrorCode, true> = {
    NETWORK_ERROR: true, RATE_LIMITED: true, SERVER_ERROR: true, AUTH_ERROR: true, BAD_REQUEST: true,
    CONTEXT_LENGTH_EXCEEDED: true, CONTENT_FILTERED: true, INCOMPLETE_STREAM: true, MALFORMED_CHUNK: true,
  };
  const violation = (severity: 'error' | 'fatal') => ({ ruleId: 'r', message: 'm', severity, recoverable: severity !== 'fatal' });
  const samples: readonly L0Error[] = [
    ...(Object.keys(TIMEOUTS) as TimeoutKind[]).map((kind) => new TokenTimeoutError({ kind, timeoutMs: 1, elapsedMs: 1, tokenCount: 0 })),
    new ZeroOutputError({ content: '' }),
    new GuardrailViolationError({ violations: [violation('error')] }),
    new GuardrailViolationError({ violations: [violation('fatal')] }),
    new DriftDetectedError({ types: ['tone'], confidence: 0.9 }),
    new SchemaValidationError({ kind: 'SCHEMA_VALIDATION_FAILED', issues: [] }),
    new SchemaValidationError({ kind: 'INVALID_JSON', text: '{' }),
    new SchemaValidationError({ kind: 'INVALID_JSON', text: '', retryable: false, toolCalls: ['lookup'] }),
    new StreamAbortedError(),
    new InvalidStreamError('not a stream'),
    new UnknownError(new Error('boom')),
    new ConsensusError({ kind: 'below-minimum-agreement', agreement: 0.3, minimumAgreement: 0.6 }),
    new CircuitOpenError({ key: 'gpt', state: 'open', retryInMs: 1000 }),
    new BudgetExceededError({ limit: 'maxOutputTokens', max: 1, reached: 2, outputTokens: 2 }),
    ...(Object.keys(LOG_CODES) as EventLogErrorCode[]).map((code) => new EventLogError(code, 'id', 'message')),
  ];
  const errorRows = tableAfter('| class | guard | codes |');
  const rowOf = (name: string) => errorRows.find(([cls]) => words(cls!)[0] === name);

  it('should give each error class its codes, category and retryable flag', () => {
    for (const e of samples) {
      const row = rowOf(e.name);
      expect(row, e.name).toBeDefined();
      const [, guard, codes, flags] = row!;
      expect(guard).toBe(`\`is${e.name}\``);
      expect(words(codes!), e.name).toContain(e.code);
      expect(flags, `${e.name} ${e.code}`).toContain(`\`${e.category}\``);
      // the flag first named is the class's; the other one is named with the codes or cases it is for
      const usual = /`(true|false)`/.exec(flags!)![1] === 'true';
      if (e.retryable !== usual) expect(flags, `${e.name} ${e.code}`).toContain(`\`${String(e.retryable)}\` for`);
      if (e.retryable !== usual && new Set(samples.filter((s) => s.name === e.name).map((s) => s.code)).size > 1 && e.name !== 'SchemaValidationError') {
        expect(flags!.slice(flags!.indexOf(`\`${String(e.retryable)}\` for`)), `${e.name} ${e.code}`).toContain(e.code);
      }
    }
  });

  it('should list exactly the codes each error class raises', () => {
    for (const [cls, , codes] of errorRows) {
      const name = words(cls!)[0]!;
      const listed = words(codes!).filter((w) => /^[A-Z_]+$/.test(w));
      if (name === 'L0Error') continue;
      const all = [...samples, new AllStreamsExhaustedError([new UnknownError('boom')])];
      const known = name === 'ProviderError' ? Object.keys(PROVIDER_CODES) : all.filter((s) => s.name === name).map((s) => s.code);
      expect([...new Set(listed)].sort(), name).toEqual([...new Set(known)].sort());
    }
  });

  it('should name in the L0Error row each source of a plain L0Error code, with its category and retryable flag', () => {
    /** The error a replay of a stream its source does not hold fails with (a memory store answers synchronously). */
    const replayError = (source: SseReplaySource): L0Error => {
      let error: unknown;
      source.replay('never-recorded', 1).subscribe({ error: (e: unknown) => (error = e) });
      return error as L0Error;
    };
    const [, , codes, flags] = rowOf('L0Error')!;
    for (const [source, e] of [
      ['replay buffer', replayError(createSseReplayBuffer())],
      ['`createStoreReplaySource`', replayError(createStoreReplaySource(createMemoryEventStore()))],
    ] as const) {
      expect([e.name, e.code, e.category, e.retryable], source).toEqual(['L0Error', 'STREAM_NOT_FOUND', 'bad-request', false]);
      // the codes cell says who raises it
      expect(codes!.slice(codes!.indexOf(`\`${e.code}\``)), source).toContain(source);
    }
    expect(flags).toContain("`bad-request`, `false` for the replay sources'");
  });

  it("should say in the category table whether each category is retried, naming each of its failures that is not", () => {
    const rows = tableAfter('| `category` | typical failures | by default |');
    const cellOf = (category: string) => rows.find(([first]) => words(first!).includes(category))?.[2];
    // [an error as the library classifies it, the words its row names it by when its category is otherwise retried]
    const cases: readonly (readonly [ErrorClassification | L0Error, string])[] = [
      ...samples.map((e) => [e, e.code] as const),
      [classifyError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })), 'TLS certificate failure'],
      [classifyError(fakeError({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' })), '`insufficient_quota`'],
    ];
    for (const [e, named] of cases) {
      const cell = cellOf(e.category);
      expect(cell, e.category).toBeDefined();
      if (e.retryable) expect(cell, `${e.category} ${named}`).toMatch(/^retried/);
      // a category never retried says so first; a retried one names the failure it does not retry
      else if (!cell!.startsWith('never retried')) expect(cell!.slice(cell!.indexOf('; ')), `${e.category} ${named}`).toContain(named);
    }
  });

  it("should give AllStreamsExhaustedError the last error's category and retryable flag", () => {
    const [, , , flags] = rowOf('AllStreamsExhaustedError')!;
    expect(flags).toContain("the last error's");
    for (const last of samples) {
      const e = new AllStreamsExhaustedError([new UnknownError('first'), last]);
      expect([e.category, e.retryable]).toEqual([last.category, last.retryable]);
    }
  });
});
