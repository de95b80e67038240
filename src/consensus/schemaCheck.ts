/*
 * The parts of `consensus` around the decision: when `earlyExit` may stop, and the schema checks
 * of each output and of the merged value.
 * Internal: never re-exported from an entry point.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { defer, forkJoin, from, map, of, catchError, race, throwError, type Observable } from 'rxjs';
import type { L0State } from '../events/reduceState.js';
import { SchemaValidationError } from '../errors/SchemaValidationError.js';
import { isPromiseLike } from '../internal/isPromiseLike.js';
import type { ParallelResult } from '../multi/runAll.js';
import { validateSchema } from '../structured/validateSchema.js';
import type { Resolved } from './consensus.js';
import type { ConsensusOutput, ConsensusResult } from './decide.js';
import { canonical } from './fieldConsensus.js';

const NON_SPACE = /\S/;
/** An answer with text in it: an empty or whitespace-only one agrees with nothing (not even another empty one). */
export const hasText = (text: string): boolean => NON_SPACE.test(text);

/** What `parse` gave for an output: its value (maybe a promise) or what it threw. */
export type Parsed<T> = { readonly value: T | PromiseLike<T> } | { readonly error: unknown };

/**
 * `parse`, then `schema` (its output replaces the value), run once per output of a run: `earlyExit`'s check and the
 * outputs share the result (a parse or a schema with a cost or a side effect ran twice). Only a finished output is
 * parsed, so its text is final. A promise (an async parse or schema) is the value, its rejection the output's to report.
 */
export function parseOnce<T>(parse: (text: string, state: L0State) => T | PromiseLike<T>, schema?: StandardSchemaV1<unknown, T>): (i: number, state: L0State) => Parsed<T> {
  const seen: Parsed<T>[] = [];
  return (i, state) => {
    if (!seen[i]) {
      const text = state.content;
      const check = (value: T): T | PromiseLike<T> => (schema ? validateSchema(schema, value, text) : value);
      try {
        const value = parse(text, state);
        seen[i] = { value: isPromiseLike(value) ? Promise.resolve(value).then(check) : check(value) };
      } catch (error) {
        seen[i] = { error };
      }
    }
    return seen[i];
  };
}

/**
 * A predicate over `parallel`'s snapshots, state per subscription: true once one finished output
 * agrees with a strict majority of all the sources' weight (and `minimumAgreement` is met), so no
 * later output can outvote it. Similarities and parsed keys are computed once per pair and output: `sims`, by
 * `min * n + max` of the pair's indices, is the decision's too (a custom similarity ran twice per pair).
 */
export function decided<T>(o: Resolved<T>, parsed: (i: number, state: L0State) => Parsed<T>, sims: Map<number, number>): (r: ParallelResult) => boolean {
  if (o.strategy === 'unanimous' || o.strategy === 'best') return () => false;
  const keys = new Map<number, string | undefined>();
  return (r) => {
    const weight = (i: number) => (o.strategy === 'weighted' ? o.weights![i]! : 1);
    let total = 0;
    for (let i = 0; i < r.total; i++) total += weight(i);
    // an empty output is a failed one (see consensus): it never backs an early decision
    const done = r.statuses.flatMap((s, i) => (s === 'success' && hasText(r.results[i]!.content) ? [i] : []));
    const content = (i: number) => r.results[i]!.content;
    const key = (i: number): string | undefined => {
      if (!keys.has(i)) {
        try {
          const p = parsed(i, r.results[i]!);
          if ('error' in p) throw p.error;
          const value = p.value;
          // an async parse or schema: its value is not known yet, so no early exit on it (its rejection is the output's to report)
          if (isPromiseLike(value)) {
            value.then(undefined, () => undefined);
            keys.set(i, undefined);
            return undefined;
          }
          // (the schema's output: an output that does not parse or validate agrees with nothing)
          keys.set(i, canonical(value));
        } catch {
          keys.set(i, undefined);
        }
      }
      return keys.get(i);
    };
    const agree = (i: number, j: number): boolean => {
      if (i === j) return o.parse === undefined || key(i) !== undefined;
      if (o.parse) return key(i) !== undefined && key(i) === key(j);
      const at = Math.min(i, j) * r.total + Math.max(i, j);
      if (!sims.has(at)) sims.set(at, o.similarity(content(i), content(j)));
      return sims.get(at)! >= o.threshold;
    };
    return done.some((i) => {
      const support = done.reduce((s, j) => s + (agree(i, j) ? weight(j) : 0), 0);
      return support > total / 2 && support / total >= o.minimumAgreement;
    });
  };
}

const lift = <X>(get: () => X | PromiseLike<X>): Observable<X> =>
  defer(() => {
    const v = get();
    return isPromiseLike(v) ? from(Promise.resolve(v)) : of(v);
  });

/**
 * Each successful output's value ({@link parseOnce}'s: parsed and validated), awaited when it is a
 * promise; a rejected one becomes an `error` output, and so does one still pending when
 * `late(output)` errors (the deadline).
 */
export function validateOutputs<T>(outputs: ConsensusOutput<T>[], late: (out: ConsensusOutput<T>) => Observable<never>): Observable<ConsensusOutput<T>[]> {
  if (!outputs.some((o) => isPromiseLike(o.value))) return of(outputs);
  return forkJoin(
    outputs.map((out) =>
      out.status !== 'success' || !isPromiseLike(out.value)
        ? of(out)
        : race(lift(() => out.value as PromiseLike<T>), late(out)).pipe(
            map((value): ConsensusOutput<T> => ({ ...out, value })),
            catchError((error: unknown) => of<ConsensusOutput<T>>({ index: out.index, status: 'error', weight: out.weight, state: out.state, text: out.text!, error })),
          ),
    ),
  );
}

/**
 * A structured result merged from the fields' winners, checked against `schema`: valid, it is
 * returned with the schema's output; invalid, the valid output agreeing with the most fields
 * replaces it (`mergeError` says why), or it errors (`onInvalidMerge: 'error'`).
 */
export function validateMerged<T>(result: ConsensusResult<T | string>, o: Resolved<T>): Observable<ConsensusResult<T | string>> {
  const { schema } = o;
  if (!schema || result.type !== 'structured' || result.chosenIndex !== undefined) return of(result);
  const text = JSON.stringify(result.consensus) ?? '';
  return lift(() => validateSchema(schema, result.consensus, text)).pipe(
    map((consensus) => Object.freeze({ ...result, consensus })),
    catchError((error: unknown) => {
      const info = error instanceof SchemaValidationError ? error.info : { kind: 'SCHEMA_VALIDATION_FAILED' as const, text };
      const merged = new SchemaValidationError({ ...info, retryable: false }, `consensus: the value merged from the fields' winners fails the schema (${error instanceof Error ? error.message : String(error)})`);
      if (o.onInvalidMerge === 'error') return throwError(() => merged);
      const fields = Object.values(result.fields ?? {});
      const ok = result.outputs.filter((x) => x.status === 'success');
      const agreeing = (i: number) => fields.filter((f) => f.votes[0]!.indices.includes(i)).length;
      const chosen = ok.reduce((b, x) => (agreeing(x.index) > agreeing(b.index) ? x : b), ok[0]!);
      return of(Object.freeze({ ...result, consensus: chosen.value as T, chosenIndex: chosen.index, mergeError: merged }));
    }),
  );
}
