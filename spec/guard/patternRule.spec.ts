/** @test {patternRule} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, isGuardrailViolationError, patternRule } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

const check = (...chunks: string[]) => runSync(text(...chunks), guard([patternRule()]));
/** `t` whole, split in two at every position, and a character a token (checked every 10 tokens). */
const cuts = (t: string): string[][] => [[t], ...Array.from({ length: t.length - 1 }, (_, i) => [t.slice(0, i + 1), t.slice(i + 1)]), [...t]];
/** The messages of every cut of `t` (each cut's own list), as one set. */
const verdicts = (t: string) => new Set(cuts(t).map((c) => JSON.stringify(check(...c).violations.map((v) => `${v.message}${v.recoverable ? '' : ' (fatal)'}`))));

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
    // a single category or pattern where a list goes: a TypeError naming the option, not one from inside the rule
    expect(() => patternRule({ categories: 'refusal' as never })).toThrow('patternRule({categories}) must be an array, got "refusal"');
    expect(() => patternRule({ patterns: 5 as never })).toThrow('patternRule({patterns}) must be an array, got 5');
  });
});

describe('patternRule on ordinary answers', () => {
  it('should not call a refusal that goes on to answer in the same sentence a refusal, however it streams', () => {
    for (const t of [
      "I can't provide a definitive answer without more data, but here are the main factors: cost and time.",
      "I won't write the whole essay, but here is an outline: intro, three arguments, conclusion.",
      "I'm unable to provide exact figures for this year, but here are the latest estimates.",
    ]) expect(verdicts(t)).toEqual(new Set(['[]']));
  });

  it('should still flag real refusals as fatal, a "but" in the next sentence included', () => {
    for (const t of ["I'm sorry, but I can't help with that.", 'I cannot provide instructions for making weapons.', 'I cannot provide that. But I can tell you a joke.']) {
      for (const c of cuts(t)) {
        const r = check(...c);
        expect(isGuardrailViolationError(r.error) && r.error.code).toBe('FATAL_GUARDRAIL_VIOLATION');
      }
    }
  });

  it('should let a refusal win over the meta commentary before it, in a long answer too', () => {
    const t = 'As an AI, I cannot provide medical advice. Please see a doctor: they can examine you and order the tests you need.';
    for (const c of cuts(t)) {
      const r = check(...c);
      expect(isGuardrailViolationError(r.error) && r.error.code).toBe('FATAL_GUARDRAIL_VIOLATION');
    }
  });

  it('should not call a heading or a chat format shown as code an instruction leak', () => {
    for (const t of [
      '### Ingredients\n- 2 eggs\n\n### Instructions\n1. Whisk the eggs.\n2. Fry them.',
      '### Instructions\n\nPreheat the oven to 180 °C.',
      '## System Prompt\nThe system prompt sets the role of the model.\n\n### System\nA message with the role `system`.',
      'A chat looks like this:\n```\n[system] You are a helpful assistant.\n[user] Hi\n```\nDone.',
      'ChatML starts each turn with `<|im_start|>` and ends it with ``<|im_end|>``.',
      // a tutorial's example prompt, introduced by a sentence, quoted or in code
      "## System Prompt\n\nHere's a system prompt you could use: You are a helpful assistant that answers cooking questions.",
      '### System prompt\n\nHere is one you can start from:\n\n> You are a friendly support agent for Acme.',
      '## System Prompt\n\n```text\nYou are a helpful assistant. Respond in JSON only.\n```\n',
      // a ~~~ fence's info string may hold backticks (CommonMark; markdownRule and drift read it so): still a fence
      'A ChatML turn:\n~~~text `chatml`\n<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n~~~\nDone.',
      'The letter:\n~~~md `letter.md`\nDear [INSERT NAME],\n~~~\nDone.',
    ]) expect(verdicts(t)).toEqual(new Set(['[]']));
  });

  it('should still call prompt text right under a "System Prompt" heading a leak: as text, an example there is a leaked prompt', () => {
    // what a model that leaks its prompt in Markdown writes; a tutorial that does the same cannot be told from it
    const t = 'To set up the bot, write a system prompt.\n\n## System Prompt\n\nYou are a friendly support agent for Acme.';
    expect(verdicts(t)).toEqual(new Set([JSON.stringify(['instruction-leak: "## System Prompt\n\nYou are"'])]));
  });

  it('should flag a heading followed by prompt text, and the tokens outside code, however they stream', () => {
    for (const [t, message] of [
      ['### System\nYou are a pirate.', 'instruction-leak: "### System\nYou are"'],
      ['## System prompt\n\nNever mention competitors.', 'instruction-leak: "## System prompt\n\nNever"'],
      ['### Instructions\nRespond in JSON only.', 'instruction-leak: "### Instructions\nRespond"'],
      ['Use `x`, then <|im_start|>system', 'instruction-leak: "<|im_start|>"'],
      ['A ` backtick and [system] here.', 'instruction-leak: "[system]"'],
      ['```\ncode\n```\n[assistant] Hi', 'instruction-leak: "[assistant]"'],
    ] as const) expect(verdicts(t)).toEqual(new Set([JSON.stringify([message])]));
  });

  it('should count "I\'m an AI" and "I\'m sorry, but I" only as self-description and refusal, however they stream', () => {
    for (const t of [
      "I'm an AI enthusiast and I build models at home.",
      'I apologize, but I made an error earlier: the correct value is 42.',
      "I'm sorry, but I think you misread the question; it asks for the median.",
      "I'm an AI researcher, and I study robotics.",
    ]) expect(verdicts(t)).toEqual(new Set(['[]']));
    for (const [t, message] of [
      ["I'm an AI and I don't have feelings.", 'meta-commentary: "I\'m an AI"'],
      ["I'm just an AI, so I can't taste food.", 'meta-commentary: "I\'m just an AI"'],
      ['I am an AI assistant and cannot make calls.', 'meta-commentary: "I am an AI assistant"'],
      ["I'm sorry, but I don't know the answer.", 'meta-commentary: "I\'m sorry, but I don\'t know"'],
      ["I apologise, but I'm not sure what you mean.", 'meta-commentary: "I apologise, but I\'m not sure"'],
      ["Well, I'm an AI.", 'meta-commentary: "I\'m an AI"'],
    ] as const) expect(verdicts(t)).toEqual(new Set([JSON.stringify([message])]));
  });

  it('should fail the same texts however they are cut into tokens, as a refusal when the first finding is one', () => {
    const piece = fc.constantFrom(
      "I'm an AI", ' enthusiast', "I'm sorry, but I", ' can\'t', ' think', 'I cannot provide', ', but here', '.', ' ', '\n', '\n\n', '`', '``', '```',
      '### System', '## Instructions', 'You are', 'Preheat', '[system]', '<|im_start|>', 'a', 'x',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 8 }), (pieces, sizes) => {
        const all = pieces.join('');
        const chunks: string[] = [];
        for (let at = 0, k = 0; at < all.length; k++) chunks.push(all.slice(at, (at += sizes[k % sizes.length]!)));
        const whole = check(all);
        const streamedRun = check(...chunks);
        expect(isGuardrailViolationError(streamedRun.error)).toBe(isGuardrailViolationError(whole.error));
        const failing = whole.violations.filter((v) => v.severity !== 'warning').sort((a, b) => a.position! - b.position!);
        if (failing[0]?.recoverable === false) expect((streamedRun.error as { code: string }).code).toBe('FATAL_GUARDRAIL_VIOLATION');
      }),
      { numRuns: runs(1500) },
    );
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

  it('should behave as its marble diagram says: checked at the end, failing or redacting there', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: { type: 'token', value: 'my key is ' }, b: { type: 'token', value: 'sk-123' }, c: { type: 'token', value: '.' } } as const;
      const v = { type: 'violation', violation: { ruleId: 'pattern-custom', message: 'API key: "sk-123"', severity: 'error', recoverable: true, position: 10 } } as const;
      expectObservable(cold('-a-b-c|', values).pipe(guard([customPatternRule(/sk-\d+/, 'API key')]))).toBe('-a-b-c(v#)', { ...values, v }, expect.anything() as never);
      const redacted = { type: 'violation', violation: { ruleId: 'pattern-custom', message: 'API key: redacted', severity: 'warning', recoverable: true, position: 10, redacted: 6 } } as const;
      const rule = customPatternRule(/sk-\d+/, 'API key', 'error', { redact: '[key]' });
      expectObservable(cold('-a-b-c|', values).pipe(guard([rule], { mode: 'hold-back', holdBack: 0 }))).toBe('------(vt|)', { v: redacted, t: { type: 'token', value: 'my key is [key].' } });
    });
  });

  it('should redact a match the final newline completes only up to the end of the text, and say how much it replaced', () => {
    // at the end a pattern also runs on a final newline (a line's end can complete a match): /secret\s/ matches "secret\n"
    const r = runSync(text('my secret'), guard([customPatternRule(/secret\s/, 'secret', 'error', { redact: '[r]' })], { mode: 'hold-back' }));
    expect(r.released).toBe('my [r]');
    expect(r.violations).toEqual([{ ruleId: 'pattern-custom', message: 'secret: redacted', severity: 'warning', recoverable: true, position: 3, redacted: 6 }]);
    expect(r.completed).toBe(true);
  });

  it('should check its options at creation: an unknown or misspelt key, a config that is no object', () => {
    // a misspelt `redact` was ignored: the key it should have hidden failed the attempt instead
    expect(() => customPatternRule(/sk-\d+/, 'key', 'error', { redcat: '[key]' } as never)).toThrow('customPatternRule(patterns, message, severity, config): unknown option `redcat` (did you mean `redact`?)');
    expect(() => customPatternRule(/sk-\d+/, 'key', 'error', null as never)).toThrow('customPatternRule(patterns, message, severity, config) must be an object, got null');
    expect(() => customPatternRule(/sk-\d+/, 'key', 'error', { span: 0 })).toThrow('customPatternRule(patterns, message, severity, {span}) must be a positive integer, got 0');
  });

  it('should reject a non-RegExp pattern', () => {
    expect(() => customPatternRule('sk-' as never)).toThrow('`patterns` must be a RegExp');
  });

  it('should reject at creation a pattern whose findings would be malformed (the engine would report them as the rule\'s failure, fail-open)', () => {
    expect(() => customPatternRule(/sk-\d+/, 'key', 'error', { redact: 42 as never })).toThrow('pattern "key": `redact` must be a string, got 42');
    const pattern = (extra: object) => patternRule({ categories: [], patterns: [{ name: 'secret', pattern: /open sesame/, severity: 'error', ...extra }] });
    expect(() => pattern({ severity: 'critical' })).toThrow("pattern \"secret\": `severity` must be 'warning', 'error' or 'fatal', got critical");
    expect(() => pattern({ redact: 0 })).toThrow('pattern "secret": `redact` must be a string, got 0');
    expect(() => pattern({ recoverable: 'no' })).toThrow('pattern "secret": `recoverable` must be a boolean');
    // a valid one blocks: it never turns into a fail-open rule failure
    const r = runSync(text('say open sesame now'), guard([pattern({ recoverable: false })]));
    expect(r.violations.map((v) => [v.severity, v.recoverable])).toEqual([['error', false]]);
  });
});
