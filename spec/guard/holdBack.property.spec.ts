/** @test {guard} */
import fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { customPatternRule, guard, patternRule, type L0Event } from 'l0-rx';
import { runs } from '../helpers/propertyRuns.js';

/* Hold-back: no released text ever contains a phrase a blocking rule matches, for any split into chunks. */

const PHRASES = ['open sesame', 'As an AI language model', '[system]'];
const rules = [customPatternRule(/open sesame/i, 'secret', 'error'), patternRule({ categories: ['meta-commentary', 'instruction-leak'] })];
// what the rules block in texts of these words: meta-commentary takes "As an AI model" too where it speaks for the writer, at
// the start or after a character not a letter ("the As an AI model" describes a thing: an over-broad oracle failed other seeds)
const speaks = /(?:^|[^a-z0-9 é])[ ]{0,3}as an ai model/i;
const blocked = (s: string) => /open sesame|as an ai language model|\[system\]/i.test(s) || speaks.test(s);

/** A text of ordinary words with, sometimes, a blocked phrase, and the cut points that split it into chunks. */
const textAndCuts = fc
  .tuple(
    fc.array(fc.constantFrom('the', 'cat', 'open', 'ses', 'ame', 'As', 'an', 'AI', 'model', '[sys', 'tem]', '.', '\n', ...PHRASES), { maxLength: 40 }),
    fc.array(fc.nat(), { maxLength: 30 }),
    fc.constantFrom<number | 'sentence'>(0, 5, 32, 'sentence'),
  )
  .map(([words, cuts, holdBack]) => {
    const text = words.join(' ');
    const points = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % text.length)))].sort((a, b) => a - b);
    const chunks = [0, ...points, text.length].flatMap((p, i, all) => (i === 0 ? [] : [text.slice(all[i - 1], p)])).filter((c) => c !== '');
    return { text, chunks, holdBack };
  });

function release(chunks: readonly string[], holdBack: number | 'sentence') {
  const events: L0Event[] = [...chunks.map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason: 'stop' }];
  let released = '';
  let failed = false;
  from(events).pipe(guard(rules, { mode: 'hold-back', holdBack })).subscribe({
    next: (e) => (released += e.type === 'token' ? e.value : ''),
    error: () => (failed = true),
  });
  return { released, failed };
}

describe('guard hold-back (property)', () => {
  it('should never release a blocked phrase, whatever the chunks, and release everything else unchanged', () => {
    fc.assert(
      fc.property(textAndCuts, ({ text, chunks, holdBack }) => {
        const { released, failed } = release(chunks, holdBack);
        expect(blocked(released)).toBe(false);
        expect(failed).toBe(blocked(text));
        if (!failed) expect(released).toBe(text);
        else expect(text.startsWith(released)).toBe(true);
      }),
      { numRuns: runs(500) },
    );
  });
});

/*
 * The same, where the first property does not reach: a redacting rule (its phrase never released, the rest
 * unchanged), emoji and accents cut anywhere (no released token starts or ends inside a surrogate pair), and a
 * resume from a checkpoint the rules passed (cut anywhere but inside a pair; a phrase may straddle its end).
 */
const redacting = [customPatternRule(/open sesame/i, 'secret', 'error', { redact: '[x]' }), patternRule({ categories: ['meta-commentary', 'instruction-leak'] })];
const hard = (s: string) => /as an ai language model|\[system\]/i.test(s) || speaks.test(s);
const resumed = fc
  .tuple(
    fc.array(fc.constantFrom('the', 'open', 'ses', 'ame', 'As', 'an', 'AI', 'model', '[sys', 'tem]', '.', '\n', '😀', 'é', 'o😀', '😀.', ...PHRASES), { maxLength: 40 }),
    fc.array(fc.nat(), { maxLength: 30 }),
    fc.constantFrom<number | 'sentence'>(0, 1, 5, 32, 'sentence'),
    fc.option(fc.nat()),
    fc.boolean(),
    fc.constantFrom(1, 10),
  )
  .map(([words, cuts, holdBack, cut, redact, interval]) => {
    const text = words.join(' ');
    let at = cut === null || text.length === 0 ? 0 : cut % text.length;
    if (at > 0 && /[\ud800-\udbff]/.test(text[at - 1]!)) at--;
    const rest = text.slice(at);
    const points = [...new Set(cuts.map((c) => (rest.length === 0 ? 0 : c % rest.length)))].sort((a, b) => a - b);
    const chunks = [0, ...points, rest.length].flatMap((p, i, all) => (i === 0 ? [] : [rest.slice(all[i - 1], p)])).filter((c) => c !== '');
    return { text, chunks, holdBack, checkpoint: cut === null ? undefined : text.slice(0, at), redact, interval };
  })
  // a checkpoint holds only text the rules passed
  .filter(({ checkpoint }) => checkpoint === undefined || !blocked(checkpoint));

describe('guard hold-back (property: redaction, surrogate pairs, resume)', () => {
  it('should never release a blocked phrase nor half an emoji, and release the rest unchanged (redacted)', () => {
    fc.assert(
      fc.property(resumed, ({ text, chunks, holdBack, checkpoint, redact, interval }) => {
        const head: L0Event[] = checkpoint === undefined ? [] : [{ type: 'resume', checkpoint }];
        const events: L0Event[] = [...head, ...chunks.map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason: 'stop' }];
        const tokens: string[] = [];
        let failed = false;
        let message = '';
        // the built-in rules check every 10 tokens; at every token, hold-back releases at every token's end
        const list = redact ? redacting : rules;
        from(events).pipe(guard(interval === 1 ? list.map((r) => ({ ...r, interval })) : list, { mode: 'hold-back', holdBack })).subscribe({
          next: (e) => void (e.type === 'token' && tokens.push(e.value)),
          error: (e: Error) => ((failed = true), (message = e.message)),
        });
        const shown = (checkpoint ?? '') + tokens.join('');
        expect(blocked(shown)).toBe(false);
        for (const t of tokens) expect(/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(t), JSON.stringify(t)).toBe(false);
        // (a secret straddling the checkpoint's end was partly released before: too late to redact, it fails)
        // (a hold-back shorter than the secret may release its start before the match is whole: too late to redact too)
        const late = redact && typeof holdBack === 'number' && holdBack < 'open sesame'.length && /too late/.test(message);
        if (!(redact && checkpoint !== undefined)) expect(failed).toBe(redact ? hard(text) || late : blocked(text));
        if (!failed) expect(shown).toBe(redact ? text.replace(/open sesame/gi, '[x]') : text);
        else if (!redact) expect(text.startsWith(shown)).toBe(true);
      }),
      { numRuns: runs(500) },
    );
  });
});
