/** @test {guard} */
import fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { guard, type GuardFinding, type GuardMode, type GuardRule, type GuardRuleRun, type L0Event, type Violation, type ViolationSeverity } from 'l0-rx';
import { guardEngine } from '../../src/guard/guard.js';
import { done, runSync, start, tok } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

/*
 * Custom rules against a model of the guard written from its contract alone: a round at every
 * token count some checking rule's interval divides (the first at the least interval), each due
 * rule's check on the text since its last, every run's `held` read each round (a getter that throws
 * is its rule's failure, once an attempt), the rest before the completion checks; a round's, and the
 * completion's, findings fatal first, then by position, then by the rule's place in the list (a rule
 * listed twice is two places), however the async checks answer; the first failing round ends it.
 */

interface Spec {
  readonly name: string;
  readonly letter: string;
  readonly severity: ViolationSeverity;
  readonly interval: number;
  readonly check: boolean;
  /** Findings reported last position first. */
  readonly reversed: boolean;
  readonly complete: 'none' | 'sync' | 'throws' | 'async' | 'rejects';
  /** A `held` getter: none, or one that throws once the run has seen this many characters. */
  readonly heldThrowsAt: number | undefined;
  readonly closed: boolean;
  readonly create: 'yes' | 'no' | 'throws';
}

const specArb = (name: string): fc.Arbitrary<Spec> => fc.record({
  name: fc.constant(name),
  letter: fc.constantFrom('a', 'b', 'c'),
  severity: fc.constantFrom<ViolationSeverity>('warning', 'warning', 'warning', 'warning', 'warning', 'warning', 'error', 'fatal'),
  interval: fc.integer({ min: 1, max: 4 }),
  check: fc.boolean(),
  reversed: fc.boolean(),
  complete: fc.constantFrom('none', 'sync', 'throws', 'async', 'rejects'),
  heldThrowsAt: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  closed: fc.boolean(),
  create: fc.constantFrom('yes', 'yes', 'no', 'throws'),
  // a rule without create needs a check or a complete
}).map((s) => (s.create === 'no' && s.complete === 'none' ? { ...s, check: true } : s));

/** The findings of `spec`'s check on `delta`, the text before it `offset` long: one per letter, and one without a position per `z`. */
function found(spec: Spec, delta: string, offset: number): GuardFinding[] {
  const out: GuardFinding[] = [];
  for (let k = 0; k < delta.length; k++) {
    if (delta[k] === spec.letter) out.push({ message: `${spec.name} ${spec.letter}`, position: offset + k });
    if (delta[k] === 'z') out.push({ message: `${spec.name} z` });
  }
  return spec.reversed ? out.reverse() : out;
}

/** Where the run's `held` starts throwing: a rule without `create` is its own run, its `held` read by guard() (no text seen yet) too. */
const heldThrowsAt = (spec: Spec) => (spec.heldThrowsAt === undefined ? undefined : spec.heldThrowsAt + (spec.create === 'no' ? 1 : 0));

const completed = (spec: Spec, all: string): GuardFinding => {
  const at = all.indexOf(spec.letter);
  return at < 0 ? { message: `${spec.name} end` } : { message: `${spec.name} end`, position: at };
};

/** The rule of `spec`; `answers` collects the async completion checks' settlements. */
function ruleOf(spec: Spec, answers: (() => void)[]): GuardRule {
  const run = (): GuardRuleRun => {
    const r: GuardRuleRun = {};
    let seen = 0;
    if (spec.check) (r as { check?: GuardRuleRun['check'] }).check = (delta, all) => { seen = all.length; return found(spec, delta, all.length - delta.length); };
    if (spec.complete !== 'none') {
      (r as { complete?: GuardRuleRun['complete'] }).complete = (all) => {
        if (spec.complete === 'throws') throw new Error(`${spec.name} broke`);
        if (spec.complete === 'sync') return completed(spec, all);
        return new Promise((resolve, reject) => answers.push(() => (spec.complete === 'async' ? resolve(completed(spec, all)) : reject(new Error(`${spec.name} said no`)))));
      };
    }
    const at = heldThrowsAt(spec);
    if (at !== undefined) Object.defineProperty(r, 'held', { get: () => { if (seen >= at) throw new Error(`${spec.name} lost`); return 0; } });
    return r;
  };
  const base = { name: spec.name, severity: spec.severity, interval: spec.interval, onRuleError: spec.closed ? 'closed' : 'open' } as const;
  if (spec.create === 'no') return Object.assign(run(), base);
  return { ...base, create: () => { if (spec.create === 'throws') throw new Error(`${spec.name} failed`); return run(); } };
}

