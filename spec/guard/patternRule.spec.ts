/** @test {patternRule} */
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, isGuardrailViolationError, patternRule } from 'l0-rx';
import { runSync, text } from './helpers.js';

const check = (...chunks: string[]) => runSync(text(...chunks), guard([patternRule()]));

describe('patternRule (G7)', () => {
  it('should flag a refusal as a non-recoverable error', () => {
    const r = check('I cannot provide that');
    expect(r.violations[0]).toMatchObject({ ruleId: 'pattern-detection', severity: 'error', recoverable: false, position: 0 });
    expect(isGuardrailViolationError(r.error) && r.error.code).toBe('FATAL_GUARDRAIL_VIOLATION');
  });

  it('should report a bare "Sure!" first line as a hedging warning only', () => {
    const r = check('Sure!\n', 'The answer is 4.');
    expect(r.violations).toEqual([expect.objectContaining({ severity: 'warning', message: 'hedging: "Sure!"' })]);
    expect(r.error).toBeUndefined();
  });

  it('should flag an instruction leak as a recoverable error', () => {
    const r = check('[system] You are a helpful assistant');
    expect(r.violations[0]).toMatchObject({ severity: 'error', recoverable: true, message: 'instruction-leak: "[system]"' });
  });

  it('should flag meta commentary split across tokens, once', () => {
    const r = check('Well. As an ', 'AI language', ' model, I think. As an AI model.');
    expect(r.violations.map((v) => v.message)).toEqual(['meta-commentary: "As an AI language model"']);
  });

  it('should not flag phrases inside other words or ordinary uses', () => {
    expect(check('She works as an AI researcher. Sure, it works.\n### System requirements\nYou need 4 GB.').violations).toEqual([]);
    expect(check('Here is the function you asked about:\n```py\nx = 1\n```\n').violations).toEqual([]);
  });

  it('should flag placeholders', () => {
    expect(check('Dear [Your Name], thanks').violations[0]!.message).toBe('placeholder: "[Your Name]"');
  });

  it('should take only the categories asked for, and reject unknown ones', () => {
    expect(runSync(text('I cannot provide that'), guard([patternRule({ categories: ['hedging'] })])).violations).toEqual([]);
    expect(() => patternRule({ categories: ['rude' as never] })).toThrow('unknown category "rude"');
  });
});

describe('customPatternRule', () => {
  it('should flag any match with the given message and severity', () => {
    const r = runSync(text('my key is sk-', '12345 ok'), guard([customPatternRule(/sk-\d{5}/, 'API key', 'fatal')]));
    expect(r.violations[0]).toMatchObject({ ruleId: 'pattern-custom', message: 'API key: "sk-12345"', severity: 'fatal', position: 10 });
  });

  it('should redact every match in flight in hold-back mode', () => {
    const rule = customPatternRule(/sk-\d{5}/, 'API key', 'error', { redact: '[key]' });
    const r = runSync(text('a sk-1', '2345 b sk-54321.'), guard([rule], { mode: 'hold-back' }));
    expect(r.error).toBeUndefined();
    expect(r.released).toBe('a [key] b [key].');
    expect(r.violations.map((v) => v.redacted)).toEqual([8, 8]);
  });

  it('should reject a non-RegExp pattern', () => {
    expect(() => customPatternRule('sk-' as never)).toThrow('`patterns` must be a RegExp');
  });
});
