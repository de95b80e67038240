/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift } from 'l0-rx';
import { failsAtEverySize, runSync, text } from '../guard/helpers.js';

/*
 * Code repeats its comments: a docstring paragraph across the methods of a client, a JSDoc block
 * across the methods of a class. Sentences that end inside a ``` fence are not the repetition
 * detector's sentence check's to count (a loop in a fence is its tail check's, held to the bar of
 * data, see repetitionData.spec.ts); prose around the fences still is, and a new block between a
 * sentence's times moves the text on (a tutorial's warning before each command). Each text streams
 * in 1-, 3- and 17-character tokens; the verdict must not depend on them.
 */
const fails = (s: string): boolean => failsAtEverySize(s, () => detectDrift({ action: 'retry', types: ['repetition'] }));
const fence = '```';

const POLICY = `
        Requests are retried up to three times with exponential backoff.
        The client raises AuthError when the token has expired.
        Responses are cached for sixty seconds per endpoint.
        All timestamps are returned in UTC.`;
const method = (name: string) => `    def list_${name}(self):
        """List the ${name}.
${POLICY}
        """
        return self._get("/${name}")
`;
const PYTHON = `Here is the client:

${fence}python
class Client:
${['users', 'orders', 'invoices', 'refunds'].map(method).join('\n')}${fence}

Each method wraps one endpoint.`;

const DOC = `  /**
   * Initialize the counter to zero before the loop starts.
   * The input string is never modified by this method.
   * Runs in linear time over the length of the input text.
   * Returns zero for an empty string or one of only spaces.
   * It allocates nothing beyond the match state of the regular expression.
   * Safe to call from any number of workers at the same time.
   */`;
const TYPESCRIPT = `Here are the counters:

${fence}ts
export class Counters {
${DOC}
  words(t: string) { return count(t, /\\w+/g); }

${DOC}
  lines(t: string) { return count(t, /\\n/g); }

${DOC}
  vowels(t: string) { return count(t, /[aeiou]/g); }
}
${fence}

Use \`new Counters().words(text)\`.`;

