// @ts-check
// The browser suite: the built Angular app in headless Chromium (Debian's, driven by playwright-core)
// against the real chat backend and the fault server. Every check waits on the rendered DOM (with a
// timeout), never on a sleep. On a failure: a screenshot and the page's HTML in e2e/artifacts/.
//   npm run build && npm run e2e        (in examples/angular; Node 22 from its own node_modules)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { FAULT_SERVER_DEFAULTS } from 'l0-rx/testing';
import { startStack } from './stack.mjs';
import { assert, assertEqual, recordAnswerText, ARTIFACTS, CHROMIUM } from './support.mjs';

const REPLY = FAULT_SERVER_DEFAULTS.reply;
const WAIT = { timeout: 15_000 };

/** @typedef {Awaited<ReturnType<typeof startStack>>} Stack */
/** @typedef {{ page: import('playwright-core').Page, stack: Stack, pageErrors: string[] }} Ctx */

/** Types `question` and submits it. @param {import('playwright-core').Page} page @param {string} question */
async function ask(page, question) {
  await page.getByLabel('Question').fill(question);
  await page.getByRole('button', { name: 'Ask' }).click();
}

/**
 * Asks, then waits for the answer to this question to end (the app marks its view with the
 * question: a status left from an earlier question never counts) and checks it ended as `status`.
 * @param {import('playwright-core').Page} page @param {string} question @param {'complete' | 'error'} status
 */
async function askAndSettle(page, question, status) {
  await ask(page, question);
  await settle(page, question, status);
}

/** @param {import('playwright-core').Page} page @param {string} question @param {'complete' | 'error'} status */
async function settle(page, question, status) {
  const q = JSON.stringify(question);
  const main = await page.waitForSelector(`main[data-question=${q}]:is([data-status="complete"], [data-status="error"])`, WAIT);
  const ended = await main.getAttribute('data-status');
  const error = ended === 'error' ? `: ${await text(page, 'error')}` : '';
  assertEqual(ended, status, `the run ended${error}; status`);
}
/** @param {import('playwright-core').Page} page @param {string} testId */
const text = (page, testId) => page.getByTestId(testId).innerText();
/** @param {import('playwright-core').Page} page @param {string} kind */
const notes = (page, kind) => page.locator(`[data-testid="notes"] li[data-kind="${kind}"]`).allInnerTexts();
/** The answer's text at every render, in order (recorded in the page by a MutationObserver). @param {import('playwright-core').Page} page */
const history = (page) => page.evaluate(() => /** @type {string[]} */ (/** @type {any} */ (window).__answers));

/** Whether the text ever got shorter after `from` was shown: a retraction on screen. @param {string[]} shown @param {string} from */
const shrankAfter = (shown, from) => shown.indexOf(from) >= 0 && shown.slice(shown.indexOf(from) + 1).some((t) => t.length < from.length);
/** How many times the text got shorter: one per retraction on screen. @param {string[]} shown */
const shrinks = (shown) => shown.filter((t, i) => i > 0 && t.length < (shown[i - 1] ?? '').length).length;

/** Waits (polling, with a deadline) for a condition outside the page, such as the fault server's view of a request. @param {() => boolean} ok @param {string} what */
async function eventually(ok, what, timeoutMs = WAIT.timeout) {
  for (const deadline = performance.now() + timeoutMs; !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
  }
}

/** Every text the page ever showed was a prefix of the clean reply: nothing duplicated, nothing foreign, at any moment. */
async function onlyPrefixesShown(/** @type {import('playwright-core').Page} */ page) {
  const shown = await history(page);
  const wrong = shown.filter((t) => !REPLY.startsWith(t));
  assertEqual(wrong, [], 'texts shown that are not a prefix of the clean reply');
  return shown;
}

