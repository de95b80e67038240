import type { SchedulerLike } from 'rxjs';
import type { Violation } from '../events/eventTypes.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import { MAX_TIMER_DELAY, TIMER_DELAY_LIMIT } from '../internal/timerDelay.js';
import type { GuardRule } from './guardRule.js';
import type { GuardPhaseEvent } from './guardPhase.js';

/** How {@link guard} releases text: at once (`stream-first`) or only once checked (`hold-back`). */
export type GuardMode = 'stream-first' | 'hold-back';

/** Options of {@link guard}. */
export interface GuardConfig {
  /**
   * `stream-first` passes tokens at once; `hold-back` releases only text every rule that can block it
   * has checked (a rule with only `complete` holds the whole answer until completion). @default 'stream-first'
   */
  readonly mode?: GuardMode;
  /**
   * Hold-back only: characters kept back behind the checked text, or `'sentence'` to release up to
   * the last sentence boundary the rules have checked their longest `span` past (a match may run
   * across a boundary: an e-mail address, "As an AI."). @default the longest `span` of the rules, at least 32
   */
  readonly holdBack?: number | 'sentence';
  /**
   * Called with each violation, after its event, until the consumer unsubscribes (the event it
   * unsubscribes on included, none after). A throw errors the stream (as in `tap`). A promise
   * it returns is not awaited: its rejection errors the stream as a throw would while the guard
   * runs, and is dropped after its end (never an unhandled rejection).
   */
  readonly onViolation?: (violation: Violation) => void;
  /**
   * Observes the completion checks: phase start, each rule's start and end, phase end with the
   * verdict and its duration (L0's guardrail phase events). A throw fails the attempt with it, and
   * so does the rejection of a promise it returns while the checks run (dropped after the end).
   */
  readonly onPhase?: (event: GuardPhaseEvent) => void;
  /** Time source of the async rules' `timeout` and the phase durations. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

const GUARD_KEYS = /*#__PURE__*/ optionKeys<GuardConfig>()(['mode', 'holdBack', 'onViolation', 'onPhase', 'scheduler']);
/** A rule's fields (`held`: a rule without `create` is its own run, GuardRule extends GuardRuleRun). @internal */
export const RULE_KEYS: readonly (keyof GuardRule)[] = ['name', 'severity', 'interval', 'timeout', 'onRuleError', 'span', 'create', 'check', 'complete', 'resume', 'held'];
/** A field's check: its key, whether a value is right, and what it must be. @internal */
export type FieldCheck = readonly [key: string, valid: (value: unknown) => boolean, what: string];
const isFunction = (v: unknown) => typeof v === 'function';
/** Whether `v` is an integer of at least `min` (a whole number by default). @internal */
export const isWhole = (v: unknown, min = 0): boolean => Number.isInteger(v) && (v as number) >= min;
/** The checks of `severity` and `recoverable`, on a rule, a finding and a pattern. @internal */
export const SEVERITY_CHECK: FieldCheck = ['severity', (v) => v === 'warning' || v === 'error' || v === 'fatal', "'warning', 'error' or 'fatal'"];
export const RECOVERABLE_CHECK: FieldCheck = ['recoverable', (v) => typeof v === 'boolean', 'a boolean'];
/** Each optional field of a rule: how to test it and what it must be. */
const FIELD_CHECKS: readonly FieldCheck[] = [
  SEVERITY_CHECK,
  ['interval', (v) => isWhole(v, 1), 'a positive integer'],
  ['timeout', (v) => typeof v === 'number' && v > 0 && (v <= MAX_TIMER_DELAY || v === Infinity), `a positive number of ms, ${TIMER_DELAY_LIMIT}, or Infinity`],
  ['onRuleError', (v) => v === 'open' || v === 'closed', "'open' or 'closed'"],
  ['span', isWhole, 'a whole number'],
  ['held', isWhole, 'a whole number'],
  ['create', isFunction, 'a function'],
  ['check', isFunction, 'a function'],
  ['complete', isFunction, 'a function'],
  ['resume', isFunction, 'a function'],
];

/** Rule lists already checked that cannot change. */
const VALID = /*#__PURE__*/ new WeakSet<readonly GuardRule[]>();

/** Validated config; `holdBack` is undefined in stream-first mode. @internal */
export function resolveGuardConfig(rules: readonly GuardRule[], config: GuardConfig, path: OptionPath = optionPath('guard', 'rules, ')) {
  if (!Array.isArray(rules)) throw new TypeError(`guard(rules): \`rules\` must be an array of rules or a preset, got ${typeof rules}`);
  if (!VALID.has(rules)) {
    rules.forEach((rule, i) => checkRule(rule, `guard(rules): rules[${i}]`));
    // a frozen list of frozen rules (a preset) cannot change: checked once, not at every l0() call
    if (Object.isFrozen(rules) && rules.every((rule) => Object.isFrozen(rule))) VALID.add(rules);
  }
  checkBag(path, config);
  checkKeys(path, config, GUARD_KEYS);
  const { mode = 'stream-first', holdBack, onViolation, onPhase, scheduler } = config;
  if (mode !== 'stream-first' && mode !== 'hold-back') throw optionError(path, 'mode', "'stream-first' or 'hold-back'", mode);
  if (holdBack !== undefined && holdBack !== 'sentence' && !(Number.isInteger(holdBack) && holdBack >= 0)) {
    throw optionError(path, 'holdBack', "a whole number of characters or 'sentence'", holdBack);
  }
  // stream-first releases every token at once: a holdBack there would be ignored without a word
  if (holdBack !== undefined && mode === 'stream-first') {
    throw new TypeError(`${path.open}holdBack${path.close} applies only with \`mode: 'hold-back'\` (stream-first releases tokens at once): add it, or drop holdBack`);
  }
  if (onViolation !== undefined && typeof onViolation !== 'function') throw optionError(path, 'onViolation', 'a function', onViolation);
  if (onPhase !== undefined && typeof onPhase !== 'function') throw optionError(path, 'onPhase', 'a function', onPhase);
  if (scheduler !== undefined && !isSchedulerLike(scheduler)) throw optionError(path, 'scheduler', 'a SchedulerLike', scheduler);
  // the longest text one finding covers: sentence hold-back keeps this much past a sentence's end
  const span = rules.reduce((max, r) => Math.max(max, r.span ?? 0), 0);
  // `settled`: the list was already checked and cannot change, so operators built from it may be shared
  return { holdBack: mode === 'stream-first' ? undefined : (holdBack ?? Math.max(span, 32)), span, onViolation, onPhase, scheduler, settled: VALID.has(rules) };
}

/** Throws a TypeError naming the rule (as `label` says where it is) and the field that is wrong. @internal */
export function checkRule(rule: GuardRule, label: string): void {
  const at = optionPath('guard', '', 'rules');
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`${label} must be a rule object, got ${rule === null ? 'null' : typeof rule}`);
  if (typeof rule.name !== 'string' || rule.name === '') throw new TypeError(`${label} needs a non-empty string \`name\``);
  checkKeys({ ...at, self: `${label} (${rule.name})` }, rule, RULE_KEYS);
  const where = `${label} (${rule.name})`;
  const wrong = wrongField(rule, FIELD_CHECKS);
  if (wrong) throw new TypeError(`${where}: ${wrong}`);
  if (!rule.create && !rule.check && !rule.complete) throw new TypeError(`${where} needs \`check\`, \`complete\` or \`create\``);
}

/** What is wrong with the first field of `o` that fails its check ("`key` must be ..., got ..."), if any; an absent field passes. @internal */
export function wrongField(o: object, checks: readonly FieldCheck[]): string | undefined {
  for (const [key, valid, what] of checks) {
    const value: unknown = (o as Record<string, unknown>)[key];
    if (value !== undefined && !valid(value)) return `\`${key}\` must be ${what}${what === 'a function' ? '' : `, got ${String(value)}`}`;
  }
  return undefined;
}