type Shown = Pick<Violation, 'ruleId' | 'message' | 'severity' | 'recoverable' | 'position'>;

/** A finding as the violation it becomes (`failure`: the rule's own failure, which `f.message` says). */
function violation(spec: Spec, f: GuardFinding, failure = false): Shown {
  const severity = failure ? (spec.closed ? 'error' : 'warning') : (f.severity ?? spec.severity);
  return { ruleId: spec.name, message: failure ? `Rule execution failed: ${f.message}` : f.message, severity, recoverable: severity !== 'fatal', ...(f.position === undefined ? {} : { position: f.position }) };
}

/** A stream's tokens: a first attempt's, retracted (`start`) or resumed from a checkpoint, and the last attempt's. */
interface Stream {
  readonly first: { readonly chunks: readonly string[]; readonly then: 'start' | 'resume'; readonly checkpoint: string } | undefined;
  readonly chunks: readonly string[];
}

/** A violation and the tokens passed before it. */
type Seen = Shown & { readonly after: number };

/** The model's verdict of `list` (specs, some twice) on `stream`. */
function model(list: readonly Spec[], stream: Stream, checkAllEvery?: number): { violations: Seen[]; failing: Shown[] | undefined } {
  const violations: Seen[] = [];
  let passed = 0;
  type Item = { readonly i: number; readonly v: Shown };
  /** Reports a verdict's items in order; the failing ones if any. */
  const decide = (items: Item[], length: number): Shown[] | undefined => {
    const key = (x: Item) => [x.v.severity === 'fatal' ? 0 : 1, x.v.position ?? length, x.i];
    items.sort((a, b) => { const p = key(a); const q = key(b); return p[0]! - q[0]! || p[1]! - q[1]! || p[2]! - q[2]!; });
    violations.push(...items.map((x) => ({ ...x.v, after: passed })));
    const failing = items.filter((x) => x.v.severity !== 'warning').map((x) => x.v);
    return failing.length > 0 ? failing : undefined;
  };
  const least = Math.min(...list.map((s) => (s.check || s.create !== 'no' ? s.interval : Infinity)));
  const firstDue = least === Infinity ? least : Math.min(least, checkAllEvery ?? Infinity);
  // what each run's check saw last: a rule without create is its own run in every attempt and place
  const seen = new Map<unknown, number>();
  /** One attempt on `chunks` after `checkpoint`, to its completion checks if it `ends`; the failing findings if any. */
  const attempt = (chunks: readonly string[], checkpoint: string, ends: boolean): Shown[] | undefined => {
    let created = false;
    const runs: ({ check: boolean; complete: boolean } | undefined)[] = [];
    const last = list.map(() => checkpoint.length);
    const heldFailed = list.map(() => false);
    let text = checkpoint;
    for (const key of [...seen.keys()]) if (typeof key === 'number') seen.delete(key);
    /** A round at token `count` (undefined: the catch-up); the failing findings if any. */
    const round = (count: number | undefined): Shown[] | undefined => {
      const items: Item[] = [];
      if (!created) {
        created = true;
        list.forEach((s, i) => {
          if (s.create === 'throws') items.push({ i, v: violation(s, { message: `${s.name} failed` }, true) });
          runs[i] = s.create === 'throws' ? undefined : { check: s.check, complete: s.complete !== 'none' };
        });
      }
      list.forEach((s, i) => {
        if (!runs[i]?.check) return;
        const run = s.create === 'no' ? s : i;
        if (count === undefined ? last[i]! < text.length : count % s.interval === 0 || count % (checkAllEvery ?? Infinity) === 0) {
          for (const f of found(s, text.slice(last[i]), last[i]!)) items.push({ i, v: violation(s, f) });
          last[i] = text.length;
          seen.set(run, text.length);
        }
        const at = heldThrowsAt(s);
        if (at !== undefined && !heldFailed[i] && (seen.get(run) ?? 0) >= at) {
          heldFailed[i] = true;
          items.push({ i, v: violation(s, { message: `${s.name} lost` }, true) });
        }
      });
      return decide(items, text.length);
    };
    let due = firstDue;
    for (let t = 1; t <= chunks.length; t++) {
      text += chunks[t - 1];
      passed++;
      if (t !== due) continue;
      const failing = round(t);
      if (failing !== undefined) return failing;
      due = Infinity;
      list.forEach((s, i) => {
        if (runs[i]?.check) due = Math.min(due, t - (t % s.interval) + s.interval);
      });
      if (due !== Infinity && checkAllEvery !== undefined) due = Math.min(due, t - (t % checkAllEvery) + checkAllEvery);
    }
    if (!ends) return undefined;
    const failing = round(undefined);
    if (failing !== undefined) return failing;
    const items: Item[] = [];
    list.forEach((s, i) => {
      if (!runs[i]?.complete) return;
      const f = s.complete === 'sync' || s.complete === 'async' ? completed(s, text) : { message: `${s.name} ${s.complete === 'throws' ? 'broke' : 'said no'}` };
      items.push({ i, v: violation(s, f, s.complete === 'throws' || s.complete === 'rejects') });
    });
    return decide(items, text.length);
  };
  const { first } = stream;
  const failing = first && attempt(first.chunks, '', false);
  if (failing !== undefined) return { violations, failing };
  return { violations, failing: attempt(stream.chunks, first?.then === 'resume' ? first.checkpoint : '', true) };
}

