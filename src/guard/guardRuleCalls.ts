import { isPromiseLike } from '../internal/isPromiseLike.js';
import type { GuardRuleRun } from './guardRule.js';

/*
 * What the guard makes of a rule's synchronous calls going wrong: a `check` or `create` that
 * returns a promise (only `complete` may be async), and the run that stands in for a rule whose
 * `create` failed. The subscription (guardSubscription) makes the calls.
 */

/**
 * `result` unless it is a promise: `check` and `create` are synchronous (only `complete` may be
 * async), so a promise is the rule's failure, named as such, and its rejection is handled here (an
 * unhandled one would end a Node process).
 * @internal
 */
export function notAsync<T>(result: T, what: 'check' | 'create'): T {
  if (!isPromiseLike(result)) return result;
  result.then(undefined, () => undefined);
  throw new TypeError(`${what}() returned a promise: only \`complete\` may be async`);
}

/** A rule whose `create()` threw: reported once as a rule failure, then it checks nothing this attempt. @internal */
export const NO_RUN: GuardRuleRun = Object.freeze({});
