/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift, type L0Event } from 'l0-rx';
import { runSync, tokensOf } from '../guard/helpers.js';

/*
 * Ways a model talks about itself as a model besides "As an AI language model", each streamed in
 * 1-, 3- and 17-character tokens: the verdict must be the same for every size.
 */

const typesIn = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'drift' ? e.types : []));

/** The drift types found in `s`, the same for every token size. */
function found(s: string): string[] {
  const verdicts = [1, 3, 17].map((size) => typesIn(runSync(tokensOf(s, size), detectDrift()).out));
  for (const v of verdicts) expect(v, 'same verdict for every token size').toEqual(verdicts[0]);
  return verdicts[0]!;
}

describe('detectDrift: meta commentary variants', () => {
  it.each([
    'As a language model, I cannot browse the internet.',
    'As a large language model, I have no access to real-time data.',
    'As an artificial intelligence, I do not have opinions.',
    "I'm sorry, but as an AI I cannot do that.",
    "I'm an AI developed by OpenAI, so I can't see your screen.",
    "I'm an AI model trained by a research lab.",
    'I am an AI assistant created by a team of engineers.',
    "I'm sorry, but I can't comment on that.",
    "I'm sorry, but I can't come up with an answer to that.",
    'Ça dépend.\nAs an AI, I cannot say for sure.',
    'Café — as an AI, I cannot taste it.',
    // Greek punctuation is no letter: the question mark (U+037E, which looks like `;`) and the ano teleia (U+0387)
    'Τι σκέφτομαι για αυτό\u037e As an AI, I do not have personal opinions.',
    'Αυτό είναι όλο\u0387 as an AI, I cannot say more.',
    // the signs × and ÷ (U+00D7, U+00F7, amid Latin letters) are no letters
    'The speed-up is 3×As an AI language model, I cannot verify the benchmark.',
    'Then 12 ÷ 4 ÷ As an AI, I cannot check the rest of the sum.',
  ])('should find meta commentary in %j', (s) => {
    expect(found(`The capital of France is Paris. ${s} Anything else?`)).toEqual(['meta_commentary']);
  });

  it.each([
    'As a language model grows, it needs more data and compute to train well.',
    'As a large language model is trained on more tokens, its loss falls smoothly.',
    'GPT-4 can be described as a large language model, in that it predicts the next token.',
    'As an artificial intelligence researcher at MIT, she published widely.',
    'As an AI ethicist, I worry about bias in hiring tools.',
    "I'm an AI enthusiast and I build robots on weekends.",
    'She works as an AI Infrastructure engineer.',
    "Hi Sam,\n\nThank you for the invitation. I'm sorry, but I can't attend the meeting on Thursday because I will be travelling.",
    "I'm sorry, but I can't make it to the party on Saturday; have a wonderful time!",
    '"I\'m sorry, but I can\'t stay," she said, and closed the door behind her.',
    // a letter beyond ASCII before "as" is inside a word, as an ASCII one is ("resume as an AI model would")
    'The screening tool reads each résumé as an AI model would, looking for keywords rather than for meaning.',
    'The screening tool reads each re\u0301sume\u0301 as an AI model would, looking for keywords rather than for meaning.',
    'She described the old café as an AI assistant might: opening hours, prices and the menu, nothing about the coffee.',
    'Las tecnologías an AI assistant can use are listed below.',
  ])('should find none in %j', (s) => {
    expect(found(s)).toEqual([]);
  });
});
