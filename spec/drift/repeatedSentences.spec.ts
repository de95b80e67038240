/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { DRIFT_DETECTORS, detectDrift, isDriftDetectedError, type DriftType } from 'l0-rx';
import { failsAtEverySize, runSync, tokensOf } from '../guard/helpers.js';

/*
 * A sentence seen a third time is a loop when the text around it is mostly repeats, not when it
 * recurs between new material: a song's chorus, a step list's closing sentence, a contract's
 * recurring clause, a recipe's "Stir well". Each text streams in 1-, 3- and 17-character tokens
 * under l0({detectDrift: true})'s settings (action 'retry'); the verdict must not depend on them.
 */

/** Whether `s`, in tokens of `size` characters, fails the attempt; the same for every size. */
const fails = (s: string): boolean => failsAtEverySize(s, () => detectDrift({ action: 'retry' }));

const chorus = '[Chorus]\nAnd I will carry you home, I will carry you home,\nThrough the wind and the rain, you will never be alone.';
const song = [
  '[Verse 1]\nI walked along the river when the sun was going down,\nThe lights came on like fireflies across the sleeping town.',
  chorus,
  '[Verse 2]\nThe years went by like pages in a book we never read,\nWe kept the words we should have said inside our heads instead.',
  chorus,
  '[Bridge]\nHold on, hold on, the night is nearly through.',
  chorus,
  '[Outro]\nYou will never be alone.',
].join('\n\n');

const survives = 'This obligation survives the termination or expiry of this Agreement.';
const contract = [
  "1. Confidentiality. Each party shall keep the other party's Confidential Information secret and use it only to perform this Agreement.",
  '2. Payment. The Customer shall pay all invoices within thirty days of receipt, in the currency stated on the invoice.',
  '3. Indemnity. The Supplier shall indemnify the Customer against third-party claims that the Services infringe intellectual property rights.',
  "4. Audit. The Customer may audit the Supplier's records once a year on reasonable notice.",
].map((clause) => `${clause} ${survives}`).join('\n\n');

const steps = ['Install the CLI with `npm i -g tool`.', 'Log in with `tool login`.', 'Create the project with `tool init my-app`.', 'Deploy it with `tool deploy`.', 'Check the logs with `tool logs`.']
  .map((step, i) => `${i + 1}. ${step} Wait for the command to finish before you continue.`).join('\n');

const recipe = 'Steps:\n1. Chop the onions. Stir well and cook for 2 minutes.\n2. Add the garlic. Stir well and cook for 2 minutes.\n3. Add the tomatoes. Stir well and cook for 2 minutes.\n4. Add the spices. Stir well and cook for 2 minutes.\n5. Serve hot.';

const story =
  'The lighthouse keeper climbed the stairs at dusk. "Is the lamp ready?" his daughter asked. "It is always ready," he said. She watched the ships. "Will they see us tonight?" she asked. "They will see us, they always do." ' +
  'The wind rose and the waves broke white on the rocks below. "Is the lamp ready?" she asked again near midnight. "It is always ready," he said, and smiled. At dawn the ships were safe in the harbour, and she asked once more, "Is the lamp ready?" He laughed. "It is always ready."';

/** Two lines of dialogue, each sentence ending inside its quotes. */
const dialogue = 'He looked at the door and said, "We should leave before the storm gets any worse." She shook her head and said, "We cannot leave without the others, they are still out there."\n\n';

const faq = Array.from({ length: 5 }, (_, i) => `**Q${i + 1}: How do I reset setting ${'ABCDE'[i]}?**\nOpen Settings and choose the ${['first', 'second', 'third', 'fourth', 'fifth'][i]} tab. If you have any other questions, feel free to contact our support team.`).join('\n\n');

describe('detectDrift: a recurring sentence between new material is no loop', () => {
  it.each([
    ['a song whose chorus comes back three times between verses', song],
    ['a contract whose clauses end in the same survival sentence', contract],
    ['a step list whose steps end in the same sentence', steps],
    ['a recipe whose steps repeat "Stir well and cook for 2 minutes."', recipe],
    ['an FAQ whose answers end in the same sign-off', faq],
    ['a story whose characters say the same lines in quotes between narration', story],
  ])('should not fail %s', (_, s) => {
    expect(fails(s)).toBe(false);
  });
});

