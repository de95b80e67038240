import type { MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { L0Event } from '../events/eventTypes.js';
import { l0 } from '../preset/l0.js';
import { L0_OPTION_KEYS, type L0Options } from '../preset/l0Options.js';
import { checkBag, checkKeys, optionPath } from '../internal/options.js';
import { engineOf, GUARD_ENGINE } from '../guard/guardEngineKey.js';
import {
  PARSE_STRUCTURED_KEYS,
  parseResolved,
  resolveParseStructured,
  type ParseStructuredConfig,
} from './parseStructured.js';
import type { EventsOf } from './structuredEvent.js';
import type { GuardRule } from '../guard/guardRule.js';

/** Options of {@link structured}: the schema and parsing options of {@link parseStructured}, plus every {@link l0} option. */
export interface StructuredOptions<S extends StandardSchemaV1 = StandardSchemaV1> extends L0Options, ParseStructuredConfig<S> {}

const STRUCTURED = /*#__PURE__*/ optionPath('structured', '', 'options');
/** A frozen list of frozen rules (a preset) without jsonRule, frozen: one list for every call, so the guard's caches keyed by it hit. */
const WITHOUT_JSON = /*#__PURE__*/ new WeakMap<readonly GuardRule[], readonly GuardRule[]>();

/**
 * Structured output with the reliability preset: {@link l0}'s events plus `partial` events while
 * the JSON streams and exactly one `result{data, corrected, corrections, truncated, raw}` right
 * before `complete`. `data` is the schema's output type, a partial the deep-partial of its input
 * (see `StructuredEvent`). A schema or JSON failure retries through
 * `retry`'s budget and backoff (each retry a fresh request whose text alone is parsed), then
 * moves to `fallbackStreams`; network failures retry as in `l0`. An attempt that only called a
 * tool (no JSON in its text) fails at once with a non-retryable `INVALID_JSON` naming the tools.
 * `guardrails` check the text before the parser, so with `autoCorrect` (the default) `jsonRule` is
 * left out of them: it would retry JSON that repair takes (`{"a": 1,}`, unquoted keys); rules of yours
 * beside it run all the same, wrapped by `defineGuardrailRule` or not (the guard engine it brought stays).
 *
 *   ---a---b-c---|               model (a '{"n":', b '1', c '}', then complete)
 *   s--(ap)b-(cq)(Rx|)           structured({ schema, stream })  (s start, p, q partials, R result, x complete)
 *
 * It is `l0({...options, attemptOperators: [...options.attemptOperators, parseStructured(options)]})`.
 * For a promise of the result: `lastValueFrom(structured(options).pipe(ofType('result')))`.
 *
 * @example
 * import OpenAI from 'openai';
 * import { lastValueFrom } from 'rxjs';
 * import { z } from 'zod';
 * import { ofType, structured } from 'l0-rx';
 * const client = new OpenAI({ maxRetries: 0 });
 * const { data } = await lastValueFrom(structured({
 *   schema: z.object({ name: z.string(), age: z.number() }),
 *   stream: ({ signal }) => client.chat.completions.create(
 *     { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Ada Lovelace as JSON: name, age' }], stream: true }, { signal }),
 * }).pipe(ofType('result')));
 * @see {@link parseStructured}  @param options See {@link StructuredOptions}.
 */
export function structured<S extends StandardSchemaV1>(options: StructuredOptions<S>): Observable<EventsOf<S>> {
  checkBag(STRUCTURED, options);
  checkKeys(STRUCTURED, options, [...L0_OPTION_KEYS, ...PARSE_STRUCTURED_KEYS]);
  const { schema, partials, autoCorrect, onTruncated, validateTimeout, ...rest } = options;
  // the run's scheduler (an l0 option, kept in `rest`) times validation too
  const given = Object.fromEntries(Object.entries({ partials, autoCorrect, onTruncated, validateTimeout, scheduler: rest.scheduler }).filter(([, v]) => v !== undefined));
  const parse = parseResolved(resolveParseStructured({ schema, ...given }, STRUCTURED)) as MonoTypeOperatorFunction<L0Event>;
  const ops = rest.attemptOperators; // anything but an array is left for l0 to reject
  const attemptOperators = ops === undefined ? [parse] : Array.isArray(ops) ? [...ops, parse] : ops;
  // the guard runs before the parser: jsonRule would retry what repair takes (`{"a": 1,}`, L0's defect 5), so it is left out;
  // the list keeps the engine it brought, for rules of yours no defineGuardrailRule wrapped
  let { guardrails } = rest;
  if (autoCorrect !== false && Array.isArray(guardrails)) {
    const list = guardrails;
    guardrails = WITHOUT_JSON.get(list);
    if (!guardrails) {
      guardrails = Object.defineProperty(list.filter((r) => r?.name !== 'json-structure'), GUARD_ENGINE, { value: engineOf(list) });
      if (Object.isFrozen(list) && list.every(Object.isFrozen)) WITHOUT_JSON.set(list, Object.freeze(guardrails));
    }
  }
  return l0({ ...rest, attemptOperators, guardrails }) as Observable<EventsOf<S>>;
}
