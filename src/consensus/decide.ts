/*
 * The decision of `consensus`, over finished outputs: text by pairwise similarity, structured by
 * per-field votes. Pure; throws {@link ConsensusError}.
 * Internal: never re-exported from an entry point.
 */
import type { L0State } from '../events/reduceState.js';
import { ConsensusError } from './ConsensusError.js';
import { buildFromFields, fieldName, mergeableFields, voteFields, type FieldConsensus } from './fieldConsensus.js';

/** One source's outcome. */
export interface ConsensusOutput<T = string> {
  /** The source's position. */
  readonly index: number;
  /**
   * `cancelled`: stopped by `earlyExit` once the outcome was decided, unsubscribed or, held back by
   * `concurrency`, never started (no request sent; `state` null). `skipped`: never
   * subscribed (no request sent), because `timeout` stopped the run while `concurrency` held it
   * back; like a failure it gives no answer (the result is `partial`), but it has no `error`.
   */
  readonly status: 'success' | 'error' | 'cancelled' | 'skipped';
  readonly weight: number;
  /** Its final state; null when it never ended (timeout, `earlyExit`) or never started (`skipped`). */
  readonly state: L0State | null;
  readonly text?: string;
  /** The parsed value (structured consensus). */
  readonly value?: T;
  readonly error?: unknown;
}

/** What {@link consensus} emits. */
export interface ConsensusResult<T = string> {
  readonly type: 'text' | 'structured';
  /** The chosen text, or the structured value (each field's winner, or one whole output with `best`). */
  readonly consensus: T;
  /** The output the consensus is (text, or structured `best`); undefined for a per-field consensus. */
  readonly chosenIndex: number | undefined;
  /** Text: the weight of the outputs within `threshold` of the chosen one over the total. Structured: the mean field agreement. */
  readonly agreement: number;
  readonly outputs: readonly ConsensusOutput<T>[];
  /** Text: pairwise similarity by source position (`null` where a source failed). */
  readonly similarities: readonly (readonly (number | null)[])[] | undefined;
  /** Structured: every field's vote, keyed by dotted path (`''` for a top-level non-object; a dot or backslash in a key is escaped with a backslash: `{"a.b": 1}` is `a\.b`, `{a: {b: 1}}` is `a.b`). */
  readonly fields: Readonly<Record<string, FieldConsensus>> | undefined;
  /** Text: positions of the outputs below `threshold` from the chosen one. Structured: fields whose winner has less than `threshold` of the finished outputs' weight. */
  readonly dissent: readonly (number | string)[];
  /** `partial` when some source failed or was `skipped` (a `cancelled` one did not fail). */
  readonly status: 'success' | 'partial';
  readonly successCount: number;
  readonly failureCount: number;
  /** Sources `earlyExit` stopped: unsubscribed, or never started (held back by `concurrency`). */
  readonly cancelledCount: number;
  /** Sources never started: `timeout` came while `concurrency` held them back. */
  readonly skippedCount: number;
  /** With `schema` and `onInvalidMerge: 'best'`: why the merged value was replaced by the best valid output. */
  readonly mergeError?: unknown;
}

export interface DecideOptions<T> {
  readonly strategy: 'majority' | 'unanimous' | 'weighted' | 'best';
  readonly threshold: number;
  readonly resolveConflicts: 'vote' | 'merge' | 'best' | 'fail';
  readonly minimumAgreement: number;
  readonly parse: ((text: string, state: L0State) => T | PromiseLike<T>) | undefined;
  readonly similarity: (a: string, b: string) => number;
  readonly score: ((output: ConsensusOutput<T>) => number) | undefined;
}

