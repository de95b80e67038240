/** @test {guard} */
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, isGuardrailViolationError, latexRule, patternRule, type L0Event } from 'l0-rx';
import { done, runSync, text, tok } from './helpers.js';

/** Tokens whose 10th (the first check round of a built-in rule, interval 10) ends exactly at the end of `before`. */
const at10 = (before: string, after: string): string[] => [...before.slice(0, 9).split(''), before.slice(9), after];

describe('guard at the edges of what has streamed', () => {
  describe('a match that reaches the end of the text so far waits for the next character', () => {
    it('should not take "an ai" for a match when the round ends inside "air"', () => {
      const whole = 'Hello there. I am an air traffic controller.';
      const cut = whole.indexOf('air') + 2;
      expect(runSync(text(whole), guard([patternRule()])).violations).toEqual([]);
      expect(runSync(text(...at10(whole.slice(0, cut), whole.slice(cut))), guard([patternRule()])).violations).toEqual([]);
    });

    it('should not read "\\sum" in "\\summary" as LaTeX when the round ends after "\\sum"', () => {
      const whole = 'Run echo $$ to print the PID, then open C:\\summary.txt';
      const cut = whole.indexOf('\\sum') + 4;
      expect(runSync(text(...at10(whole.slice(0, cut), whole.slice(cut))), guard([latexRule()])).violations).toEqual([]);
    });

    it('should redact the whole secret in hold-back when a round ends inside it', () => {
      const rule = customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' });
      expect(runSync(text(...at10('my key is sk-12', '34 ok')), guard([rule], { mode: 'hold-back' })).released).toBe('my key is [key] ok');
    });

    it('should not release a held match in hold-back, even with holdBack 0', () => {
      const rule = customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' });
      const r = runSync(text(...at10('my key is sk-12', '34 ok')), guard([rule], { mode: 'hold-back', holdBack: 0 }));
      expect(r.released).toBe('my key is [key] ok');
    });

    it('should report a match that ends the answer, at completion', () => {
      const r = runSync(text(...at10('Done. As an AI,', '')), guard([patternRule()]));
      expect(r.violations.map((v) => v.message)).toEqual(['meta-commentary: "As an AI,"']);
      expect(runSync(text('Half is \\frac{1}{2}, then \\['), guard([latexRule()])).violations.map((v) => v.message)).toEqual(['unbalanced \\[ and \\]']);
    });
  });

  it('should let a streamed refusal win over the "I\'m sorry, but I" meta commentary it starts with (it falls back, not retries)', () => {
    const t = "I'm sorry, but I can't help with that request.";
    for (const size of [1, 2, 3, 5]) {
      const r = runSync(text(...t.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!), guard([patternRule()]));
      expect(isGuardrailViolationError(r.error) && r.error.code).toBe('FATAL_GUARDRAIL_VIOLATION');
    }
  });

  it('should hold a sentence back until the rules have checked past its end (a match may run across the boundary)', () => {
    const rule = customPatternRule(/\S+@\S+\.\w+/, 'email', 'error', { redact: '[email]' });
    const r = runSync(text(...at10('Contact john@example.', 'com today.')), guard([rule], { mode: 'hold-back', holdBack: 'sentence' }));
    expect(r.released).toBe('Contact [email] today.');
  });

  it('should fail the attempt when a redacting rule finds text already released (stream-first), not call it redacted', () => {
    const rule = customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' });
    const r = runSync(text('my ', 'key ', 'sk-1234', ' ok', '.', '.', '.', '.', '.', '.', '.'), guard([rule]));
    expect(r.violations).toEqual([expect.objectContaining({ severity: 'error', message: 'API key: redacted too late: the text was already released' })]);
    expect(r.violations[0]!.redacted).toBeUndefined();
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });

  it('should still redact in stream-first what the checking token brings', () => {
    const rule = customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' });
    const r = runSync(text(...'my key is'.split(''), ' sk-1234 ok'), guard([rule]));
    expect(r.released).toBe('my key is [key] ok');
    expect(r.error).toBeUndefined();
  });

  it('should report a match that straddles a resumed checkpoint, and not one inside it', () => {
    const straddle: L0Event[] = [{ type: 'resume', checkpoint: 'Note: as an AI' }, tok(' language model, I think so.'), done()];
    expect(runSync(straddle, guard([patternRule()])).violations.map((v) => v.message)).toEqual(['meta-commentary: "as an AI language model"']);
    // a match the rule would still hold (fewer than its settle characters after it) is not inside: the earlier attempt had not reported it
    const tail = ', and so on, and on and on, for longer than meta commentary waits after a match before it is reported.';
    const inside: L0Event[] = [{ type: 'resume', checkpoint: `Sure!\nAs an AI language model, I think so${tail}` }, tok(' More text follows here.'), done()];
    expect(runSync(inside, guard([patternRule()])).violations).toEqual([]);
  });

  it('should report a straddling placeholder or instruction leak whose `[` or `<` is inside the resumed checkpoint', () => {
    for (const [checkpoint, rest, message] of [
      ['Dear [ins', 'ert name], thank you.', 'placeholder: "[insert name]"'],
      ['Dear [insert', ' name], thank you.', 'placeholder: "[insert name]"'],
      ['Text here. <|im_', 'start|> user', 'instruction-leak: "<|im_start|>"'],
    ] as const) {
      const r = runSync([{ type: 'resume', checkpoint }, tok(rest), done()], guard([patternRule()]));
      expect(r.violations.map((v) => v.message)).toEqual([message]);
    }
  });

  it('should never release half of a surrogate pair in hold-back (an emoji stays whole in one token)', () => {
    const t = `a${'😀'.repeat(60)}`;
    const r = runSync(text(...t.match(/a|[\s\S]{2}/g)!), guard([customPatternRule(/x/, 'x')], { mode: 'hold-back', holdBack: 5 }));
    expect(r.released).toBe(t);
    const tokens = r.out.flatMap((e) => (e.type === 'token' ? [e.value] : []));
    expect(tokens.length).toBeGreaterThan(1);
    for (const value of tokens) expect(value).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
  });

  // with `holdBack: 0` a token that ended inside a pair ('ab\uD83D') was released as it came, its high half last
  it('should never release half of a surrogate pair in hold-back when the tokens split the pairs, with a hold-back of 0 too', () => {
    const t = `a${'😀'.repeat(30)}`;
    const rules = [{ name: 'passes', check: () => undefined }, customPatternRule(/x/, 'x')];
    for (const holdBack of [0, 5]) {
      const r = runSync(text(...t.match(/[\s\S]{1,2}/g)!), guard(rules, { mode: 'hold-back', holdBack }));
      expect(r.released).toBe(t);
      for (const value of r.out.flatMap((e) => (e.type === 'token' ? [e.value] : []))) expect(value).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
    }
  });
});
