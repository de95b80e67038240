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

describe('integration coverage', () => {
  it.each(FAULT_NAMES)('should drive fault %s through l0() with the openai SDK', (name) => {
    expect(openaiSpecs).toMatch(new RegExp(`'fault:${name}[:*']`));
  });
});