/** `sims`: the similarities already computed (by `earlyExit`'s check), by `min * n + max` of each pair's indices. */
export function decide<T>(outputs: readonly ConsensusOutput<T>[], o: DecideOptions<T>, sims?: ReadonlyMap<number, number>): ConsensusResult<T | string> {
  const ok = outputs.filter((x) => x.status === 'success');
  const failureCount = outputs.filter((x) => x.status === 'error').length;
  const cancelled = outputs.filter((x) => x.status === 'cancelled');
  const skippedCount = outputs.filter((x) => x.status === 'skipped').length;
  // the outputs every agreement is over, in source order as earlyExit sums them: 0.1 + 0.1 + 0.6 is not 0.1 + 0.6 + 0.1
  const voters = outputs.filter((x) => x.status === 'success' || x.status === 'cancelled');
  const weight = (i: number) => (o.strategy === 'majority' || o.strategy === 'unanimous' ? 1 : outputs[i]!.weight);
  /** The weight of the sources `earlyExit` cancelled: it counts in every agreement (a lower bound). */
  const absent = cancelled.reduce((s, x) => s + weight(x.index), 0);
  const common = {
    outputs: Object.freeze([...outputs]),
    status: failureCount + skippedCount === 0 ? ('success' as const) : ('partial' as const),
    successCount: ok.length,
    failureCount,
    cancelledCount: cancelled.length,
    skippedCount,
  };
  const best = (candidates: readonly number[], tieBreak: (i: number) => number) =>
    argmax(candidates, (i) => [o.score ? o.score(outputs[i]!) : outputs[i]!.weight, tieBreak(i)]);
  const check = (agreement: number, conflict: boolean) => {
    if (conflict && o.resolveConflicts === 'fail') throw new ConsensusError({ kind: 'conflict', agreement, minimumAgreement: o.minimumAgreement });
    if (agreement < o.minimumAgreement) throw new ConsensusError({ kind: 'below-minimum-agreement', agreement, minimumAgreement: o.minimumAgreement });
  };

  if (o.parse) {
    const internal = voteFields(ok.map((x) => ({ index: x.index, value: x.value, weight: weight(x.index) })), absent);
    const list = Object.entries(internal);
    const agreement = list.length === 0 ? 1 : meanAgreement(list, voters, weight);
    // weights summed in units of the largest when their sum overflows (near Number.MAX_VALUE), as the agreement is
    const unit = Number.isFinite(ok.reduce((s, x) => s + weight(x.index), 0)) ? 1 : Math.max(...ok.map((x) => weight(x.index)));
    const sum = (indices: readonly number[]) => indices.reduce((s, i) => s + weight(i) / unit, 0);
    // a conflict is a finished output voting otherwise: the weight `earlyExit` cancelled lowers `agreement`, never makes one
    const finished = sum(ok.map((x) => x.index));
    const share = (f: FieldConsensus) => (finished > 0 ? sum(f.votes[0]!.indices) / finished : 0);
    const dissent = list.filter(([, f]) => share(f) < o.threshold || (o.strategy === 'unanimous' && !f.unanimous)).map(([p]) => fieldName(p));
    check(agreement, dissent.length > 0);
    const agreeing = (i: number) => list.filter(([, f]) => f.votes[0]!.indices.includes(i)).length;
    const whole = o.strategy === 'best' || (dissent.length > 0 && o.resolveConflicts === 'best') ? best(ok.map((x) => x.index), agreeing) : undefined;
    const fields = Object.freeze(Object.fromEntries(list.map(([p, f]) => [fieldName(p), f])));
    // a field fewer than half the finished outputs' weight wrote is a minority's: `merge` takes it (every field's winner), the rest
    // leave it out, but not the objects a majority wrote around it (`{a: {}}`, not `{}`, when each output's `a` held another field)
    const keep = o.resolveConflicts === 'merge' ? undefined : (indices: readonly number[]) => 2 * sum(indices) >= finished;
    return Object.freeze({
      type: 'structured', consensus: (whole === undefined ? buildFromFields(mergeableFields(internal, weight), keep, internal) : outputs[whole]!.value) as T, chosenIndex: whole,
      agreement, similarities: undefined, fields, dissent: Object.freeze(dissent), ...common,
    });
  }

  const n = outputs.length;
  const sim: (number | null)[][] = Array.from({ length: n }, () => new Array<number | null>(n).fill(null));
  ok.forEach((a, x) => {
    sim[a.index]![a.index] = 1;
    for (const b of ok.slice(x + 1)) sim[a.index]![b.index] = sim[b.index]![a.index] = sims?.get(a.index * n + b.index) ?? o.similarity(a.text!, b.text!);
  });
  const idx = ok.map((x) => x.index);
  // weights near Number.MAX_VALUE overflow the total (Infinity: every agreement 0 or NaN, every support a tie):
  // then summed in units of the largest weight, as the structured agreement is; every sum below is at most the total
  const sum = (f: (i: number) => number) => voters.reduce((s, x) => s + f(x.index), 0);
  const unit = Number.isFinite(sum(weight)) ? 1 : Math.max(...outputs.map((x) => weight(x.index)));
  const w = (i: number) => weight(i) / unit;
  const total = sum(w);
  const support = (i: number) => idx.reduce((s, j) => s + (sim[i]![j]! >= o.threshold ? w(j) : 0), 0);
  const simSum = (i: number) => idx.reduce((s, j) => s + sim[i]![j]! * w(j), 0);
  let chosen = o.strategy === 'best' ? best(idx, support) : argmax(idx, (i) => [support(i), simSum(i)]);
  let dissent = idx.filter((j) => sim[chosen]![j]! < o.threshold);
  if (dissent.length > 0 && o.resolveConflicts === 'best' && o.strategy !== 'best') {
    chosen = best(idx, support);
    dissent = idx.filter((j) => sim[chosen]![j]! < o.threshold);
  }
  const agreement = total > 0 ? support(chosen) / total : 0;
  check(agreement, dissent.length > 0);
  return Object.freeze({
    type: 'text', consensus: outputs[chosen]!.text!, chosenIndex: chosen, agreement,
    similarities: Object.freeze(sim.map((r) => Object.freeze(r))), fields: undefined, dissent: Object.freeze(dissent), ...common,
  });
}