/** What the guard says of `stream` through `list`, its async checks answered in the `order` given. */
async function actual(list: readonly Spec[], stream: Stream, mode: GuardMode, order: readonly number[], checkAllEvery?: number) {
  const answers: (() => void)[] = [];
  // a spec listed twice is one rule object in two places
  const made = new Map<Spec, GuardRule>();
  const rules = list.map((s) => made.get(s) ?? made.set(s, ruleOf(s, answers)).get(s)!);
  const violations: Seen[] = [];
  let failing: Shown[] | undefined;
  let ended = false;
  let passed = 0;
  const { first } = stream;
  const events: L0Event[] = [
    ...(first ? [...first.chunks.map(tok), first.then === 'start' ? start(2) : { type: 'resume', checkpoint: first.checkpoint } as const] : []),
    ...stream.chunks.map(tok),
    done(),
  ];
  from(events).pipe(guardEngine(rules, { mode }, checkAllEvery)).subscribe({
    next: (e) => {
      if (e.type === 'token') passed++;
      if (e.type === 'violation') violations.push({ ...e.violation, after: passed });
    },
    error: (e: unknown) => { ended = true; failing = (e as { info: { violations: Shown[] } }).info.violations.slice(); },
    complete: () => void (ended = true),
  });
  const settled = new Set<number>();
  for (const k of order) {
    const j = k % Math.max(1, answers.length);
    if (j < answers.length && !settled.has(j)) { settled.add(j); answers[j]!(); }
    await Promise.resolve();
  }
  answers.forEach((answer, j) => settled.has(j) || answer());
  for (let k = 0; k < 10 && !ended; k++) await new Promise((resolve) => setImmediate(resolve));
  expect(ended).toBe(true);
  return { violations, failing };
}

const listArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }).chain((places) =>
  fc.tuple(...[0, 1, 2, 3].map((k) => specArb(`R${k}`))).map((specs) => places.map((p) => specs[p]!)),
);
const chunksArb = fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'z', ' '), minLength: 1, maxLength: 4 }), { maxLength: 12 });
const streamArb: fc.Arbitrary<Stream> = fc.record({
  first: fc.option(fc.record({ chunks: chunksArb, then: fc.constantFrom<'start' | 'resume'>('start', 'resume'), checkpoint: fc.string({ unit: fc.constantFrom('a', 'b', 'z', ' '), maxLength: 6 }) }), { nil: undefined }),
  chunks: chunksArb,
});

const shown = ({ ruleId, message, severity, recoverable, position }: Shown) => ({ ruleId, message, severity, recoverable, position });

