import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** The inputs one property run draws. */
function drawn(): number[][] {
  const seen: number[][] = [];
  fc.assert(fc.property(fc.array(fc.integer()), (xs) => void seen.push(xs)), { numRuns: 20 });
  return seen;
}

describe('the property seed (spec/helpers/propertySeed.ts)', () => {
  const given = process.env['L0_PROPERTY_SEED'];
  if (given === 'random') {
    it('L0_PROPERTY_SEED=random leaves fast-check its random seed: two runs draw other inputs', () => {
      expect(fc.readConfigureGlobal().seed).toBeUndefined();
      expect(drawn()).not.toEqual(drawn());
    });
  } else {
    it('every run of a property draws the same inputs, from the fixed seed or L0_PROPERTY_SEED', () => {
      expect(fc.readConfigureGlobal().seed).toBe(given === undefined || given === '' ? 20_261_207 : Number(given));
      const first = drawn();
      expect(first.some((xs) => xs.length > 0)).toBe(true);
      expect(drawn()).toEqual(first);
    });
  }
});
