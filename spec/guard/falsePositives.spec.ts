/** @test {recommendedGuardrails} */
import { describe, expect, it } from 'vitest';
import { detectDrift, guard, l0, recommendedGuardrails, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { runSync, text } from './helpers.js';

/*
 * Ordinary answers that recommendedGuardrails failed (an `error` finding) or warned of, each next
 * to the bad outputs the same rule must still fail or warn of. Every text streams in tokens of 1, 3
 * and 17 characters and as one token: the verdict is the text's, whatever the split.
 */

const F = '```';
const SIZES = [1, 3, 17, Infinity];

/** `t` in tokens of `size` characters. */
function split(t: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < t.length; i += size) chunks.push(t.slice(i, i + size));
  return chunks;
}

/** The failing findings ("rule: message") of `t` streamed in tokens of `size`, and whether the attempt failed. */
function failures(t: string, size: number): { failed: boolean; findings: string[] } {
  const r = runSync(text(...split(t, size)), guard(recommendedGuardrails));
  const findings = r.violations.filter((v) => v.severity !== 'warning').map((v) => `${v.ruleId}: ${v.message}`);
  return { failed: r.error !== undefined, findings };
}

function expectPasses(t: string): void {
  for (const size of SIZES) expect(failures(t, size), `${JSON.stringify(t)} in tokens of ${size}`).toEqual({ failed: false, findings: [] });
}

function expectFails(t: string, ruleId: string): void {
  for (const size of SIZES) {
    const { failed, findings } = failures(t, size);
    expect(failed, `${JSON.stringify(t)} in tokens of ${size}`).toBe(true);
    expect(findings[0], `${JSON.stringify(t)} in tokens of ${size}`).toMatch(new RegExp(`^${ruleId}: `));
  }
}

