/** @test {extractCodeBlocks} */
import { describe, expect, it } from 'vitest';
import { extractCode, extractCodeBlocks } from 'l0-rx';
import { expectLinearTime } from '../helpers/linearTime.js';

describe('extractCodeBlocks', () => {
  it.each([
    ['Run:\n```sh\nnpm i\n```', [{ language: 'sh', code: 'npm i', unclosed: false }]],
    ['```\na\n```\ntext\n~~~Python title="x"\nb\n~~~', [{ language: '', code: 'a', unclosed: false }, { language: 'python', code: 'b', unclosed: false }]],
    ['````md\n```js\nx\n```\n````', [{ language: 'md', code: '```js\nx\n```', unclosed: false }]],
    ['```ts\nconst a = 1;\n', [{ language: 'ts', code: 'const a = 1;\n', unclosed: true }]],
    ['no code here', []],
    ['```js\r\nx\r\n```', [{ language: 'js', code: 'x', unclosed: false }]],
    ['1. Save this:\n   ```py\n   def f():\n       return 1\n\n     x\n  y\n   ```', [{ language: 'py', code: 'def f():\n    return 1\n\n  x\ny', unclosed: false }]],
    ['- a\n  ~~~\n  b\n', [{ language: '', code: 'b\n', unclosed: true }]],
  ])('should find the blocks of %j', (text, expected) => {
    expect(extractCodeBlocks(text)).toEqual(expected);
  });

  // the opening-fence pattern split the info string into a word and the rest, both able to take its letters: a long
  // one ending in a backtick (not a fence) was tried at every split, quadratic (a second at 20 KB)
  it.each([
    ['a long info word', (n: number) => `\`\`\`${'a'.repeat(n)}\``],
    ['long spaces', (n: number) => `\`\`\`${' '.repeat(n)}x\``],
  ])('should read a line that is not a fence for %s ending in a backtick in linear time', (_name, line) => {
    expect(extractCodeBlocks(`${line(10)}\nx\n\`\`\``)).toEqual([{ language: '', code: '', unclosed: true }]);
    expectLinearTime('extractCodeBlocks', (n) => {
      const text = line(n);
      const t0 = performance.now();
      extractCodeBlocks(text);
      return performance.now() - t0;
    }, 10_000);
  });

  // the language is the info string's first word: pandoc, R Markdown and Quarto write it in braces (`{r}`, `{.python}`),
  // VitePress follows it with line numbers (`js{1,3}`), rustdoc with attributes (`rust,no_run`); all were taken whole, so
  // extractCode(answer, 'r') or extractCode(answer, 'rust') missed them
  it.each([
    ['```{r}\nx <- 1\n```', 'r'],
    ['```{r setup, include=FALSE}\nx <- 1\n```', 'r'],
    ['```{python}\nx = 1\n```', 'python'],
    ['``` {.Python .numberLines startFrom="10"}\nx = 1\n```', 'python'],
    ['~~~{.haskell}\nx = 1\n~~~', 'haskell'],
    ['```js{1,3}\nx\n```', 'js'],
    ['```rust,no_run\nfn main() {}\n```', 'rust'],
    ['```{}\nx\n```', ''],
  ])('should read the language of %j as %j', (text, language) => {
    expect(extractCodeBlocks(text).map((b) => b.language)).toEqual([language]);
  });

  // a fence in a block quote (`> ```js`) or on a list item's own line (`- ```js`) was not found: the `>` or the marker
  // before the fence made the line no fence, and its closing line then opened a block that ran to the end
  it.each([
    ['Quoted:\n\n> ```js\n> const a = 1;\n>\n>     indented();\n> ```\n\nDone.', [{ language: 'js', code: 'const a = 1;\n\n    indented();', unclosed: false }]],
    ['>```sh\n>ls\n>```', [{ language: 'sh', code: 'ls', unclosed: false }]],
    ['> > ~~~py\n> > x = 1\n> > > not a mark\n> > ~~~', [{ language: 'py', code: 'x = 1\n> not a mark', unclosed: false }]],
    ['> ```js\n> a\n\n```sh\nls\n```', [{ language: 'js', code: 'a', unclosed: true }, { language: 'sh', code: 'ls', unclosed: false }]],
    ['> ```js\n> a\n```sh\nls\n```', [{ language: 'js', code: 'a', unclosed: true }, { language: 'sh', code: 'ls', unclosed: false }]],
    ['- ```js\n  x = 1\n  ```\n- next', [{ language: 'js', code: 'x = 1', unclosed: false }]],
    ['1. ```bash\n   npm i\n     --save\n   ```\n2. Run it.', [{ language: 'bash', code: 'npm i\n  --save', unclosed: false }]],
    ['> 1. Step:\n>    ```sh\n>    make\n>    ```', [{ language: 'sh', code: 'make', unclosed: false }]],
    ['- ```js```\n- `x`', []],
  ])('should find a block in a block quote or on a list item\'s line in %j', (text, expected) => {
    expect(extractCodeBlocks(text)).toEqual(expected);
  });

  it('should filter by language, case-insensitively', () => {
    expect(extractCodeBlocks('```js\na\n```\n```SQL\nselect 1\n```', 'sql').map((b) => b.code)).toEqual(['select 1']);
  });
});

describe('extractCode', () => {
  it.each([
    ['```py\nprint(1)\n```', undefined, 'print(1)'],
    ['```js\na\n```\n```sql\nb\n```', 'sql', 'b'],
    ['plain', undefined, undefined],
    ['1. Save this:\n   ```py\n   def f():\n       return 1\n   ```', 'py', 'def f():\n    return 1'],
    ['As the docs say:\n\n> ```js\n> fetch(url)\n> ```', 'js', 'fetch(url)'],
  ])('should return the first block of %j (language %j)', (text, language, expected) => {
    expect(extractCode(text, language)).toBe(expected);
  });
});
