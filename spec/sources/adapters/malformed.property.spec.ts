/** @test {fromStream} @test {BUILT_IN_ADAPTERS} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromStream, isInvalidStreamError, isL0Error, isProviderError, isUnknownError, type L0Event } from 'l0-rx';
import { eventProblem } from '../../../src/sources/validateEvent.js';
import { chunksOf, tick } from '../streamHelpers.js';
import { aiSdkParts, chatChunks, Dice, diceArb, mastraChunks, responsesEvents, scriptArb, type Script } from './streamScripts.js';
import { runs } from '../../helpers/propertyRuns.js';

/*
 * One chunk of a valid stream broken (a field set to a value of another type, null, a huge or negative
 * number, or deleted; a chunk of another format or no object put in; a chunk sent twice): the run
 * settles, with valid events, either completing with the text of every chunk left whole or failing with
 * a typed error that names the problem; never a TypeError, an UnknownError, a hang.
 */

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);

interface Format {
  readonly chunks: (script: Script, dice: Dice) => unknown[];
  /** The answer text a chunk of the format carries. */
  readonly text: (chunk: unknown) => string;
}
const FORMATS: Readonly<Record<string, Format>> = {
  'openai-chat': {
    chunks: chatChunks,
    text: (c) => ((rec(c)?.['choices'] as Rec[] | undefined) ?? []).filter((ch) => (ch['index'] ?? 0) === 0).map((ch) => String(rec(ch['delta'])?.['content'] ?? '')).join(''),
  },
  'openai-responses': {
    chunks: responsesEvents,
    text: (c) => (rec(c)?.['type'] === 'response.output_text.delta' ? String(rec(c)!['delta']) : ''),
  },
  'ai-sdk': { chunks: (s, d) => aiSdkParts(s, d, 'result'), text: (c) => (rec(c)?.['type'] === 'text-delta' ? String(rec(c)!['text']) : '') },
  'ai-sdk-provider': { chunks: (s, d) => aiSdkParts(s, d, 'provider'), text: (c) => (rec(c)?.['type'] === 'text-delta' ? String(rec(c)!['delta']) : '') },
  mastra: { chunks: mastraChunks, text: (c) => (rec(c)?.['type'] === 'text-delta' ? String(rec(rec(c)!['payload'])?.['text']) : '') },
};

/** Values of the wrong type or range for any field. */
const ODD = [null, -1, 1.5, 2 ** 53, 1e308, 4294967296, '', 'x', true, [], {}, [null], { a: 1 }, 'data: {"a":1}'];

type Breakage =
  | { readonly kind: 'set'; readonly path: number; readonly value: number; readonly remove: boolean }
  | { readonly kind: 'insert'; readonly from: string; readonly pick: number }
  | { readonly kind: 'twice' }
  | { readonly kind: 'not-an-object'; readonly value: number };
const breakageArb: fc.Arbitrary<Breakage> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), path: fc.nat(), value: fc.nat(ODD.length - 1), remove: fc.boolean() }) },
  fc.record({ kind: fc.constant('insert' as const), from: fc.constantFrom(...Object.keys(FORMATS)), pick: fc.nat() }),
  fc.record({ kind: fc.constant('twice' as const) }),
  fc.record({ kind: fc.constant('not-an-object' as const), value: fc.nat(3) }),
);

/** Every path into a JSON value (object keys and array indexes). */
function paths(v: unknown, at: readonly (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const p = [...at, Array.isArray(v) ? Number(k) : k];
    return [p, ...paths(x, p)];
  });
}

const kindOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
const valueAt = (v: unknown, path: readonly (string | number)[]): unknown => path.reduce<unknown>((o, k) => (o as Rec)[k], v);

