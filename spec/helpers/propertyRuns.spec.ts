import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runs, runsFactor, runsTimeout } from './propertyRuns.js';

/** Every .ts file under spec/. */
function specFiles(dir = 'spec'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? specFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the property run count (spec/helpers/propertyRuns.ts)', () => {
  it('should read L0_PROPERTY_RUNS as one factor of every run count, 1 when unset', () => {
    expect([undefined, '', ' '].map((v) => runsFactor(v))).toEqual([1, 1, 1]);
    expect(runsFactor('3')).toBe(3);
    expect(runsFactor('1.5')).toBe(1.5);
    expect([runs(300, 3), runs(100, 3), runs(50, 1.5), runs(3, 1)]).toEqual([900, 300, 75, 3]);
  });

  it('should refuse a value that is no factor, naming the variable and the value', () => {
    for (const bad of ['300', '0.5', '0', '-1', 'many', 'Infinity', 'NaN']) {
      expect(() => runsFactor(bad)).toThrow(new TypeError(`L0_PROPERTY_RUNS must be a factor of every property's own run count, from 1 to 50 (3 draws three times the inputs), got ${JSON.stringify(bad)}`));
    }
  });

  it('should lengthen a timeout with the factor', () => {
    expect([runsTimeout(20_000, 10), runsTimeout(20_000, 1), runsTimeout(120_000, 1.5)]).toEqual([200_000, 20_000, 180_000]);
  });

  it('should give a property that names no run count fast-check\'s 100, scaled', () => {
    expect(fc.readConfigureGlobal().numRuns).toBe(runs(100));
  });

  it('should leave no spec with a run count that L0_PROPERTY_RUNS does not scale', () => {
    // these three read the variable or draw a fixed 20 inputs on purpose (the seed's own spec)
    const exempt = new Set(['propertyRuns.ts', 'propertyRuns.spec.ts', 'propertySeed.spec.ts'].map((f) => join('spec', 'helpers', f)));
    const unscaled = specFiles()
      .filter((file) => !exempt.has(file))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (/numRuns\s*[:=]\s*(?:\d|Number\(|process\.env)|env\[.L0_PROPERTY_RUNS/.test(line) ? [`${file}:${i + 1}`] : [])));
    expect(unscaled).toEqual([]);
    expect(specFiles().length).toBeGreaterThan(100);
  });
});