/** @type {Array<[string, (ctx: Ctx) => Promise<void>]>} */
const scenarios = [
  ['a clean answer streams in live and completes', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'gpt-4o-mini' });
    assertEqual(await page.evaluate(() => 'Zone' in window), false, 'zone.js loaded (the app is zoneless)');
    // the backend answers 500 ms late: the page says it is connecting to this question meanwhile
    await page.route('**/chat/**', (route) => new Promise((r) => setTimeout(r, 500)).then(() => route.continue()), { times: 1 });
    await ask(page, 'Tell me about the fox');
    await page.waitForSelector('main[data-question="Tell me about the fox"][data-status="connecting"]', WAIT);
    assertEqual(await page.getByRole('status').innerText(), 'Connecting…', 'the status (a live region) while connecting');
    assertEqual(await page.getByTestId('answer').getAttribute('aria-busy'), 'true', 'aria-busy while the answer is not final');
    await settle(page, 'Tell me about the fox', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the answer');
    assert((await page.getByRole('status').innerText()).startsWith('Complete: attempt 1, primary model'), `status: ${await text(page, 'status')}`);
    assertEqual(await page.getByTestId('answer').getAttribute('aria-busy'), 'false', 'aria-busy once the answer is final');
    const shown = (await onlyPrefixesShown(page)).filter((t) => t !== '' && t !== REPLY);
    assert(shown.length >= 3, `tokens rendered live: expected 3 or more partial texts, saw ${JSON.stringify(shown)}`);
    assertEqual(faults.requests.length, 1, 'model requests');
    // the live region changed once per phase, never per token
    const statuses = await page.evaluate(() => /** @type {string[]} */ (/** @type {any} */ (window).__statuses));
    assertEqual(statuses, ['Ask something.', 'Connecting…', 'Streaming: attempt 1, primary model', 'Complete: attempt 1, primary model, 9 tokens'], 'status lines announced');
  }],

  ['a failed attempt is retracted from the page, then the retry completes', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'fault:cut-after-n:4*1' }); // the first request dies after 4 words
    await askAndSettle(page, 'Tell me about the fox', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the answer');
    const shown = await onlyPrefixesShown(page);
    const firstAttempt = REPLY.split(' ').slice(0, 4).join(' ');
    assert(shrankAfter(shown, firstAttempt), `the failed attempt's text was shown, then shrank (retracted): ${JSON.stringify(shown)}`);
    assertEqual(await notes(page, 'retry'), ['Attempt 1 failed (4 tokens retracted); retrying'], 'retry notes');
    assert((await text(page, 'status')).startsWith('Complete: attempt 2, primary model'), `status: ${await text(page, 'status')}`);
    assertEqual(faults.requests.map((r) => r.fault ?? 'clean'), ['cut-after-n', 'clean'], 'model requests');
  }],

  ['a model that keeps failing falls back to the next one', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'fault:cut-after-n:2', fallbackModels: ['gpt-4o-mini'] });
    await askAndSettle(page, 'Tell me about the fox', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the answer');
    const shown = await onlyPrefixesShown(page);
    assertEqual(shrinks(shown), 4, `retractions on screen (3 retries and a fallback) in ${JSON.stringify(shown)}`);
    assert((await text(page, 'status')).includes('fallback model 1'), `status: ${await text(page, 'status')}`);
    // the backend's l0() retries a network failure 3 times (maxRetries: 3), then falls back
    assertEqual(await notes(page, 'retry'), [1, 2, 3].map((n) => `Attempt ${n} failed (2 tokens retracted); retrying`), 'retry notes');
    assertEqual(await notes(page, 'fallback'), ['Model 1 gave up (2 tokens retracted); falling back to model 2'], 'fallback notes');
    assertEqual(faults.requests.map((r) => r.model), [...Array(4).fill('fault:cut-after-n:2'), 'gpt-4o-mini'], 'model requests');
  }],

  ['a connection dropped mid-answer resumes with Last-Event-ID, with no text repeated', async ({ page, stack, pageErrors }) => {
    const faults = await stack.use({ model: 'gpt-4o-mini' });
    stack.dropNextConnectionAfter(4); // start + 3 tokens reach the browser, then the socket dies
    // the reconnection (it sends Last-Event-ID) is answered 500 ms late: the page says it is reconnecting meanwhile
    await page.route('**/chat/**', async (route) => {
      if (route.request().headers()['last-event-id'] !== undefined) await new Promise((r) => setTimeout(r, 500));
      await route.fallback();
    });
    await ask(page, 'Tell me about the fox');
    const reconnecting = page.getByRole('status').getByText(/^Reconnecting: the connection dropped after event [1-9]\d*; resuming from there$/);
    await reconnecting.waitFor(WAIT);
    assertEqual(await page.getByTestId('answer').getAttribute('aria-busy'), 'true', 'aria-busy while reconnecting');
    await settle(page, 'Tell me about the fox', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the answer (once, not twice)');
    const shown = await onlyPrefixesShown(page);
    assert(shown.some((t) => t !== '' && t !== REPLY), `part of the answer was shown before the drop: ${JSON.stringify(shown)}`);
    const resumed = await notes(page, 'resumed');
    assert(resumed.length === 1 && /^Connection lost after event [1-9]\d*; resuming from there$/.test(resumed[0] ?? ''), `resume note: ${JSON.stringify(resumed)}`);
    assertEqual(await notes(page, 'retry'), [], 'retries (a dropped connection to the backend is not a failed attempt)');
    assertEqual(faults.requests.length, 1, 'model requests (the backend run was resumed, not restarted)');
    const statuses = await page.evaluate(() => /** @type {string[]} */ (/** @type {any} */ (window).__statuses));
    assertEqual(statuses.filter((t) => !t.startsWith('Reconnecting')), ['Ask something.', 'Connecting…', 'Streaming: attempt 1, primary model', 'Complete: attempt 1, primary model, 9 tokens'], 'status lines announced');
    assertEqual(statuses.filter((t) => t.startsWith('Reconnecting')).length, 1, `reconnections announced in ${JSON.stringify(statuses)}`);
    // the browser itself saw the connection break (and logged it): expected here, nowhere else
    const dropped = pageErrors.findIndex((m) => m.includes('ERR_INCOMPLETE_CHUNKED_ENCODING'));
    assert(dropped >= 0, `the browser saw the connection drop: ${JSON.stringify(pageErrors)}`);
    pageErrors.splice(dropped, 1);
  }],

  ['a new question mid-answer aborts the previous answer, down to its model request', async ({ page, stack }) => {
    // the first model request stalls after 2 words; the backend keeps a run 300 ms after its client left
    const faults = await stack.use({ model: 'fault:stall:2*1', keepAliveMs: 300 });
    await ask(page, 'Tell me about the fox');
    await page.getByTestId('answer').getByText('The quick', { exact: true }).waitFor(WAIT);
    await askAndSettle(page, 'And the dog?', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the second answer');
    assertEqual(await notes(page, 'retry'), [], 'retries');
    // well before the backend's 10 s inter-token timeout, which would abort the stalled request too
    await eventually(() => faults.requests[0]?.closedByClient === true, 'the first answer\'s model request was aborted (closedByClient)', 3_000);
    assertEqual(faults.requests.map((r) => r.fault ?? 'clean'), ['stall', 'clean'], 'model requests');
  }],

  ['a double-submit streams one answer, never two at once', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'gpt-4o-mini', keepAliveMs: 300 });
    await page.getByLabel('Question').fill('Tell me about the fox');
    await page.getByRole('button', { name: 'Ask' }).dblclick();
    await settle(page, 'Tell me about the fox', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the answer (once)');
    await onlyPrefixesShown(page);
    assertEqual(await notes(page, 'retry'), [], 'retries');
    // measured: the resource sees only the second question (both clicks land before its effect runs), so
    // there is one model request; were there two, the first must be aborted
    await eventually(() => faults.requests.slice(0, -1).every((r) => r.closedByClient === true), 'every model request but the last was aborted', 3_000);
    assertEqual(faults.requests.at(-1)?.closedByClient, false, 'the answer\'s own model request (not aborted)');
  }],

  ['an answer the content filter stopped is shown as cut short, not as complete', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'fault:content-filter:3' }); // 3 words, then finish_reason 'content_filter'
    await askAndSettle(page, 'Tell me about the fox', 'complete');
    assertEqual(await text(page, 'answer'), 'The quick brown', 'the text the model sent');
    assertEqual(await text(page, 'status'), 'Cut short: the content filter stopped the model (attempt 1, primary model, 3 tokens)', 'status');
    assertEqual(await page.getByTestId('answer').getAttribute('class'), 'answer cut-short', 'the answer marked as cut short');
    assertEqual(await notes(page, 'retry'), [], 'retries (a filtered answer is not a failed attempt)');
    assertEqual(faults.requests.length, 1, 'model requests');
  }],

  ['a run that gives up shows its last attempt as failed, not as an answer', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'fault:cut-after-n:2' }); // no fallback: 3 retries, then the error
    await askAndSettle(page, 'Tell me about the fox', 'error');
    assertEqual(await text(page, 'answer'), 'The quick', 'the failed attempt\'s text');
    assertEqual(await page.getByTestId('answer').getAttribute('class'), 'answer failed', 'the answer marked as failed');
    assertEqual(await text(page, 'status'), 'Failed: the text shown is an incomplete attempt, not an answer', 'status');
    const alert = await page.getByRole('alert').innerText();
    assert(alert.startsWith('INCOMPLETE_STREAM:'), `the error alert names the cut stream: ${alert}`);
    assertEqual((await notes(page, 'retry')).length, 3, 'retry notes');
    assertEqual(faults.requests.length, 4, 'model requests');
  }],

  ['a failure is shown as an error state, and the next question still works', async ({ page, stack }) => {
    const faults = await stack.use({ model: 'fault:auth-401' });
    await askAndSettle(page, 'Tell me about the fox', 'error');
    const error = await text(page, 'error');
    assert(/AUTH|401/.test(error), `the error names the failure: ${error}`);
    assertEqual(await text(page, 'status'), 'Failed', 'status');
    assertEqual(faults.requests.length, 1, 'model requests (a 401 is not retried)');
    await stack.use({ model: 'gpt-4o-mini' });
    await askAndSettle(page, 'And now?', 'complete');
    assertEqual(await text(page, 'answer'), REPLY, 'the next answer');
    assertEqual(await page.getByTestId('error').count(), 0, 'error element after a good answer');
  }],
];

