/* l0-rx/testing: scripted fake models, a fault-injecting OpenAI-compatible server and marble helpers.
   The only entry point allowed to use node:* modules and real time. Explicit named exports only. */

/* Fake models */
export { fakeModel } from './fakeModel.js';
export type { FakeAttempt, FakeModel, FakeModelCall, FakeModelOptions } from './fakeModel.js';
export type { FakeItem, FakeScript, FakeToolCall } from './fakeScript.js';
export type { FakeMarbleValues } from './parseFakeMarbles.js';

/* Fake errors */
export { fakeError } from './fakeError.js';
export type { FakeApiError, FakeErrorSpec, FakeHttpErrorSpec, FakeNetworkCode } from './fakeError.js';

/* Fault server */
export { startFaultServer } from './faultServer.js';
export type { FaultRequest, FaultRoute, FaultServer } from './faultServer.js';
export { FAULT_SERVER_DEFAULTS } from './faultServerOptions.js';
export type { FaultServerOptions } from './faultServerOptions.js';
export { FAULT_NAMES, parseFaultModel } from './faults.js';
export type { FaultName, FaultSpec } from './faults.js';

/* Marble helpers */
export { createTestScheduler } from './createTestScheduler.js';