/** The chunk with the field at `path` set to `value` (or removed). */
function broken(chunk: unknown, path: readonly (string | number)[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(chunk) as Rec;
  let o: Rec = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Rec;
  if (remove) delete o[path.at(-1)!];
  else o[path.at(-1)!] = structuredClone(value);
  return copy;
}

/** Settles the run, draining the event loop a bounded number of turns (the chunks come from microtasks). */
async function settle(chunks: readonly unknown[]) {
  const events: L0Event[] = [];
  let outcome: { error: unknown } | 'complete' | undefined;
  fromStream(() => chunksOf(chunks)).subscribe({ next: (e) => events.push(e), error: (error: unknown) => (outcome = { error }), complete: () => (outcome = 'complete') });
  for (let i = 0; i < 20 && outcome === undefined; i++) await tick();
  return { events, outcome };
}

describe('a broken chunk fails the run with a typed error or is read as documented', () => {
  for (const [name, format] of Object.entries(FORMATS)) {
    it(`${name}: settles with valid events, the text of every chunk left whole, or a typed error naming the problem`, async () => {
      const ends = { complete: 0, kept: 0, error: 0 };
      await fc.assert(fc.asyncProperty(scriptArb, diceArb, fc.nat(), breakageArb, async (script, rolls, where, breakage) => {
        const chunks = format.chunks(script, new Dice(rolls));
        // the first chunk picks the format: break the ones after it
        const at = 1 + (where % (chunks.length - 1));
        const list = [...chunks];
        /** The broken chunk's own text, when it must not be lost either (a field of another type is no reason to skip a chunk). */
        let kept: string | undefined;
        if (breakage.kind === 'set') {
          const all = paths(list[at]);
          if (all.length === 0) return;
          const path = all[breakage.path % all.length]!;
          const value = ODD[breakage.value];
          // a tool input of any JSON value is its arguments (documented), not another type; a chat
          // content of an array is a list of content parts (Mistral, documented), read as such, and a chat
          // call's arguments of an object is their JSON (some compatible gateways, documented)
          const documented = path.some((k) => k === 'input' || k === 'args') ||
            (name === 'openai-chat' && ((path.at(-1) === 'content' && Array.isArray(value)) || (path.at(-1) === 'arguments' && kindOf(value) === 'object')));
          if (!breakage.remove && value !== null && kindOf(value) !== kindOf(valueAt(list[at], path)) && !documented) kept = format.text(list[at]);
          list[at] = broken(list[at], path, value, breakage.remove);
        } else if (breakage.kind === 'insert') {
          const other = FORMATS[breakage.from]!.chunks(script, new Dice(rolls)).filter((c) => FORMATS[breakage.from]!.text(c) !== '');
          if (other.length === 0) return;
          list.splice(at, 0, other[breakage.pick % other.length]);
          // every format skips a chunk it cannot read as its own (chat: a typed chunk without choices, a proxy's ping): its text is lost, never the rest
        } else if (breakage.kind === 'twice') list.splice(at, 0, list[at]);
        else list.splice(at, 0, [null, 5, 'text', []][breakage.value]);
        const { events, outcome } = await settle(list);
        ends[outcome === 'complete' ? (kept === undefined ? 'complete' : 'kept') : 'error']++;
        expect(outcome, 'the run settles').toBeDefined();
        for (const e of events) expect(eventProblem(e), JSON.stringify(e)).toBeUndefined();
        if (outcome === 'complete') {
          // the chunks before and after the broken one keep their text
          const text = events.map((e) => (e.type === 'token' ? e.value : '')).join('');
          const before = list.slice(0, at).map(format.text).join('');
          const after = list.slice(at + 1).map(format.text).join('');
          expect(text.startsWith(before) && text.endsWith(after) && text.length >= before.length + after.length, `${JSON.stringify(text)} keeps ${JSON.stringify(before)} ... ${JSON.stringify(after)}`).toBe(true);
          if (kept !== undefined) {
            expect(text).toBe(before + kept + after);
            const calls = events.flatMap((e) => (e.type === 'tool-call' ? [{ id: e.id, name: e.name, args: e.arguments }] : []));
            if (breakage.kind === 'set') expect(calls).toEqual(script.calls);
          }
        } else {
          const { error } = outcome!;
          expect(isL0Error(error) && !isUnknownError(error), String(error)).toBe(true);
          expect(isProviderError(error) || isInvalidStreamError(error), String(error)).toBe(true);
          expect((error as Error).message.length).toBeGreaterThan(20);
        }
      }), { numRuns: runs(500) });
      // each outcome was checked: a whole text, a broken chunk's own text kept, a typed error
      expect(ends.complete, 'runs that completed').toBeGreaterThan(runs(80));
      expect(ends.kept, 'runs that kept a broken chunk\'s text').toBeGreaterThan(runs(20));
      expect(ends.error, 'runs that failed').toBeGreaterThan(runs(60));
    });
  }
});
