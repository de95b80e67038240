/** @test {markdownRule} */
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, l0, markdownRule, recommendedGuardrails, type FinishReason, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { done, runSync, tok } from './helpers.js';

/*
 * An answer that ends inside an open code fence: the model stopped mid-block (`stop`: a broken
 * answer, an error that retries), or the token limit cut it (`length`: the cut is the finish
 * reason's to report; a retry under the same limit is cut again, so the rule warns instead).
 */
const cut = (finishReason: FinishReason): L0Event[] => [tok('Here:\n```js\n'), tok('const x = 1;\n'), done(finishReason)];

describe('markdownRule: an answer ending inside a code fence, by finish reason', () => {
  it('should fail the attempt when the model stopped (`stop`) inside the fence', () => {
    const r = runSync(cut('stop'), guard([markdownRule()]));
    expect(r.violations).toEqual([{ ruleId: 'markdown-structure', message: 'the answer ends inside a code fence', severity: 'error', recoverable: true }]);
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });

  it.each(['content-filter', 'other', 'tool-calls'] as const)('should fail it as well for `%s`', (reason) => {
    expect(isGuardrailViolationError(runSync(cut(reason), guard([markdownRule()])).error)).toBe(true);
  });

  it('should only warn when the token limit cut the answer (`length`), and complete with the text and the finish reason', () => {
    const r = runSync(cut('length'), guard([markdownRule()]));
    expect(r.violations).toEqual([{
      ruleId: 'markdown-structure',
      message: 'the answer ends inside a code fence (cut by the token limit: finishReason length)',
      severity: 'warning',
      recoverable: true,
    }]);
    expect(r.error).toBeUndefined();
    expect(r.completed).toBe(true);
    expect(r.released).toBe('Here:\n```js\nconst x = 1;\n');
    expect(r.out.at(-1)).toEqual({ type: 'complete', finishReason: 'length' });
  });

  it('should let l0() with recommendedGuardrails end a cut answer once, with finishReason length, instead of retrying it (virtual time)', () => {
    const model = fakeModel({ items: ['Here:\n```js\n', 'const x = 1;\n'], finishReason: 'length' });
    const { events, error } = runScenario(() => l0({ stream: model, guardrails: recommendedGuardrails }));
    expect(error).toBeUndefined();
    expect(model.callCount).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'complete', finishReason: 'length' });
    expect(events.filter((e) => e.type === 'violation').map((e) => e.type === 'violation' && e.violation.severity)).toEqual(['warning']);
  });
});
