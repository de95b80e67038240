import { it } from 'vitest';
import { classifyError } from 'l0-rx';
import { fakeError } from 'l0-rx/testing';
import { toL0Error } from '../../src/errors/normalizeError.js';
it('x', () => {
  for (const m of ['Connection reset by peer', 'getaddrinfo ENOTFOUND', 'request timed out', 'SSL certificate problem: self signed certificate', 'Invalid JSON', 'Schema validation failed']) {
    console.log(m, classifyError(new Error(m)), toL0Error(new Error(m)).name);
  }
  console.log(classifyError(new TypeError('Failed to fetch')));
  const e = toL0Error(fakeError({network: 'ECONNRESET'})) as any;
  console.log(e.name, e.code, e.category, e.reason, e.message);
  for (const c of ['ECONNREFUSED','ENOTFOUND']) console.log(c, classifyError(fakeError({network: c})));
  for (const s of [401,403,429,500,503]) console.log(s, classifyError(fakeError({status: s})));
});
