/**
 * The suite runs its spec files in shared module graphs (vitest.config.ts, project `shared`). A file that
 * replaces a module with `vi.mock` would hand its fake to every file after it in the same worker, so such
 * files must be listed in `MOCKING` (project `isolated`, a module graph each). This keeps that list exact.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MOCKING } from '../vitest.config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const specs = (readdirSync(`${root}spec`, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.spec.ts'))
  .map((file) => `spec/${file.split('\\').join('/')}`);
const mocks = (file: string) => /\bvi\s*\.\s*(?:do)?[mM]ock\s*\(/.test(readFileSync(`${root}${file}`, 'utf8'));

describe('vitest projects', () => {
  it('should run every spec file that vi.mocks a module in a module graph of its own, and only those', () => {
    expect(specs.length).toBeGreaterThan(100);
    expect(specs.filter(mocks).sort()).toEqual([...MOCKING].sort());
  });
});
