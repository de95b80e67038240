/** @test {markdownRule} */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard, isGuardrailViolationError, markdownRule } from 'l0-rx';
import { fenceFlips } from '../helpers/fenceFlips.js';
import { runSync, text } from './helpers.js';
import { runs } from '../helpers/propertyRuns.js';

const check = (...chunks: string[]) => runSync(text(...chunks), guard([markdownRule()]));
/** `s` as a `first`-character token, then one token a character: the rule's checks (every 10 tokens) end at first + 9, first + 19... */
const streamed = (s: string, first: number) => [s.slice(0, first), ...s.slice(first)];

describe('markdownRule', () => {
  it('should fail an answer that ends inside a code fence, once', () => {
    const r = check('Here:\n```js\n', 'const x = 1;\n');
    expect(r.violations).toEqual([{ ruleId: 'markdown-structure', message: 'the answer ends inside a code fence', severity: 'error', recoverable: true }]);
    expect(isGuardrailViolationError(r.error)).toBe(true);
  });

  it('should accept closed fences, with tildes and longer closers, split anywhere', () => {
    const md = 'Intro\n```py\nprint(1)\n```\n~~~\nx\n~~~~\nEnd.';
    for (let i = 1; i < md.length; i++) expect(check(md.slice(0, i), md.slice(i)).violations).toEqual([]);
  });

  it('should close a fence only with its own character, at least as long, without info (a ``` line in a ```` or ~~~ block is code)', () => {
    const ends = (md: string) => check(md).violations.map((v) => v.message);
    expect(ends('````md\n```py\nprint(1)\n```\n````\nEnd.')).toEqual([]);
    expect(ends('````md\n```py\nprint(1)\n```\nEnd.')).toEqual(['the answer ends inside a code fence']);
    expect(ends('~~~\n```\nx\n')).toEqual(['the answer ends inside a code fence']);
    expect(ends('```\nx\n```js\n')).toEqual(['the answer ends inside a code fence']);
  });

  it('should warn about a table row with the wrong number of cells, not fail', () => {
    const r = check('| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |\n');
    expect(r.violations).toEqual([expect.objectContaining({ severity: 'warning', message: 'a table row has 1 cells, the header 2', position: 30 })]);
    expect(r.error).toBeUndefined();
  });

  it('should accept consistent tables and pipes inside fences', () => {
    expect(check('| a | b |\n| :-- | --: |\n| 1 | 2 |\n\n```\n| x |\n|---|---|\n| 1 |\n```\n').violations).toEqual([]);
  });

  it('should warn when a list switches between ordered and unordered items at one level', () => {
    expect(check('- a\n1. b\n').violations[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('list switches') });
    expect(check('- a\n  1. nested\n- b\n\n1. new list\n').violations).toEqual([]);
  });

  it('should not take sublists of different parents for one list that switches', () => {
    expect(check('- a\n  1. one\n  2. two\n- b\n  - x\n  - y\n').violations).toEqual([]);
  });

  // "## Steps\n1. …\n## Notes\n- …" warned that a list switched: only a blank line ended a list, not a heading or a label
  it('should not take two lists with a heading, a label or a paragraph line between them for one list that switches', () => {
    expect(check('## Steps\n1. Install\n2. Run\n## Notes\n- It is fast\n- It is small\n').violations).toEqual([]);
    expect(check('**Steps:**\n1. Install\n2. Run\n**Notes:**\n- It is fast\n').violations).toEqual([]);
    expect(check('1. Install\n2. Run\nThen check:\n- the logs\n').violations).toEqual([]);
    expect(check('1. Install\n   then restart\n- the logs\n').violations[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('list switches') });
  });

  // "- ```js" (a fence that starts a list item) was no fence, so its closing "  ```" opened one: "ends inside a code fence", an error
  it('should read a fence that starts a list item, closed by a fence without a marker, whatever the chunks', () => {
    const md = '1. ```bash\n   npm i\n   ```\n2. Then:\n   - ~~~py\n     x = 1\n     - ~~~\n     ~~~\n3. Done.\n';
    for (let i = 1; i < md.length; i++) expect(check(md.slice(0, i), md.slice(i)).violations, `split at ${i}`).toEqual([]);
    for (let first = 1; first <= 10; first++) expect(check(...streamed(md, first)).violations).toEqual([]);
    expect(check('- ```js\n  x = 1\n- ```\n').violations.map((v) => v.message)).toEqual(['the answer ends inside a code fence']);
  });

  it('should read a fence indented up to 8 spaces or tabs (a list item\'s), and no deeper one, as drift and the code-aware patterns do', () => {
    const ends = (md: string) => check(md).violations.map((v) => v.message);
    expect(ends('1. Steps:\n\n        ```sh\n        make\n')).toEqual(['the answer ends inside a code fence']);
    expect(ends('Some prose, then a quoted line\n            ``` not a fence\nand more prose.\n')).toEqual([]);
    expect(ends('text\n\t\t\t```\nstill prose\n')).toEqual(['the answer ends inside a code fence']);
    expect(ends('text\n \t \t \t \t ```\nstill prose\n')).toEqual([]);
  });

  it('should find the fences drift finds, on random texts of fence-like lines, whatever the chunks (property)', () => {
    const PIECES = ['```', '````', '``', '`', '```js', '~~~', '~~~~', '~~~py `x`', ' ', '   ', '    ', '\t', '\t\t\t', '        ', '         ', '\r', '\n', '\n\n', 'text. ', 'x', '`inline`'];
    let open = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (pieces, size) => {
        const md = `${pieces.join('')}\n`;
        const opened = fenceFlips(md).length % 2 === 1;
        open += opened ? 1 : 0;
        for (const chunks of [[md], md.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!]) {
          expect(check(...chunks).violations.some((v) => v.message === 'the answer ends inside a code fence'), JSON.stringify(md)).toBe(opened);
        }
      }),
      { numRuns: runs(1000) },
    );
    expect(open).toBeGreaterThan(runs(100));
  });

  // "> ```js" was no fence: an answer cut inside a quoted fence passed, and a quoted fence's lines could not be told from text
  it('should read a fence in a block quote, closed at its own depth or by the end of the quote', () => {
    const ends = (md: string) => check(md).violations.map((v) => v.message);
    expect(ends('> Quoted:\n> ```js\n> const a = 1;\n')).toEqual(['the answer ends inside a code fence']);
    expect(ends('> ```js\n> x\n> ```\n\n> > ~~~\n> > y\n> > ~~~\n\nDone.')).toEqual([]);
    expect(ends('> ```js\n> x\n\nThe quote ended, and its fence.\n')).toEqual([]);
    expect(ends('```md\n> ```\n```\n')).toEqual([]);
    expect(ends('> ```md\n> > ```\n> x\n')).toEqual(['the answer ends inside a code fence']);
  });

  it('should read a line of inline ```code``` as text, not as a fence that never closes', () => {
    expect(check('```npm install```\nthat is all.').violations).toEqual([]);
  });

  it('should read fences with CRLF line ends, whatever the check boundaries', () => {
    const open = 'Here:\r\n```js\r\nconst x = 1;\r\n';
    const table = '```\r\n| x | y |\r\n|---|---|\r\n| 1 |\r\n```\r\n';
    for (let first = 1; first <= 10; first++) {
      expect(check(...streamed(open, first)).violations.map((v) => v.message)).toEqual(['the answer ends inside a code fence']);
      expect(check(...streamed(table, first)).violations).toEqual([]);
    }
  });

  it('should leave plain prose alone', () => {
    expect(check('Just a sentence without markdown, ending without punctuation').violations).toEqual([]);
  });
});
