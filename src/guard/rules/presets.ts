import type { GuardRule } from '../guardRule.js';
import { jsonRule } from './jsonRule.js';
import { latexRule } from './latexRule.js';
import { markdownRule } from './markdownRule.js';
import { patternRule } from './patternRule.js';
import { zeroOutputRule } from './zeroOutputRule.js';

/*
 * L0's presets, as frozen arrays of frozen rule descriptions. A rule's state comes from its
 * `create()` per attempt, so `guardrails: recommendedGuardrails` shares nothing between runs.
 */

/**
 * `jsonRule`, `zeroOutputRule`.
 * @example import { l0, minimalGuardrails } from 'l0-rx'; l0({ stream, guardrails: minimalGuardrails });
 */
export const minimalGuardrails: readonly GuardRule[] = /*#__PURE__*/ Object.freeze([/*#__PURE__*/ jsonRule(), /*#__PURE__*/ zeroOutputRule()]);
/**
 * `jsonRule`, `markdownRule`, `latexRule`, `zeroOutputRule`, `patternRule`. L0's has no LaTeX rule;
 * ours speaks only in text with LaTeX commands, so it costs ordinary answers nothing.
 * @example import { l0, recommendedGuardrails } from 'l0-rx'; l0({ stream, guardrails: recommendedGuardrails });
 */
export const recommendedGuardrails: readonly GuardRule[] = /*#__PURE__*/ Object.freeze([
  /*#__PURE__*/ jsonRule(), /*#__PURE__*/ markdownRule(), /*#__PURE__*/ latexRule(), /*#__PURE__*/ zeroOutputRule(), /*#__PURE__*/ patternRule(),
]);
/**
 * `jsonRule`, `markdownRule`, `latexRule`, `patternRule`, `zeroOutputRule`.
 * @example import { l0, strictGuardrails } from 'l0-rx'; l0({ stream, guardrails: strictGuardrails });
 */
export const strictGuardrails: readonly GuardRule[] = /*#__PURE__*/ Object.freeze([/*#__PURE__*/ jsonRule(), /*#__PURE__*/ markdownRule(), /*#__PURE__*/ latexRule(), /*#__PURE__*/ patternRule(), /*#__PURE__*/ zeroOutputRule()]);
/**
 * `jsonRule`, `zeroOutputRule`.
 * @example import { l0, jsonOnlyGuardrails } from 'l0-rx'; l0({ stream, guardrails: jsonOnlyGuardrails });
 */
export const jsonOnlyGuardrails: readonly GuardRule[] = /*#__PURE__*/ Object.freeze([/*#__PURE__*/ jsonRule(), /*#__PURE__*/ zeroOutputRule()]);
/**
 * `markdownRule`, `zeroOutputRule`.
 * @example import { l0, markdownOnlyGuardrails } from 'l0-rx'; l0({ stream, guardrails: markdownOnlyGuardrails });
 */
export const markdownOnlyGuardrails: readonly GuardRule[] = /*#__PURE__*/ Object.freeze([/*#__PURE__*/ markdownRule(), /*#__PURE__*/ zeroOutputRule()]);
/**
 * `latexRule`, `zeroOutputRule`.
 * @example import { l0, latexOnlyGuardrails } from 'l0-rx'; l0({ stream, guardrails: latexOnlyGuardrails });
 */
export const latexOnlyGuardrails: readonly GuardRule[] = /*#__PURE__*/ Object.freeze([/*#__PURE__*/ latexRule(), /*#__PURE__*/ zeroOutputRule()]);
