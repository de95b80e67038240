/** @test {deduplicateContinuation} */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lastValueFrom, of, toArray } from 'rxjs';
import { deduplicateContinuation, l0, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, runScenario } from '../helpers/runScenario.js';
import { runs } from '../helpers/propertyRuns.js';

const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const cut = { error: { network: 'ECONNRESET' } } as const;
const WORDS = ['<', '<b>', '<th', 'a', 'b', 'ab', 'the', ' ', '  ', '\n', '\u{1F389}', 'é', '漢字', '.', 'x y'];
const WORD_EDGE = /[\p{L}\p{N}]/u;
const spaces = (t: string) => t.replace(/\s+/g, ' ');

describe('deduplicateContinuation at the seam: no character doubled or lost, whatever the overlap', () => {
  it('should join the checkpoint and a head that repeats any whole-word suffix of it (or all of it, or nothing), cut anywhere', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 12 }),
      fc.nat(),
      fc.array(fc.nat({ max: 6 }), { maxLength: 10 }),
      fc.constantFrom('<think>hm</think>', '', '\n\n'),
      async (words, from, cuts, lead) => {
        const checkpoint = words.join('');
        const k = from % (words.length + 1); // words.length: the head repeats nothing
        // the repeat starts where a word starts in the checkpoint (wordBoundary)
        fc.pre(k === 0 || k === words.length || !(WORD_EDGE.test(words[k - 1]!.slice(-1)) && WORD_EDGE.test(words[k]![0]!) && !words[k]!.startsWith('漢')));
        const repeated = words.slice(k).join('');
        const rest = ' QQQ end';
        const head = lead + repeated + rest;
        const tokens: string[] = [];
        let at = 0;
        for (const c of cuts) if (at < head.length) tokens.push(head.slice(at, (at += c + 1))); // emoji halves included
        if (at < head.length) tokens.push(head.slice(at));
        const events: L0Event[] = [
          { type: 'start', attempt: 2, fallbackIndex: 0, isRetry: true, isFallback: false },
          { type: 'resume', checkpoint },
          ...tokens.map((value): L0Event => ({ type: 'token', value })),
          { type: 'complete', finishReason: 'stop' },
        ];
        const out = await lastValueFrom(of(...events).pipe(deduplicateContinuation(), toArray()));
        const text = out.flatMap((e) => (e.type === 'token' ? [e.value] : [])).join('').replace('<think>hm</think>', '');
        const joined = spaces(checkpoint + text); // a whitespace run matches any whitespace run
        const whitespaceLead = lead.startsWith('<') ? '' : lead;
        // a repeat of two characters or more that starts with text is removed; a shorter one may be kept, and so is a lone
        // word set apart by whitespace (the blank lines before it, or the checkpoint's own), which the text may really repeat
        const apart = whitespaceLead !== '' || /\s$/.test(checkpoint);
        const lone = /^\s*[\p{L}\p{M}\p{N}_]+\s*$/u.test(repeated) && !repeated.includes('漢');
        const removable = repeated.replace(/\s/g, '').length >= 2 && /^\S/.test(repeated) && !(apart && lone);
        const allowed = removable ? [checkpoint + rest] : [checkpoint + rest, checkpoint + repeated + rest, checkpoint + whitespaceLead + repeated + rest];
        expect(allowed.map(spaces)).toContain(joined);
      }), { numRuns: runs(500) });
  });
});

describe('resume chains through l0(): two failures in a row', () => {
  const runChain = (attempts: (string | typeof cut)[][]) => {
    const model = fakeModel(attempts.map((items) => ({ items })));
    const run = runScenario(() => l0({ stream: model, continueFromLastKnownGoodToken: true, checkpointInterval: 5, retry: fast }));
    return { calls: model.calls.map((c) => c.checkpoint), content: finalState(run.events).content };
  };

  it('should resume the third attempt from the first checkpoint when the second failed before a checkpoint of its own', () => {
    expect(runChain([[...'ABCDEF', cut], ['G', cut], ['H']])).toEqual({ calls: [undefined, 'ABCDE', 'ABCDE'], content: 'ABCDEH' });
  });

  it('should resume the third attempt from the second attempt\'s checkpoint, the first one\'s text included', () => {
    expect(runChain([[...'ABCDEF', cut], [...'GHIJKL', cut], ['M']])).toEqual({ calls: [undefined, 'ABCDE', 'ABCDEGHIJK'], content: 'ABCDEGHIJKM' });
  });
});
