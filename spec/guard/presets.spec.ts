/** @test {recommendedGuardrails} */
import { describe, expect, it } from 'vitest';
import {
  guard,
  jsonOnlyGuardrails,
  latexOnlyGuardrails,
  markdownOnlyGuardrails,
  minimalGuardrails,
  recommendedGuardrails,
  strictGuardrails,
  zeroOutputRule,
  type L0Event,
} from 'l0-rx';
import { done, runSync, start, text, tok } from './helpers.js';

describe('guardrail presets', () => {
  it('should hold L0s rules', () => {
    const names = (p: readonly { name: string }[]) => p.map((r) => r.name);
    expect(names(minimalGuardrails)).toEqual(['json-structure', 'zero-output']);
    expect(names(recommendedGuardrails)).toEqual(['json-structure', 'markdown-structure', 'latex-environments', 'zero-output', 'pattern-detection']);
    expect(names(strictGuardrails)).toEqual(['json-structure', 'markdown-structure', 'latex-environments', 'pattern-detection', 'zero-output']);
    expect(names(jsonOnlyGuardrails)).toEqual(['json-structure', 'zero-output']);
    expect(names(markdownOnlyGuardrails)).toEqual(['markdown-structure', 'zero-output']);
    expect(names(latexOnlyGuardrails)).toEqual(['latex-environments', 'zero-output']);
  });

  it('should be frozen, rules included', () => {
    expect(Object.isFrozen(recommendedGuardrails)).toBe(true);
    expect(recommendedGuardrails.every((r) => Object.isFrozen(r))).toBe(true);
  });

  it('should share no state between interleaved runs', () => {
    const op = guard(recommendedGuardrails);
    const a = runSync(text('{"a": [1, ', '2]}'), op);
    const b = runSync(text('{"b": 1}'), op);
    expect(a.violations).toEqual([]);
    expect(b.violations).toEqual([]);
  });
});

describe('zeroOutputRule', () => {
  it('should flag noise and accept any letter, digit, emoji or empty JSON', () => {
    expect(runSync(text('..', ' ---'), guard([zeroOutputRule()])).violations).toHaveLength(1);
    for (const ok of ['4', 'No', '👍', '🇫🇷', '{}', ' [ ] ']) expect(runSync(text(ok), guard([zeroOutputRule()])).violations).toEqual([]);
  });

  it('should accept empty JSON in a code fence without a language tag, as detectZeroOutput does', () => {
    for (const ok of ['```\n{}\n```', '```\n[ ]\n```', '`{}`']) expect(runSync(text(ok), guard([zeroOutputRule()])).violations).toEqual([]);
    for (const noise of ['```\n```', '```\n{}{}\n```']) expect(runSync(text(noise), guard([zeroOutputRule()])).violations).toHaveLength(1);
  });

  it('should accept a tool-call-only answer, as detectZeroOutput does', () => {
    // it flagged the empty text: every tool call of a run with recommendedGuardrails failed as zero output
    const call: L0Event = { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const r = runSync([call, { type: 'complete', finishReason: 'tool-calls' }], guard([zeroOutputRule()]));
    expect([r.violations, r.error, r.completed]).toEqual([[], undefined, true]);
    expect(runSync(text('..'), guard([zeroOutputRule()])).violations).toHaveLength(1); // a text answer is still judged
  });

  it('should accept a tool call or data without text whatever the finish reason, as detectZeroOutput does', () => {
    // it read the finish reason only: OpenAI streams a forced call (tool_choice naming a function) with `stop`, as do some
    // compatible servers, and a source may end with no `complete`; an answer of `data` alone was flagged too
    const call: L0Event = { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const data: L0Event = { type: 'data', payload: { contentType: 'image', url: 'https://example.com/paris.png' } };
    for (const events of [[call, done('stop')], [call], [data, done()], [tok(' '), call, done('other')]]) {
      const r = runSync(events, guard([zeroOutputRule()]));
      expect([r.violations, r.error, r.completed]).toEqual([[], undefined, true]);
    }
    // per attempt: a call of the attempt a retry dropped is not the next one's answer, and a finish reason alone is none
    expect(runSync([call, start(2), ...text('..')], guard([zeroOutputRule()])).violations).toHaveLength(1);
    expect(runSync([tok('..'), done('tool-calls')], guard([zeroOutputRule()])).violations).toHaveLength(1);
  });

  it('should not flag an answer the provider filtered (finishReason content-filter), as detectZeroOutput does not', () => {
    // it flagged it: l0() with a guardrail preset sent the filtered request four times, then hid the reason behind a violation
    for (const events of [[done('content-filter')], [tok('..'), done('content-filter')]]) {
      const r = runSync(events, guard([zeroOutputRule()]));
      expect([r.violations, r.error, r.completed]).toEqual([[], undefined, true]);
    }
    expect(runSync([tok('..'), done('length')], guard([zeroOutputRule()])).violations).toHaveLength(1); // only that reason
  });

  it('should accept an emoji whose two halves arrive in different checks', () => {
    // nine tokens, then the emoji's high surrogate ends the first check (interval 10) and its low one starts the next
    const r = runSync(text(...'.........'.split(''), '\uD83D', '\uDE00'), guard([zeroOutputRule()]));
    expect(r.violations).toEqual([]);
  });
});
