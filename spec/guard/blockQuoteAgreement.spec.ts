/** @test {patternRule} @test {latexRule} @test {markdownRule} @test {extractCodeBlocks} */
import { describe, expect, it } from 'vitest';
import { extractCodeBlocks, guard, latexRule, markdownRule, patternRule, type GuardRule } from 'l0-rx';
import { runSync, text, tokensOf } from './helpers.js';

/*
 * The readers of a block quote's `>` marks read them alike, as CommonMark does (up to 3 spaces, `>`, an
 * optional space; 4 spaces start an indented code block): extractCodeBlocks, markdownRule and the code-aware
 * scans (patternRule's placeholders and leaks, latexRule). A fenced block in a quote ends with the quote, at a
 * line with fewer marks: the scans ended it only at a blank line, so a placeholder right after a quoted fence
 * was read as code (a false negative), and they read `    > ```` (4 spaces) as a quoted fence.
 */
const PROBE = 'PROBE';
const answers = [
  '> ```sh\n> curl\nPROBE\n', // an unquoted line ends the quote
  '> ```sh\n> curl\r\nPROBE\r\n',
  '> > ```sh\n> > curl\n> PROBE\n', // a line with fewer marks ends the inner quote
  '> ```sh\n> curl\n    PROBE\n',
  '> ```sh\n> curl\n\nPROBE\n',
  '> ```sh\n> PROBE\n',
  '> ```sh\n>     PROBE\n',
  '> ```sh\n> > PROBE\n',
  '>```sh\n>PROBE\n',
  '   > ```sh\n   > PROBE\n',
  '    > ```sh\n    > PROBE\n', // an indented code block, no quote: no fence
  '> ```sh\n> x\n> ```\nPROBE\n',
];
/** Whether `answer`'s probe is code, as extractCodeBlocks reads it. */
const inCode = (answer: string) => extractCodeBlocks(answer).some((b) => b.code.includes(PROBE));
/** The messages of `rule` on `answer` with its probe replaced by `probe`, whole and split in two at every position. */
const verdicts = (rule: () => GuardRule, answer: string, probe: string) => {
  const t = answer.replace(PROBE, probe);
  const cuts = [[t], ...Array.from({ length: t.length - 1 }, (_, i) => [t.slice(0, i + 1), t.slice(i + 1)])];
  return new Set(cuts.map((c) => JSON.stringify(runSync(text(...c), guard([rule()])).violations.map((v) => v.message))));
};

describe('the readers of block quote marks agree', () => {
  it.each(answers)('should read the probe in %j as code or not as extractCodeBlocks does, however it streams', (answer) => {
    const code = inCode(answer);
    expect(verdicts(() => patternRule({ categories: ['placeholder'] }), answer, '[insert name]')).toEqual(new Set([JSON.stringify(code ? [] : ['placeholder: "[insert name]"'])]));
    expect(verdicts(latexRule, answer, '\\begin{x}')).toEqual(new Set([JSON.stringify(code ? [] : ['unclosed environment x'])]));
    expect(verdicts(markdownRule, answer, 'text')).toEqual(new Set([JSON.stringify(code ? ['the answer ends inside a code fence'] : [])]));
  });

  // a placeholder family alone waited for no character after its matches, so it missed the line break of a checkpoint
  // cut inside the next line's quote marks (`> ```sh\n> x\n> `: the break's look-ahead reads the character after them)
  it.each(answers)('should read the probe in %j alike after a resume from any checkpoint before it, with or without the refusal family', (answer) => {
    const t = answer.replace(PROBE, '[insert name]');
    const expected = JSON.stringify(inCode(answer) ? [] : ['placeholder: "[insert name]"']);
    for (const categories of [['placeholder'], ['refusal', 'placeholder']] as const) {
      for (let i = 1; i <= t.indexOf('['); i++) {
        const r = runSync([{ type: 'resume', checkpoint: t.slice(0, i) }, ...text(t.slice(i))], guard([patternRule({ categories })]));
        expect(JSON.stringify(r.violations.map((v) => v.message)), `${categories.join()}: ${t.slice(0, i)}`).toBe(expected);
      }
    }
  });

  // a resume read the checkpoint's code markers, and the scan read again those near its end (its settle after them had
  // not passed): a fence or a backtick there was read twice, closing the block it opened, so a placeholder shown in it
  // failed the answer (and a closing fence read twice opened one, hiding a placeholder said after it)
  it.each([
    ['```\n[insert name]\n```\n', []],
    ['a\n```\nx\n```\n[insert name]\n', ['placeholder: "[insert name]"']],
    ['> ```\n> x\n>\n> [insert name]\n', []],
    ['`x [insert name]` y', []],
    ['``a` [insert name]`` y', []],
  ])('should read the code markers of a checkpoint once, wherever %j is cut', (t, expected) => {
    for (const rule of [() => patternRule({ categories: ['placeholder'] }), () => patternRule({ categories: ['refusal', 'placeholder'] }), () => patternRule()]) {
      expect(runSync(text(t), guard([rule()])).violations.map((v) => v.message)).toEqual(expected);
      for (let i = 1; i <= t.indexOf('['); i++) {
        const r = runSync([{ type: 'resume', checkpoint: t.slice(0, i) }, ...text(t.slice(i))], guard([rule()]));
        expect(r.violations.map((v) => v.message), t.slice(0, i)).toEqual(expected);
      }
    }
  });

  // the scans keep a few hundred characters: the line break after a longer quoted line was no marker once its `>` had
  // left the buffer, so streamed in small tokens the fence stayed open and the probe after the quote was code
  it.each([true, false])('should end a quoted fence after a code line longer than the scans keep, however it streams (probe quoted: %s)', (quoted) => {
    const answer = `> \`\`\`sh\n> ${'x'.repeat(1000)}\n${quoted ? '> ' : ''}PROBE\n`;
    const code = inCode(answer);
    expect(code).toBe(quoted);
    const messages = (rule: () => GuardRule, probe: string) => {
      const t = answer.replace(PROBE, probe);
      return new Set([t.length, 1, 4, 17].map((size) => JSON.stringify(runSync(tokensOf(t, size), guard([rule()])).violations.map((v) => v.message))));
    };
    expect(messages(() => patternRule({ categories: ['refusal', 'placeholder'] }), '[insert name]')).toEqual(new Set([JSON.stringify(code ? [] : ['placeholder: "[insert name]"'])]));
    expect(messages(latexRule, '\\begin{x}')).toEqual(new Set([JSON.stringify(code ? [] : ['unclosed environment x'])]));
  });

  it('should read the probe as code where a quote holds it, and as text after the quote ended', () => {
    expect(answers.map(inCode)).toEqual([false, false, false, false, false, true, true, true, true, true, false, false]);
  });
});
