/* The fault grammar and plans live in src/chaos/faults.ts (shared with the root entry's injectFaults); the
   server's planner reads the wall clock here, as only l0-rx/testing may. */
import { MAX_DELAY_MS, planFaultAt, type FaultPlan, type FaultSpec } from '../chaos/faults.js';

export { FAULT_NAMES, MAX_DELAY_MS, parseFaultHeader, parseFaultModel } from '../chaos/faults.js';
export type { FaultName, FaultPlan, FaultSpec, OpenAIFinishReason, StreamPart } from '../chaos/faults.js';

/**
 * @internal The plan for a request, `rate-limit-date` dated from the wall clock (see {@link planFaultAt}), its
 * first-token delay capped at {@link MAX_DELAY_MS} (a real wait; injectFaults waits the whole on its scheduler).
 */
export function planFault(spec: FaultSpec | undefined, reply: string, requestNumber: number): FaultPlan {
  const plan = planFaultAt(spec, reply, requestNumber, Date.now());
  return plan.kind === 'stream' && plan.firstDelayMs! > MAX_DELAY_MS ? { ...plan, firstDelayMs: MAX_DELAY_MS } : plan;
}
