import type { SchedulerLike } from 'rxjs';
import type { Violation } from '../events/eventTypes.js';
import { checkBag, checkKeys, isSchedulerLike, optionError, optionKeys, optionPath, type OptionPath } from '../internal/options.js';
import type { GuardRule } from './guardRule.js';
import type { GuardPhaseEvent } from './guardPhase.js';

/** How {@link guard} releases text: at once (`stream-first`) or only once checked (`hold-back`). */
export type GuardMode = 'stream-first' | 'hold-back';

/** Options of {@link guard}. */
export interface GuardConfig {
  /** `stream-first` passes tokens at once; `hold-back` releases only text the rules have checked. @default 'stream-first' */
  readonly mode?: GuardMode;
  /**
   * Hold-back only: characters kept back behind the checked text, or `'sentence'` to release up to
   * the last sentence boundary. @default the longest `span` of the rules, at least 32
   */
  readonly holdBack?: number | 'sentence';
  /** Called with each violation, after its event. A throw errors the stream (as in `tap`). */
  readonly onViolation?: (violation: Violation) => void;
  /**
   * Observes the completion checks: phase start, each rule's start and end, phase end with the
   * verdict and its duration (L0's guardrail phase events). A throw fails the attempt with it.
   */
  readonly onPhase?: (event: GuardPhaseEvent) => void;
  /** Time source of the async rules' `timeout` and the phase durations. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

const GUARD_KEYS = /*#__PURE__*/ optionKeys<GuardConfig>()(['mode', 'holdBack', 'onViolation', 'onPhase', 'scheduler']);
const RULE_KEYS = ['name', 'severity', 'interval', 'timeout', 'onRuleError', 'span', 'create', 'check', 'complete', 'resume'];
const SEVERITIES = ['warning', 'error', 'fatal'];

/** Validated config; `holdBack` is undefined in stream-first mode. @internal */
export function resolveGuardConfig(rules: readonly GuardRule[], config: GuardConfig, path: OptionPath = optionPath('guard', 'rules, ')) {
  if (!Array.isArray(rules)) throw new TypeError(`guard(rules): \`rules\` must be an array of rules or a preset, got ${typeof rules}`);
  rules.forEach((rule, i) => checkRule(rule, `guard(rules): rules[${i}]`));
  checkBag(path, config);
  checkKeys(path, config, GUARD_KEYS);
  const { mode = 'stream-first', holdBack, onViolation, onPhase, scheduler } = config;
  if (mode !== 'stream-first' && mode !== 'hold-back') throw optionError(path, 'mode', "'stream-first' or 'hold-back'", mode);
  if (holdBack !== undefined && holdBack !== 'sentence' && !(Number.isInteger(holdBack) && holdBack >= 0)) {
    throw optionError(path, 'holdBack', "a whole number of characters or 'sentence'", holdBack);
  }
  if (onViolation !== undefined && typeof onViolation !== 'function') throw optionError(path, 'onViolation', 'a function', onViolation);
  if (onPhase !== undefined && typeof onPhase !== 'function') throw optionError(path, 'onPhase', 'a function', onPhase);
  if (scheduler !== undefined && !isSchedulerLike(scheduler)) throw optionError(path, 'scheduler', 'a SchedulerLike', scheduler);
  const span = rules.reduce((max, r) => Math.max(max, r.span ?? 0), 32);
  return { holdBack: mode === 'stream-first' ? undefined : (holdBack ?? span), onViolation, onPhase, scheduler };
}

/** Throws a TypeError naming the rule (as `label` says where it is) and the field that is wrong. @internal */
export function checkRule(rule: GuardRule, label: string): void {
  const at = optionPath('guard', '', 'rules');
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`${label} must be a rule object, got ${rule === null ? 'null' : typeof rule}`);
  if (typeof rule.name !== 'string' || rule.name === '') throw new TypeError(`${label} needs a non-empty string \`name\``);
  checkKeys({ ...at, self: `${label} (${rule.name})` }, rule, RULE_KEYS);
  const where = `${label} (${rule.name})`;
  if (rule.severity !== undefined && !SEVERITIES.includes(rule.severity)) throw new TypeError(`${where}: \`severity\` must be 'warning', 'error' or 'fatal', got ${String(rule.severity)}`);
  if (rule.interval !== undefined && !(Number.isInteger(rule.interval) && rule.interval >= 1)) throw new TypeError(`${where}: \`interval\` must be a positive integer, got ${String(rule.interval)}`);
  if (rule.timeout !== undefined && !(typeof rule.timeout === 'number' && rule.timeout > 0)) throw new TypeError(`${where}: \`timeout\` must be a positive number of ms, got ${String(rule.timeout)}`);
  if (rule.onRuleError !== undefined && rule.onRuleError !== 'open' && rule.onRuleError !== 'closed') throw new TypeError(`${where}: \`onRuleError\` must be 'open' or 'closed', got ${String(rule.onRuleError)}`);
  if (rule.span !== undefined && !(Number.isInteger(rule.span) && rule.span >= 0)) throw new TypeError(`${where}: \`span\` must be a whole number, got ${String(rule.span)}`);
  for (const f of ['create', 'check', 'complete', 'resume'] as const) {
    if (rule[f] !== undefined && typeof rule[f] !== 'function') throw new TypeError(`${where}: \`${f}\` must be a function`);
  }
  if (!rule.create && !rule.check && !rule.complete) throw new TypeError(`${where} needs \`check\`, \`complete\` or \`create\``);
}
