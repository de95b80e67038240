/** @test {detectDrift} */
import { describe, expect, it } from 'vitest';
import { detectDrift, type L0Event } from 'l0-rx';
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
});