/** The same code with its fences removed: the text the sentence check counted before. */
const unfenced = (s: string) => s.replaceAll(/^```.*$/gm, '');

describe('detectDrift repetition: repeated sentences in code', () => {
  it.each([
    ['a docstring paragraph repeated across the methods of a Python client', PYTHON],
    ['a JSDoc block repeated across the methods of a TypeScript class', TYPESCRIPT],
  ])('should not fire on %s', (_, s) => {
    expect(fails(s)).toBe(false);
  });

  it.each([
    ['a ~~~ fence (CommonMark\'s other fence)', PYTHON.replaceAll(fence, '~~~')],
    ['a ```` fence around a Markdown example whose own ``` fences do not close it', `Here is the README section:\n\n\`\`\`\`markdown\n${PYTHON}\n\`\`\`\`\n\nPaste it as is.`],
    ['a ~~~ fence whose code holds a ``` line (no closer of a ~~~ fence)', `~~~python\nREADME = """\n${fence}\n"""\n${PYTHON.slice(PYTHON.indexOf('class'), PYTHON.lastIndexOf(fence))}~~~\n`],
  ])('should not fire on the docstrings in %s', (_, s) => {
    expect(fails(s)).toBe(false);
  });

  // a numbered step's code block is indented (4 spaces, a tab): the guard's markdownRule and code-aware patterns read it as
  // a fence, and so must drift, or the docstrings in it count as prose repeating
  it.each([['4 spaces', '    '], ['a tab', '\t'], ['8 spaces', '        ']])('should not fire on the docstrings in a fence nested in a list item, indented by %s', (_, indent) => {
    const nested = PYTHON.replace(/^([\s\S]*?\n\n)([\s\S]*)(\n\nEach[\s\S]*)$/, (_m, head: string, code: string, end: string) => `${head}1. Write the client:\n\n${code.replace(/^(?=.)/gm, indent)}${end}`);
    expect(nested).toContain(`\n${indent}${fence}python\n`);
    expect(fails(nested)).toBe(false);
    // closed only by a fence less than 4 deeper than it: a deeper one is the code's own (Markdown in a docstring)
    const loop = 'I will keep saying the same thing again. '.repeat(4);
    expect(fails(`1. Code:\n${indent}${fence}\n${indent}x = 1\n${indent}${fence}\n${loop}`)).toBe(true);
    expect(fails(`1. Code:\n${indent}${fence}\n${indent}x = 1\n${indent}    ${fence}\n${loop}`)).toBe(false);
  });

  it('should count the prose after a ~~~ or ```` fence closes (by a fence of its character, at least as long, with nothing after it)', () => {
    const loop = 'I will keep saying the same thing again. '.repeat(4);
    expect(fails(`~~~js\nconst a = 1;\n  ~~~~\n\n${loop}`)).toBe(true);
    expect(fails(`\`\`\`\`md\n${fence}\n\`\`\`\` \r\n${loop}`)).toBe(true);
    // no closer: a shorter run, the other character, an info string
    expect(fails(`\`\`\`\`md\n${fence}\n${loop}`)).toBe(false);
    expect(fails(`~~~\n${fence}\n${loop}`)).toBe(false);
    expect(fails(`~~~\n~~~ js\n${loop}`)).toBe(false);
  });

  it.each([
    ['the Python docstrings', PYTHON],
    ['the TypeScript JSDoc blocks', TYPESCRIPT],
  ])('should still fire on %s as prose (no fence): the sentences themselves repeat', (_, s) => {
    expect(fails(unfenced(s))).toBe(true);
  });

  it('should count the prose after a fence closes, and the prose before one opens', () => {
    const loop = 'I will keep saying the same thing again. '.repeat(4);
    expect(fails(`${fence}js\nconst a = 1;\n${fence}\n\n${loop}`)).toBe(true);
    expect(fails(`${loop}\n\n${fence}js\nconst a = 1;\n${fence}\n`)).toBe(true);
    // a fence that is no fence: backticks after the run, more than 8 spaces before it, inline code
    expect(fails(`${fence}js \`x\`\n${loop}`)).toBe(true);
    expect(fails(`         ${fence}\n${loop}`)).toBe(true);
    expect(fails(`Run \`${fence}\` then:\n${loop}`)).toBe(true);
  });

  it('should not count a loop of sentences inside a fence until the tail check\'s data bar (4096 characters)', () => {
    const loop = 'We need to consider the implications of this. ';
    expect(fails(`${fence}\n${loop.repeat(5)}`)).toBe(false);
    expect(fails(`${fence}\n${loop.repeat(100)}`)).toBe(true);
    expect(fails(`Text:\n  ${fence}\n${loop.repeat(5)}`)).toBe(false);
  });

  it('should not count a sentence recurring between new fenced commands as a loop (a new block moves the text on)', () => {
    const block = (cmd: string) => `${fence}bash\n${cmd}\n${fence}\n\n`;
    const run = 'Run this in your terminal.\n';
    const root = 'Make sure you run this from the project root, not from src.\n\n';
    expect(fails(`Set up the project in three steps.\n\n${run}${block('npm install')}${run}${block('npm run build')}${run}${block('npm start')}The app is now on port 3000.`)).toBe(false);
    expect(fails(`Set up the project.\n\n${block('npm install')}${root}${block('npm run build')}${root}${block('npm start')}${root}The app is now on port 3000.`)).toBe(false);
    // blocks that differ only in a number are new blocks too
    const wait = 'Wait for each one to finish before you start the next one.\n';
    expect(fails(`Run the five migration scripts in order.\n\n${[1, 2, 3, 4, 5].map((i) => `${wait}${block(`node migrate-step${i}.js`)}`).join('')}All five ran.`)).toBe(false);
  });

  it('should not count a block seen before as repeated text (a tutorial reruns the same command, an answer shows its file again)', () => {
    const restart = `Then restart the server so the change takes effect.\n${fence}bash\ndocker compose restart api && docker compose logs -f api --tail 50\n${fence}\n\n`;
    expect(fails(`Four settings to change.\n\nOpen config.yml and set the port to 8080.\n${restart}Now set the log level to debug in the same file.\n${restart}Next turn on the metrics endpoint.\n${restart}Finally raise the upload limit to 20 MB.\n${restart}That is all.`)).toBe(false);
    const tests = `${fence}bash\nnpm test -- --run\n${fence}\nAll tests should pass before you move on to the next bug.\n\n`;
    expect(fails(`Fix the four bugs one at a time.\n\nFirst fix the off-by-one error in the pager.\n${tests}Then fix the null check in the parser.\n${tests}Next fix the typo in the help text.\n${tests}Last, update the changelog entry.\n${tests}Done.`)).toBe(false);
    const file = `${fence}python\nimport json\n\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n\n\ndef save(path, data):\n    with open(path, "w") as f:\n        json.dump(data, f, indent=2)\n\n\nif __name__ == "__main__":\n    cfg = load("config.json")\n    cfg["debug"] = True\n    save("config.json", cfg)\n${fence}\n\n`;
    const save = 'Save the file before you run the script again. ';
    expect(fails(`Here is the script:\n\n${file}${save}It reads the config, turns on debug mode and writes the config back with two-space indentation, so the diff stays small. ${save}\n\nFor reference, the whole file once more:\n\n${file}${save}`)).toBe(false);
  });

  it('should still stop a sentence and the same block looping: by its 4th time (the tail check sooner when the unit is short)', () => {
    const unit = `Run this in your terminal to start the development server again.\n${fence}bash\nnpm run dev -- --host 0.0.0.0 --port 5173 --open --strictPort --clearScreen false --logLevel info\n${fence}\n`;
    expect(unit.length).toBeGreaterThan(160); // past the tail check's longest unit: the sentences decide
    expect(fails(unit.repeat(3))).toBe(false);
    expect(fails(unit.repeat(4))).toBe(true);
    expect(fails(`Run this in your terminal.\n${fence}bash\nnpm start\n${fence}\n`.repeat(12))).toBe(true);
  });

  it('should stop a sentence looping with a block that only counts along, as a sentence counting along is (from its 50th time)', () => {
    const unit = (i: number) => `Let me run the build again with a fresh cache this time.\n${fence}bash\nnpm run build -- --attempt ${i}\n${fence}\n`;
    // numbers of two digits throughout (a number's digit count is part of its key)
    const loop = (n: number) => Array.from({ length: n }, (_, i) => unit(i + 10)).join('');
    // the 50th block counting along is a repeat; the sentence then needs its 3 times after the last new block
    expect(fails(loop(51))).toBe(false);
    expect(fails(loop(52))).toBe(true);
    // a block whose number does not count along stays a new one
    expect(fails(Array.from({ length: 60 }, (_, i) => unit(i * 2 + 10)).join(''))).toBe(false);
  });

  it('should still stop a sentence looping with blocks seen before whose numbers take turns (`--shard 1/2`, `--shard 2/2`, again)', () => {
    const unit = (i: number) => `Let me run the whole test suite again on both shards to be sure.\n${fence}bash\nnpm test -- --shard ${i}/2 --reporter verbose\n${fence}\n`;
    const loop = (n: number) => Array.from({ length: n }, (_, i) => unit((i % 2) + 1)).join('');
    expect(2 * unit(1).length).toBeGreaterThan(160); // past the tail check's longest unit: the sentences decide
    // each block is new once; seen before with the same number, it adds nothing: the sentence's 3 times after them loop
    expect(fails(loop(4))).toBe(false);
    expect(fails(loop(5))).toBe(true);
  });

  it('should count a new block as new whatever its number (the largest 32-bit one, 4294967295, too)', () => {
    const block = (cmd: string) => `${fence}bash\n${cmd}\n${fence}\n\n`;
    const same = 'Each one prints the same number, the largest unsigned 32-bit value.\n';
    const answer = (n: number) => `Three ways to print it.\n\n${[`printf '%u\\n' ${n}`, `echo $((${n}))`, `node -p ${n}`].map((c) => `${same}${block(c)}`).join('')}All three agree.`;
    // three different blocks between the sentence's times: no loop, for any number they hold
    for (const n of [4294967294, 4294967295, 8589934591]) expect(fails(answer(n)), `${n}`).toBe(false);
    // the same block each time is a loop by the sentence's 4th time, as with any other number
    const loop = (n: number) => `${same}${block(`node -p ${n}`)}`.repeat(4);
    for (const n of [7, 4294967295]) expect(fails(loop(n)), `${n}`).toBe(true);
  });

  it('should give the same verdict for every split of the text in two (a fence line cut anywhere)', () => {
    const loop = 'I will keep saying the same thing again. '.repeat(4);
    for (const [s, verdict] of [[`${fence}js\nconst a = 1;\n  ${fence}\n\n${loop}`, true], [`Code:\n ${fence}\n${loop}`, false]] as const) {
      for (let i = 1; i < s.length; i++) {
        const r = runSync(text(s.slice(0, i), s.slice(i)), detectDrift({ action: 'retry', types: ['repetition'] }));
        expect(r.error !== undefined, `split at ${i}`).toBe(verdict);
      }
    }
  });
});
