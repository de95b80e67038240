/** @test {inOrder} the loop under parallel, sequential, batched and pipeline (internal) */
import { describe, it } from 'vitest';
import { inOrder } from '../../src/multi/runAll.js';
import { testScheduler } from '../helpers/testScheduler.js';

describe('inOrder', () => {
  it('should pass a run\'s error on and start no later run (as concat and mergeMap did), never report it unhandled and go on', () => {
    // runAll's runs catch their errors, a pipeline's step does not in its prelude (a steps array that lost a step after
    // the call): the loop reported that error as unhandled, a throw on a timer, and went on to a success result
    const bad = new Error('bad');
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const runs = [cold('-a|'), cold('-#', undefined, bad), cold('-c|')];
      expectObservable(inOrder(3, (i) => runs[i]!, 1)).toBe('-a-#', undefined, bad);
      expectSubscriptions(runs[1]!.subscriptions).toBe('--^!');
      expectSubscriptions(runs[2]!.subscriptions).toBe([]);
    });
  });
});
