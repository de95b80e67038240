import { expect } from 'vitest';

/**
 * Compares marble frames like rxjs's own spec helper, except that errors are compared by
 * `name`, `code` and `message` (never by stack or identity), so `toBe('#', undefined, err)`
 * works with our error classes. An expected error may also be an asymmetric matcher.
 */
export function observableMatcher(actual: unknown, expected: unknown): void {
  expect(normalize(actual)).toEqual(normalize(expected));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Error) return errorShape(value);
  if (value && typeof value === 'object' && !isAsymmetric(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
    return out;
  }
  return value;
}

function isAsymmetric(value: object): boolean {
  return typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function';
}

/** The parts of an error a spec may compare. */
export function errorShape(e: Error): { name: string; code: unknown; message: string } {
  return { name: e.name, code: (e as { code?: unknown }).code, message: e.message };
}