describe('detectDrift: a loop of sentences is still stopped', () => {
  const a = 'The function returns the sum of the two numbers and prints it.';
  const b = 'It also logs a message for debugging when the verbose flag is set.';
  it.each([
    ['one sentence three times', `${a} ${a} ${a}`],
    ['a paragraph over and over', `Here is the explanation.\n\n${`${a} ${b}\n\n`.repeat(3)}`],
    ['a paragraph longer than the tail check\'s 160-character unit, three times', `Intro.\n\n${`${a} ${b} Then it returns control to the caller, which continues with the next item in the queue. `.repeat(3)}`],
    ['a loop whose middle sentence varies', ['first', 'second', 'third', 'fourth'].map((w) => `${a} Now the ${w} attempt begins. ${b}`).join(' ')],
    ['a phrase growing by a word each time', 'This is important. This is very important. This is really very important. '.repeat(3)],
    ['a chorus sung three times in a row', `${chorus}\n\n${chorus}\n\n${chorus}`],
    ['a dialogue of 177 characters three times, its sentences ending inside quotes (`."` ends a sentence as `.` does)', `The night went on.\n\n${dialogue.repeat(3)}`],
    ['the same dialogue with curly quotes (`.”`)', `The night went on.\n\n${dialogue.replaceAll(/"([^"]*)"/g, '“$1”').repeat(3)}`],
    ["the same dialogue with British quotes (`.'`), and sentences in brackets (`.)`) or bold (`.**`)", `The night went on.\n\n${dialogue.replaceAll('"', "'").repeat(2)}(${dialogue.trim()}) **${dialogue.trim()}**`],
  ])('should fail %s', (_, s) => {
    expect(fails(s)).toBe(true);
  });
});

describe('detectDrift: a block repeated at the end is reported before the text can move on (the documented trade-off)', () => {
  const closing = 'That is the whole song: it ends on the chorus, sung three times as the record fades out.';
  /** The song up to its bridge, then its chorus `times` in a row, then a closing line. */
  const ending = (times: number) => [song.slice(0, song.lastIndexOf('\n\n[Bridge]')), song.slice(song.lastIndexOf('[Bridge]'), song.lastIndexOf('\n\n[Chorus]')), ...Array.from({ length: times }, () => chorus), closing].join('\n\n');

  it.each([2, 3])('should fail a song whose chorus comes %i times in a row after the bridge, when the repeat ends: a loop looks the same then', (times) => {
    const s = ending(times);
    expect(fails(s)).toBe(true);
    const { error, released } = runSync(tokensOf(s, 3), detectDrift({ action: 'retry' }));
    expect(isDriftDetectedError(error) && error.info.types).toEqual(['repetition']);
    // where a text that loops on fails: what follows the repeat is not seen yet (within the 64 characters of the detectors' next look)
    const loopsOn = s.slice(0, s.indexOf(closing)) + `${chorus}\n\n`.repeat(5);
    expect(released.length).toBe(runSync(tokensOf(loopsOn, 3), detectDrift({ action: 'retry' })).released.length);
    expect(released.length).toBeLessThan(s.indexOf(closing) + 64);
  });

  it('should let an app whose answers are lyrics keep the check as a warning or leave it out', () => {
    const s = ending(3);
    const warned = runSync(tokensOf(s, 3), detectDrift({ action: 'retry', minConfidence: 0.85 }));
    expect(warned.error).toBeUndefined();
    expect(warned.out.filter((e) => e.type === 'drift')).toEqual([{ type: 'drift', types: ['repetition'], confidence: 0.8 }]);
    const types = (Object.keys(DRIFT_DETECTORS) as DriftType[]).filter((t) => t !== 'repetition');
    expect(runSync(tokensOf(s, 3), detectDrift({ action: 'retry', types })).out.some((e) => e.type === 'drift')).toBe(false);
  });
});