async function main() {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  const stack = await startStack({ tokenDelayMs: 40 });
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const version = browser.version();
  let failed = 0;
  const started = performance.now();
  try {
    for (const [name, run] of scenarios) {
      const context = await browser.newContext();
      const page = await context.newPage();
      /** @type {string[]} */
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
      await recordAnswerText(page);
      const t0 = performance.now();
      try {
        await page.goto(stack.url, WAIT);
        await page.getByText('Ask something.').waitFor(WAIT);
        await run({ page, stack, pageErrors });
        assertEqual(pageErrors, [], 'errors in the page console (a thrown signal read would show here)');
        console.log(`ok - ${name} (${Math.round(performance.now() - t0)} ms)`);
      } catch (e) {
        failed++;
        const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: `${ARTIFACTS}/${slug}.png`, fullPage: true }).catch(() => undefined);
        writeFileSync(`${ARTIFACTS}/${slug}.html`, await page.content().catch((err) => String(err)));
        console.log(`not ok - ${name}\n  ${String(e instanceof Error ? e.message : e).replaceAll('\n', '\n  ')}\n  page errors: ${JSON.stringify(pageErrors)}\n  saved: ${ARTIFACTS}/${slug}.png, .html`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await stack.close();
  }
  const total = scenarios.length;
  console.log(`browser suite: ${total - failed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(1)} s, Chromium ${version}, Node ${process.version})`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
