/** @test {jsonRule} @test {latexRule} @test {strictJsonRule} */
import { pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { budget, defineGuardrailRule, guard, isGuardrailViolationError, jsonRule, l0, latexRule, markdownRule, recommendedGuardrails, strictJsonRule, type FinishReason, type GuardRule, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { done, runSync, start, tok } from './helpers.js';

/*
 * An answer that ends with a JSON value or a LaTeX environment left open: the model stopped there
 * (`stop`: a broken answer, an error that retries), or the token limit cut it (`length`: the cut
 * is the finish reason's to report, and a retry under the same limit is cut again, so the rules
 * warn instead, as markdownRule does for an open fence). What no cut explains (a closed value that
 * does not parse, more closers than openers) stays an error, and strictJsonRule, which asks for one
 * whole JSON value, fails a cut answer whatever the reason.
 */
const SUFFIX = ' (cut by the token limit: finishReason length)';
const events = (finishReason: FinishReason, ...items: string[]): L0Event[] => [...items.map(tok), done(finishReason)];
const JSON_CUT = ['{"items": [', '{"id": 1, "name": "alpha"}, ', '{"id": 2, "na'];
const ARRAY_CUT = ['{"items": [', '{"id": 1}, ', '{"id": 2}'];
const LATEX_CUT = ['The system is\n', '\\begin{align}\n', 'x &= \\frac{1}{2} \\\\\n', 'y &= '];

describe('jsonRule, latexRule: an answer left open at the end, by finish reason', () => {
  it.each([
    ['jsonRule, inside a string', jsonRule(), JSON_CUT, 'the JSON ends inside a string'],
    ['jsonRule, brackets open', jsonRule(), ARRAY_CUT, 'the JSON ends with 2 unclosed bracket(s)'],
    ['latexRule, an environment open', latexRule(), LATEX_CUT, 'unclosed environment align'],
    ['latexRule, display math open', latexRule(), ['The sum is \\[ \\sum_i x_i = '], 'unbalanced \\[ and \\]'],
    ['latexRule, inline math open', latexRule(), ['So \\( \\alpha = '], 'unbalanced \\( and \\)'],
    ['latexRule, $$ open', latexRule(), ['Then $$\\frac{a}{b} = '], 'an odd number of $$'],
  ] as [string, GuardRule, string[], string][])('%s: an error for `stop`, a warning for `length`', (_, rule, items, message) => {
    const stopped = runSync(events('stop', ...items), guard([rule]));
    expect(stopped.violations.map((v) => [v.message, v.severity])).toEqual([[message, 'error']]);
    expect(isGuardrailViolationError(stopped.error)).toBe(true);

    const cut = runSync(events('length', ...items), guard([rule]));
    expect(cut.violations.map((v) => [v.message, v.severity])).toEqual([[`${message}${SUFFIX}`, 'warning']]);
    expect(cut.error).toBeUndefined();
    expect(cut.released).toBe(items.join(''));
    expect(cut.out.at(-1)).toEqual({ type: 'complete', finishReason: 'length' });
  });

  it.each([
    ['jsonRule: a closed value that does not parse', jsonRule(), ['{"a": 1, "b": tru}'], /^the JSON does not parse/],
    ['latexRule: more \\] than \\[', latexRule(), ['\\frac{1}{2} \\] and '], /^unbalanced \\\[ and \\\]$/],
    ['latexRule: more \\) than \\(', latexRule(), ['\\alpha \\) then '], /^unbalanced \\\( and \\\)$/],
  ] as [string, GuardRule, string[], RegExp][])('%s: an error even for `length` (no cut explains it)', (_, rule, items, message) => {
    const r = runSync(events('length', ...items), guard([rule]));
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ message: expect.stringMatching(message), severity: 'error' });
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });

  it('strictJsonRule: should fail a cut answer whatever the finish reason (it asks for one whole value)', () => {
    for (const reason of ['stop', 'length'] as const) {
      const r = runSync(events(reason, ...ARRAY_CUT), guard([strictJsonRule()]));
      expect(r.violations.map((v) => [v.ruleId, v.severity])).toEqual([['json-strict', 'error']]);
      expect(isGuardrailViolationError(r.error)).toBe(true);
    }
  });

  it("should keep the partial answer budget({onExceeded: 'complete'}) ends with finishReason length", () => {
    const items = ['{"items": [', '{"id": 1, "name": "alpha"}, ', '{"id": 2, "name": "beta"}, ', '{"id": 3, "name": "gamma"}]}'];
    const r = runSync([start(), ...events('stop', ...items)], pipe(budget({ maxOutputTokens: 12, onExceeded: 'complete' }), guard([jsonRule()])));
    expect(r.error).toBeUndefined();
    expect(r.out.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
    expect(r.released.length).toBeLessThan(items.join('').length);
    expect(r.violations.map((v) => v.severity)).toEqual(['warning']);
  });

  it.each([
    ['a JSON answer', ARRAY_CUT],
    ['a LaTeX answer', LATEX_CUT],
  ])('should let l0() with recommendedGuardrails end %s the token limit cut once, with finishReason length, instead of retrying it (virtual time)', (_, items) => {
    const model = fakeModel({ items, finishReason: 'length' });
    const { events: out, error } = runScenario(() => l0({ stream: model, guardrails: recommendedGuardrails }));
    expect(error).toBeUndefined();
    expect(model.callCount).toBe(1);
    expect(out.filter((e) => e.type === 'retry' || e.type === 'fallback')).toEqual([]);
    expect(out.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
    expect(out.filter((e) => e.type === 'violation').map((e) => e.type === 'violation' && e.violation.severity)).toEqual(['warning']);
  });
});

describe('a rule\'s complete(text, finishReason) on every path of l0()', () => {
  const FENCE = ['Here:\n', '```js\n', 'const a = 1;\n', 'const b = 2;\n'];
  const warned = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'violation' ? [[e.violation.ruleId, e.violation.severity]] : []));

  it('should give hold-back mode the finish reason: a cut answer warns once, not retried', () => {
    const model = fakeModel({ items: FENCE, finishReason: 'length' });
    const { events: out, error } = runScenario(() => l0({ stream: model, guardrails: recommendedGuardrails, guardMode: 'hold-back' }));
    expect(error).toBeUndefined();
    expect(model.callCount).toBe(1);
    expect(warned(out)).toEqual([['markdown-structure', 'warning']]);
    expect(out.at(-1)).toEqual({ type: 'complete', finishReason: 'length' });
  });

  it('should give a resumed attempt the finish reason of its own complete', () => {
    const model = fakeModel([{ items: [...FENCE.slice(0, 3), { error: { status: 503 } }] }, { items: ['const b = 2;\n'], finishReason: 'length' }]);
    const { events: out, error } = runScenario(() => l0({
      stream: model, guardrails: [markdownRule()], continueFromLastKnownGoodToken: true, checkpointInterval: 1, retry: { backoff: 'fixed', baseDelay: 1 },
    }));
    expect(error).toBeUndefined();
    expect(out.some((e) => e.type === 'resume')).toBe(true);
    expect(warned(out)).toEqual([['markdown-structure', 'warning']]);
  });

  it('should pass it to a rule of your own, sync or async, and undefined when the source ends without a complete event', () => {
    const seen: unknown[] = [];
    const sync = defineGuardrailRule({ name: 'sync', complete: (_text: string, reason?: FinishReason) => void seen.push(['sync', reason]) });
    const later = defineGuardrailRule({ name: 'async', create: () => ({ complete: (_text: string, reason?: FinishReason) => Promise.resolve(void seen.push(['async', reason])) }) });
    runScenario(() => l0({ stream: fakeModel({ items: ['a'], finishReason: 'length' }), guardrails: [sync, later], guardMode: 'hold-back' }));
    expect(seen).toEqual([['sync', 'length'], ['async', 'length']]);
    seen.length = 0;
    runSync([tok('a')], guard([sync]));
    expect(seen).toEqual([['sync', undefined]]);
  });
});
