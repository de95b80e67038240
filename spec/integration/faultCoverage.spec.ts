/** @test {FAULT_NAMES} */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES } from 'l0-rx/testing';

// Keeps "one test per fault" true: a fault added to the server without an openai integration test fails here.
const dir = fileURLToPath(new URL('.', import.meta.url));
const openaiSpecs = readdirSync(dir)
  .filter((f) => f.startsWith('openai.') && f.endsWith('.spec.ts'))
  .map((f) => readFileSync(`${dir}/${f}`, 'utf8'))
  .join('\n');

// Comments are stripped first, so only a model string in code counts.
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
const code = stripComments(openaiSpecs);
const responsesCode = stripComments(readFileSync(`${dir}/openaiResponses.spec.ts`, 'utf8'));

describe('integration coverage', () => {
  it('should have an openai integration test for every fault the server knows', () => {
    const missing = FAULT_NAMES.filter((name) => !new RegExp(`'fault:${name}[:*']`).test(code));
    expect(missing).toEqual([]);
  });

  it('should have a Responses API integration test for every fault the server knows', () => {
    const missing = FAULT_NAMES.filter((name) => !new RegExp(`'fault:${name}[:*']`).test(responsesCode));
    expect(missing).toEqual([]);
  });
});
