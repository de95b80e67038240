/** @test {consensus} */
import { describe, expect, it } from 'vitest';
import { consensus, StreamAbortedError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = { x: { type: 'complete', finishReason: 'stop' } as L0Event };

describe('consensus with a source that aborted itself', () => {
  it('should keep the source\'s own StreamAbortedError, not report a timeout', () => {
    let result: any;
    const aborted = new StreamAbortedError('The stream was aborted');
    testScheduler().run(({ cold, flush }) => {
      const ans = () => cold('-(ax|)', { a: { type: 'token', value: 'Paris' } as L0Event, x: values.x });
      consensus([ans(), ans(), cold<L0Event>('-#', undefined, aborted)]).subscribe((r) => (result = r));
      flush();
    });
    expect(result.outputs[2].error).toBe(aborted);
  });
});
