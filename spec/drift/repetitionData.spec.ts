/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift } from 'l0-rx';
import { failsAtEverySize } from '../guard/helpers.js';

/*
 * Exact repeats in data (a zero matrix, identical CSV rows, a Markdown table of repeated rows, a
 * code block repeating a line) are no runaway loop; the repetition detector's tail check raises
 * its bar for them (one unit repeated over 4096 characters). One line running on is no rows. A prose loop is still found at once,
 * and so is a loop whose sentences differ only in their numbers ("Number 1 is next. Number 2 is
 * next. ..."), but not a numbered list or an enumeration whose items say different things. Each
 * text streams in 1-, 3- and 17-character tokens; the verdict must not depend on them.
 */
const fails = (s: string): boolean => failsAtEverySize(s, () => detectDrift({ action: 'retry', types: ['repetition'] }));
const rows = (row: string, n: number) => Array.from({ length: n }, () => row).join('\n');

describe('detectDrift repetition: exact repeats in data', () => {
  it.each([
    ['a zero matrix in a fence', `Here is the 16x16 zero matrix:\n\n\`\`\`python\nm = [\n${rows(`    [${Array(16).fill(0).join(', ')}],`, 16)}\n]\n\`\`\`\n\nEach row has sixteen zeros.`],
    ['a zero matrix outside a fence', `The result is:\n[\n${rows('  [0, 0, 0, 0, 0, 0, 0, 0],', 30)}\n]`],
    ['identical CSV rows', `Here is the CSV:\n\nname,age,city\n${rows('Alice Smith,30,Paris', 40)}\n\nAll rows are the same test user.`],
    ['a Markdown table of repeated rows', `| Name | Status | Region |\n|---|---|---|\n${rows('| server | ok | eu-west |', 30)}\n\nEvery server is healthy.`],
    ['repeated lines in a code block', `Unrolled loop:\n\n\`\`\`c\n${rows('    total += step(state);', 40)}\n\`\`\`\n\nThis is what the compiler emits at -O3.`],
    ['a divider line of dashes and a row of dots in data', `\`\`\`\n${'-'.repeat(600)}\n\`\`\`\n${rows('. . . . . . . .', 40)}`],
  ])('should not fire on %s', (_, s) => {
    expect(s.length).toBeGreaterThan(512);
    expect(fails(s)).toBe(false);
  });

  it('should fire at once on one line running on ("0, 0, 0, ..."): no rows, a runaway', () => {
    expect(fails(`The values are ${'0, '.repeat(300)}`)).toBe(true);
    expect(fails(`Result: ${'[0] '.repeat(200)}`)).toBe(true);
  });

  it('should still fire on a data loop that runs on past its raised bar (over 4096 characters)', () => {
    expect(fails(`[\n${rows('  [0, 0, 0, 0, 0, 0, 0, 0],', 200)}`)).toBe(true);
    expect(fails(`\`\`\`\n${rows('    total += step(state);', 200)}`)).toBe(true);
  });
});

describe('detectDrift repetition: prose loops are still found', () => {
  it('should fire on the fault server\'s repetition-loop text', () => {
    expect(fails('I will keep saying the same thing. '.repeat(20))).toBe(true);
  });

  it('should fire on a prose loop inside a code fence once it runs past the bar of data, and at once on one without sentence ends', () => {
    // sentences in a fence are not counted (code repeats its comments: see fenceSentences.spec.ts)
    expect(fails(`\`\`\`\n${'We need to consider the implications of this. '.repeat(100)}`)).toBe(true);
    expect(fails(`Result: ${'and then the model keeps going on '.repeat(20)}`)).toBe(true);
  });

  it('should fire on an exact loop of a sentence with a number at its third time, as on any other', () => {
    expect(fails('Step 1: open the file. '.repeat(3))).toBe(true);
  });

  it('should fire on a loop whose sentences differ only in their numbers', () => {
    expect(fails(Array.from({ length: 300 }, (_, i) => `Number ${i + 1} is next.`).join(' '))).toBe(true);
    expect(fails(Array.from({ length: 300 }, (_, i) => `Item ${i + 1} has been processed successfully.`).join('\n'))).toBe(true);
  });
});

describe('detectDrift repetition: numbered lists and enumerations', () => {
  it.each([
    ['steps that say different things', Array.from({ length: 12 }, (_, i) => `Step ${i + 1}: ${['Open the file.', 'Read the header.', 'Check the version.', 'Parse the body.', 'Validate the schema.', 'Fix the errors.', 'Write the output.', 'Close the file.', 'Run the tests.', 'Commit the change.', 'Push the branch.', 'Open a pull request.'][i]}`).join('\n')],
    ['a short test report', Array.from({ length: 12 }, (_, i) => `Test ${i + 1} passed in ${(i % 4) + 1} ms.`).join('\n')],
    ['a numbered list of facts', Array.from({ length: 15 }, (_, i) => `${i + 1}. Chapter ${i + 1} covers ${['sets', 'maps', 'graphs', 'trees', 'heaps'][i % 5]} and their uses in practice.`).join('\n')],
    ['a recipe whose steps share a sentence', 'Steps:\n1. Chop the onions. Stir well and cook for 2 minutes.\n2. Add the garlic. Stir well and cook for 2 minutes.\n3. Add the tomatoes. Stir well and cook for 2 minutes.\n4. Add the spices. Stir well and cook for 2 minutes.\n5. Serve hot.'],
  ])('should not fire on %s', (_, s) => {
    expect(fails(s)).toBe(false);
  });
});