describe('guard: custom rules\' findings against a model of the contract (property)', () => {
  it('should report the violations and fail as the model does, whatever the rules, intervals, chunks, attempts and async answers', async () => {
    // l0() checks every rule at each checkpointInterval-th token too (guardEngine's checkAllEvery)
    const count = { failed: 0, held: 0, async: 0, twice: 0 };
    const checkAllEvery = fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined, freq: 3 });
    await fc.assert(
      fc.asyncProperty(listArb, streamArb, fc.constantFrom<GuardMode>('stream-first', 'hold-back'), fc.array(fc.nat(), { maxLength: 8 }), checkAllEvery, async (list, stream, mode, order, every) => {
        const got = await actual(list, stream, mode, order, every);
        const want = model(list, stream, every);
        // stream-first passes each token before its round's violations; hold-back may merge tokens
        const seen = (v: Seen) => ({ ...shown(v), after: mode === 'stream-first' ? v.after : undefined });
        expect({ violations: got.violations.map(seen), failing: got.failing?.map(shown) }).toEqual({ violations: want.violations.map(seen), failing: want.failing?.map(shown) });
        const messages = want.violations.map((v) => v.message);
        count.failed += want.failing ? 1 : 0;
        count.held += messages.some((m) => m.endsWith(' lost')) ? 1 : 0;
        count.async += messages.filter((m) => m.endsWith(' end') || m.endsWith(' said no')).length > 1 ? 1 : 0;
        count.twice += list.some((s, i) => list.indexOf(s) !== i && want.violations.filter((v) => v.ruleId === s.name).length > 1) ? 1 : 0;
      }),
      { numRuns: runs(2000) },
    );
    // the model was compared on failing verdicts, held getters that threw, several completion findings, rules listed twice
    for (const [what, n] of Object.entries(count)) expect(n, what).toBeGreaterThan(runs(200));
  });

  // a negative `held` (a rule's bug: a count gone wrong) cancelled the text a rule not due yet had not seen: it went out
  it('should count a run\'s negative `held` as 0, never less than the text its rule was not due to see yet', () => {
    const slow: GuardRule = { name: 'slow', interval: 3, create: () => ({ held: -100, check: (delta) => (delta.includes('X') ? { message: 'X' } : undefined) }) };
    const every: GuardRule = { name: 'every', check: () => undefined };
    const r = runSync([tok('a'), tok('X'), tok('b'), tok('c'), done()], guard([every, slow], { mode: 'hold-back', holdBack: 0 }));
    expect(r.released).toBe('');
    expect(r.violations.map((v) => v.message)).toEqual(['X']);
  });

  it('should release in hold-back no text a rule blocks, whatever the runs\' `held` says (negative, NaN, a fraction, a getter that throws)', () => {
    const heldArb = fc.constantFrom<number | 'throws'>(-7, -1, 0, 1, 2.5, NaN, 'throws');
    const blockerArb = fc.record({ interval: fc.integer({ min: 1, max: 4 }), held: heldArb, blocks: fc.boolean() });
    let blocked = 0;
    fc.assert(
      fc.property(fc.array(blockerArb, { minLength: 1, maxLength: 4 }), fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'X'), minLength: 1, maxLength: 3 }), { maxLength: 12 }), (list, chunks) => {
        const rules = list.map(({ interval, held, blocks }, k): GuardRule => ({
          name: `B${k}`,
          interval,
          create: () => Object.defineProperty({ check: (delta: string) => (blocks && delta.includes('X') ? { message: 'X' } : undefined) }, 'held', { get: () => { if (held === 'throws') throw new Error('lost'); return held; } }),
        }));
        const r = runSync([...chunks.map(tok), done()], guard(rules, { mode: 'hold-back', holdBack: 0 }));
        const all = chunks.join('');
        const blocking = all.includes('X') && list.some((rule) => rule.blocks);
        blocked += blocking ? 1 : 0;
        expect(blocking && r.released.includes('X')).toBe(false);
        expect(r.error === undefined ? r.released : undefined).toBe(blocking ? undefined : all);
      }),
      { numRuns: runs(500) },
    );
    expect(blocked).toBeGreaterThan(runs(200));
  });
});
