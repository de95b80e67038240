/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift, l0, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario } from '../helpers/runScenario.js';
import { runSync, text } from '../guard/helpers.js';

/*
 * Ordinary answers the detectors took for drift (each failed its attempt under l0({detectDrift: true})),
 * and the drift next to them that must still be found, for every place a token boundary can fall.
 */

const typesIn = (out: readonly L0Event[]) => out.flatMap((e) => (e.type === 'drift' ? e.types : []));
/** The drift types found in `s` streamed as two tokens split at `at`. */
const split = (s: string, at: number) => typesIn(runSync(text(s.slice(0, at), s.slice(at)), detectDrift()).out);
/** The same verdict wherever `s` is split in two, and that verdict. */
function verdict(s: string): string[] {
  const whole = typesIn(runSync(text(s), detectDrift()).out);
  for (let at = 1; at < s.length; at++) expect(split(s, at), `split at ${at}`).toEqual(whole);
  return whole;
}

describe('detectDrift: meta commentary is a self-description or a refusal, not any sentence that starts like one', () => {
  it.each([
    "I'm an AI enthusiast and I build small robots on weekends.",
    'I am an AI researcher at a university lab.',
    'I apologize, but I made an error earlier: the correct value is 42.',
    "I'm sorry, but I think you misread the question; it asks for the median.",
    "I'm sorry, but I believe the meeting moved to Friday.",
  ])('should not find meta commentary in %j', (s) => {
    expect(verdict(s)).toEqual([]);
  });

  it.each([
    "I'm an AI.",
    "I'm an AI and I don't have feelings, but thanks for asking.",
    'I am just an AI language model, so I cannot be sure.',
    "I'm sorry, but I can't help with that.",
    "I'm sorry, but I don't know the answer.",
    'I apologize, but I cannot verify that claim.',
    "I apologize, but I must decline.",
    'As an AI language model, I have no opinions.',
  ])('should still find it in %j', (s) => {
    expect(verdict(s)).toEqual(['meta_commentary']);
  });
});

describe('detectDrift: format collapse is an opener about the response itself, not one that names what follows', () => {
  it.each([
    "Here's the result of running the script:\n\n```\nok\n```",
    'Here is the output of the command:\n\n```\n$ ls\nREADME.md\n```',
    'Here is the answer to the second question: the series converges.',
    'Here is the result from the benchmark: 212 ns per token.',
    "Here's the output for the three inputs, one per line:\n1\n2\n3",
    'Here is your answer key for the quiz, with one line per question.',
  ])('should not find format collapse in %j', (s) => {
    expect(verdict(s)).toEqual([]);
  });

  it.each([
    'Here is the response:\nThe capital is Paris.',
    "Here's my answer. The capital is Paris.",
    'Here you go! The capital is Paris.',
    'Here is the result you asked for: a CSV file.',
    'Here is the response you requested: Paris.',
    "Here's your output, formatted as a table:",
    'Here is the answer for you: 4.',
    'Here is the answer\n4',
    '  Here is my answer',
  ])('should still find it in %j', (s) => {
    expect(verdict(s)).toEqual(['format_collapse']);
  });

  it('should let l0({detectDrift: true}) complete an answer that opens with the output of a command in one attempt', () => {
    const run = runScenario(() => l0({ stream: fakeModel([{ items: ["Here's the result", ' of running the script:\n\n```\nok\n```'] }]), detectDrift: true }));
    const types = run.events.map((e: L0Event) => e.type);
    expect(run.error).toBeUndefined();
    expect(types.filter((t) => t === 'retry' || t === 'drift')).toEqual([]);
    expect(types.at(-1)).toBe('complete');
  });
});

describe('detectDrift: markdown collapse is formatting giving way to a wall of text', () => {
  const rich = Array.from({ length: 12 }, (_, i) => `## Part ${i}\n\n- Install **tool ${i}** first\n- Read [page ${i}](https://example.com/${i})\n\n`).join('').slice(0, 1000);
  const sentence = (i: number) => `Sentence ${i} of the closing discussion weighs one more trade-off of the design in plain words. `;

  it('should not find it in an answer that opens with headings and lists and closes with paragraphs', () => {
    const paragraphs = Array.from({ length: 6 }, (_, p) => Array.from({ length: 3 }, (_, i) => sentence(p * 3 + i)).join('')).join('\n\n');
    expect(paragraphs.length).toBeGreaterThan(1600);
    expect(typesIn(runSync(text(rich, paragraphs), detectDrift()).out)).toEqual([]);
  });

  it('should find it when the same prose comes as one unbroken run of text', () => {
    const wall = Array.from({ length: 18 }, (_, i) => sentence(i)).join('');
    expect(typesIn(runSync(text(rich, wall), detectDrift()).out)).toEqual(['markdown_collapse']);
  });

  it('should not find it in a long key, base64 blob or data URL after the lists: one token, not a wall of text', () => {
    // a fixed pseudo-random base64 run (a loop would be repetition's)
    let seed = 7;
    const b64 = (n: number) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 64]).join('');
    expect(typesIn(runSync(text(rich, `Use this test token: ${b64(1200)}\n\nIt expires in an hour.`), detectDrift()).out)).toEqual([]);
    expect(typesIn(runSync(text(rich, `![logo](data:image/png;base64,${b64(1400)})\n\nThat is the icon.`), detectDrift()).out)).toEqual([]);
    // a wall of Chinese prose has no space, but is prose
    const zh = Array.from({ length: 80 }, (_, i) => `第${i}句话讨论了这个设计的又一个权衡，`).join('');
    expect(zh.length).toBeGreaterThan(1000);
    expect(typesIn(runSync(text(rich, zh), detectDrift()).out)).toContain('markdown_collapse');
  });
});