/**
 * The mean field agreement: the winners' weights over every field's total, summed in path order: the
 * mean of the fields' agreements without their rounding, so the order of an output's keys never moves
 * it across `minimumAgreement` (2/5 is 0.4, not 0.39999999999999997). Weights near `Number.MAX_VALUE`
 * overflow those sums (and Infinity / Infinity is NaN, which no `minimumAgreement` refuses): they are
 * then summed in units of the largest weight.
 */
function meanAgreement(
  list: readonly (readonly [string, FieldConsensus])[],
  voters: readonly ConsensusOutput<unknown>[],
  weight: (i: number) => number,
): number {
  const winners = list.map(([p, f]) => [p, f.votes[0]!.indices] as const).sort(([a], [b]) => (a < b ? -1 : 1)); // paths are unique
  const mean = (w: (i: number) => number): number => {
    const total = voters.reduce((s, x) => s + w(x.index), 0);
    const won = winners.map(([, indices]) => indices.reduce((t, i) => t + w(i), 0));
    const all = total * won.length;
    const sum = won.reduce((s, v) => s + v, 0);
    // kept between the fields' own agreements, which rounding can leave: six fields all at 1 are 1, not 0.9999999999999998
    // (a fold, not a spread: an object of 200,000 fields overflows the stack as arguments)
    const bound = (f: (a: number, b: number) => number) => won.reduce((a, v) => f(a, v / total), won[0]! / total);
    return !Number.isFinite(all) || !Number.isFinite(sum) ? NaN : all > 0 ? Math.min(Math.max(sum / all, bound(Math.min)), bound(Math.max)) : 0;
  };
  const exact = mean(weight);
  if (!Number.isNaN(exact)) return exact;
  const unit = Math.max(...voters.map((x) => weight(x.index)));
  return mean((i) => weight(i) / unit);
}

/** The candidate with the largest key (compared element by element); ties keep the first. */
function argmax(candidates: readonly number[], key: (i: number) => number[]): number {
  let bestIndex = candidates[0]!;
  let bestKey = key(bestIndex);
  for (const i of candidates.slice(1)) {
    const k = key(i);
    const d = k.findIndex((v, j) => v !== bestKey[j]);
    if (d !== -1 && k[d]! > bestKey[d]!) [bestIndex, bestKey] = [i, k];
  }
  return bestIndex;
}