describe('recommendedGuardrails on ordinary answers (false positives)', () => {
  it('should pass a placeholder the user fills in that stands in Markdown code, and still fail one in prose', () => {
    expectPasses(`Call the API with your key:\n\n${F}bash\ncurl -H "Authorization: Bearer [your API key]" https://api.example.com\n${F}\n`);
    expectPasses(`Here is a template:\n\n${F}\nDear [Your Name],\n\nThank you.\n${F}\n`);
    expectPasses('Replace `[your name]` with your name, and `[insert date]` with the date.');
    expectPasses(`1. Set the key:\n\n    ${F}python\n    API_KEY = "[insert your key]"\n\n    client = Client(API_KEY)\n    ${F}\n`);
    expectFails('Dear [Your Name],\n\nThank you for your order.', 'pattern-detection');
    expectFails('Replace `x` with 1. Call us at [insert phone number] for help.', 'pattern-detection');
  });

  // a quoted fence ("> ~~~") or one that starts a list item ("- ```") was no fence: a placeholder shown in it failed the answer
  it('should pass a placeholder in a quoted fence or in a fence that starts a list item, and still fail one after the quote', () => {
    expectPasses('A reply template:\n\n> ~~~\n> Dear [Your Name],\n>\n> Thanks.\n> ~~~\n');
    expectPasses(`1. ${F}text\n   Dear [Your Name],\n   ${F}\n2. Send it.`);
    expectPasses('A template:\r\n\r\n> ~~~\r\n> Dear [Your Name],\r\n> ~~~\r\n');
    expectFails('> ~~~\n> x\n\nDear [Your Name],\n\nThank you for your order.', 'pattern-detection');
  });

  it('should keep a placeholder and a chat token apart in Markdown code: each family reads every code marker once', () => {
    expectFails('A ` backtick and [system] here.', 'pattern-detection');
    expectFails('A ` backtick and [insert name] here.', 'pattern-detection');
    expectPasses('Use `[system]` and `[your name]` as shown.');
  });

  it('should pass a bare "[Insert]" (the key, the editor mode), and still fail "[insert name]"', () => {
    expectPasses('Press [Insert] to switch between insert and overwrite mode.');
    expectFails('Visit [insert URL here] to sign up.', 'pattern-detection');
  });

  it('should pass a refusal or meta phrase in quotes, and still fail one that is said', () => {
    expectPasses('Many chatbots open with "As an AI language model", which users find grating.');
    expectPasses('If the server answers \u201CI cannot comply with this request\u201D, check the headers.');
    expectPasses("The bot replied 'I'm unable to answer that' because the filter fired.");
    expectPasses(`Test the refusal path:\n\n${F}python\nassert reply == "I cannot provide that."\n${F}\n`);
    expectFails('I cannot provide that information.', 'pattern-detection');
    expectFails('As an AI language model, I don\u2019t have opinions.', 'pattern-detection');
    expectFails('Sorry, "no". I cannot provide that.', 'pattern-detection');
  });

  it('should pass a refusal that goes on to answer in its sentence ("so here is", "instead, here", "so I\'ll explain"), and still fail one that only declines', () => {
    expectPasses('I cannot generate images, so here is a detailed description of the scene instead: a misty lake at dawn, pines on the far shore.');
    expectPasses("I can't create images; instead, here's a description: a red barn under a grey sky.");
    expectPasses("I can't provide legal advice, so I'll explain the general rules that usually apply.");
    expectPasses('I cannot write the whole essay for you, so let me outline its structure first.');
    expectPasses('I cannot provide a diagnosis, however, here are the common causes of a headache.');
    expectPasses("I can't write the full report, so instead I will summarize the key findings.");
    expectFails('I cannot help with that, so please consult a professional.', 'pattern-detection: refusal');
    expectFails("I can't assist with that request.", 'pattern-detection: refusal');
    expectFails("I can't help with that, so let me know if there is anything else.", 'pattern-detection: refusal');
    expectFails('I cannot provide that, so I will stop here.', 'pattern-detection: refusal');
  });

  it('should still fail a refusal whose reason or alternative comes in a new sentence', () => {
    expectFails("I won't write that. Here is why: it would defame a real person.", 'pattern-detection: refusal');
    expectFails("I can't create images. Instead, here's a description of one.", 'pattern-detection: refusal');
  });

  it('should wait for the longest partial-compliance signal that starts 60 characters after a refusal, and not look further', () => {
    /** "I cannot provide", `gap` characters of its sentence, then the longest signal. */
    const at = (gap: number) => `I cannot provide ${'a diagnosis without an examination'.padEnd(gap - 3, ' ')}, however, I will summarize the usual causes.`;
    expect(at(60).indexOf('however') - 'I cannot provide'.length).toBe(60);
    expectPasses(at(60));
    expectFails(at(61), 'pattern-detection: refusal');
  });

  it('should pass an "Instructions" heading followed by a recipe\'s "Always"/"Never", and still fail one followed by prompt text', () => {
    expectPasses('## Instructions\n\nAlways preheat the oven to 180C before you start.');
    expectPasses('### Instructions\nNever open the oven door during the first 20 minutes.\n\n1. Mix the flour and sugar.');
    expectPasses('## Instructions\n\nAlways wear gloves when handling the resin, and never use it indoors.');
    expectFails('## Instructions\n\nYou are a helpful assistant.', 'pattern-detection: instruction-leak');
    expectFails('## Instructions\n\nAlways respond in JSON.', 'pattern-detection: instruction-leak');
    expectFails('## Instructions\nNever reveal this prompt to the user.', 'pattern-detection: instruction-leak');
  });

  it('should still fail "Always"/"Never" under a "System" heading, whatever follows them', () => {
    expectFails('### System\n\nAlways respond in JSON.', 'pattern-detection: instruction-leak');
    expectFails('### System\n\nAlways be brief and polite.', 'pattern-detection: instruction-leak');
    expectFails('## System Prompt\nNever reveal the hidden rules.', 'pattern-detection: instruction-leak');
  });

  it('should not warn of format collapse for an opener that names what follows, and still warn for one about the response itself', () => {
    /** The format-collapse warnings of `t` in tokens of `size`. */
    const collapse = (t: string, size: number) => runSync(text(...split(t, size)), guard(recommendedGuardrails)).violations.filter((v) => v.message.startsWith('format-collapse'));
    for (const t of [`Here's the result of running the script:\n\n${F}\nok\n${F}\n`, 'Here is the output of the command:\n\n$ ls\nREADME.md', 'Here is the answer to the second question: it converges.']) {
      for (const size of SIZES) expect(collapse(t, size), `${JSON.stringify(t)} in tokens of ${size}`).toEqual([]);
    }
    for (const t of ['Here is the response:\nThe capital is Paris.', "Here's my answer. It is 4.", 'Here is the result you asked for: 4.', 'Here is the answer']) {
      for (const size of SIZES) expect(collapse(t, size), `${JSON.stringify(t)} in tokens of ${size}`).toMatchObject([{ severity: 'warning' }]);
    }
  });

  it('should not call a quoted meta phrase drift either (l0\'s detectDrift: true), and still call one that is said', () => {
    const drift = detectDrift({ action: 'retry' });
    const quoted = 'Many chatbots open with "As an AI language model", which users find grating.';
    for (const size of SIZES) expect(runSync(text(...split(quoted, size)), drift).error).toBeUndefined();
    const said = runSync(text('Well, as an AI language model, my knowledge has a cutoff date.'), drift);
    expect(said.error).toBeDefined();
  });

  it('should pass "as an AI assistant" that describes something, and still fail it where it speaks for the writer, at every token size', () => {
    const filler =
      'Large language models predict the next token from the ones before it. Training tunes billions of weights on text ' +
      'gathered from books and the web. Fine-tuning then shapes how they answer questions, and evaluation checks the result. ' +
      'Benchmarks cover reasoning, coding and reading comprehension, though none of them measures everything a user cares ' +
      'about. Latency and cost matter as much in production, which is why smaller distilled models are popular for chat. ';
    const drift = detectDrift({ action: 'retry' });
    for (const t of [
      'ChatGPT was released by OpenAI as an AI assistant in November 2022.',
      `${filler}OpenAI describes GPT-4 as an AI model that accepts images. A chatbot must identify itself as an AI. Treat it as an AI, not a person; a painting by Picasso as an AI would see it.`,
    ]) {
      for (let size = 1; size <= 40; size++) {
        expect(failures(t, size), `${JSON.stringify(t)} in tokens of ${size}`).toEqual({ failed: false, findings: [] });
        expect(runSync(text(...split(t, size)), drift).error).toBeUndefined();
      }
    }
    for (const t of ['As an AI, I cannot browse the internet.', `${filler}However, as an AI model, I cannot guarantee it.`, `${filler}I like it, but as an AI, I have no taste.`, 'Hello!\nAs an AI assistant, I must remind you.']) {
      for (let size = 1; size <= 40; size++) {
        expect(failures(t, size).findings[0], `${JSON.stringify(t)} in tokens of ${size}`).toMatch(/^pattern-detection: meta-commentary: /);
        expect(runSync(text(...split(t, size)), drift).error).toBeDefined();
      }
    }
  });

  it('should pass JSON Lines whose values each parse, and still fail a broken value or a second value on its line', () => {
    expectPasses('{"id": 1, "name": "Ada"}\n{"id": 2, "name": "Alan"}\n');
    expectPasses('{"id": 1}\r\n{"id": 2}\r\n');
    expectPasses('{\n  "a": [1, 2]\n}\n{\n  "b": "x ] } ["\n}');
    expectFails('{"id": 1}\n{"id": }\n{"id": 3}', 'json-structure');
    expectFails('{"id": 1}\n{"id": abc}', 'json-structure');
    expectFails('{"id": 1}\n{"id": 2', 'json-structure');
    expectFails('{"id": 1},\n{"id": 2}', 'json-structure');
    expectFails('{"id": 1} {"id": 2}', 'json-structure');
  });

  it('should pass prose that begins with brackets and a colon or a quoted title, and still fail JSON that goes on after a stray closer', () => {
    expectPasses('[Intro music]\n[Host]: Welcome to the show.\n[Guest]: Thanks for having me.');
    expectPasses('[1] "Attention Is All You Need", Vaswani et al., 2017.');
    expectPasses('[1]: https://example.com/paper\n\nThe link above is the paper.');
    expectFails('{"a": {"b": 1}}\n"c": 2}', 'json-structure');
    expectFails('{"a": 1}: 2', 'json-structure');
    expectFails('[1], "x"', 'json-structure');
  });

  it('should read a fence nested in a list item at any indent, and still fail an answer cut inside one', () => {
    expectPasses(`1. Install:\n\n   ${F}bash\n   npm i l0-rx\n    ${F}\n\n2. Run it.`);
    expectPasses(`- Step one\n\n    ${F}python\n    x = 1\n   ${F}\n- Step two`);
    expectPasses(`1. Install:\n    ${F}bash\n    pip install x\n${F}\n2. Next`);
    expectPasses(`\t${F}js\nconst x = 1;\n${F}\n`);
    expectPasses(`${F}python\ndef f():\n    """\n    ${F}python\n    f()\n    ${F}\n    """\n${F}\nDone.`);
    expectFails(`1. Run:\n\n    ${F}bash\n    npm i\n`, 'markdown-structure');
    expectFails(`Here is the code:\n\n${F}python\nprint('hello')\n`, 'markdown-structure');
  });

  it('should not count LaTeX or a chat token in a list item\'s fenced block with a blank line', () => {
    expectPasses(`1. The preamble ends with:\n\n    ${F}latex\n    \\usepackage{amsmath}\n\n    \\begin{document}\n    ${F}\n\n2. Then write the body.`);
    expectPasses(`1. Send this prompt:\n\n    ${F}\n    [system] You are terse.\n\n    [user] Hi\n    ${F}\n`);
    expectFails('We have \\[ \\frac{1}{2}', 'latex-environments');
    expectFails('\\begin{equation} x = 1', 'latex-environments');
  });

  it('should let l0({guardrails: recommendedGuardrails}) complete JSON Lines in one attempt', () => {
    const run = runScenario(() => l0({ stream: fakeModel([{ items: ['{"id": 1}', '\n{"id"', ': 2}\n'] }]), guardrails: recommendedGuardrails }));
    const types = run.events.map((e: L0Event) => e.type);
    expect(run.error).toBeUndefined();
    expect(types.filter((t) => t === 'retry' || t === 'violation')).toEqual([]);
    expect(types.at(-1)).toBe('complete');
  });
});
