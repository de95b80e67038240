// @ts-check
// Small helpers of the browser suite: assertions with readable messages, where failure artifacts
// go, which Chromium runs, and the recorder of every text the answer element showed.
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';

/** Screenshots and HTML of failed scenarios. */
export const ARTIFACTS = fileURLToPath(new URL('./artifacts', import.meta.url));
/** Debian's chromium (apt); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** @param {unknown} ok @param {string} message @returns {asserts ok} */
export function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/** @template T @param {T} actual @param {T} expected @param {string} what */
export function assertEqual(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/**
 * Records in `window.__answers` each text the answer element showed, in order (after every DOM
 * change), so a scenario checks what was on screen at each moment (a retraction, a duplicate)
 * after the fact; and in `window.__statuses` each text of the status line (a live region: what a
 * screen reader announced).
 * @param {import('playwright-core').Page} page
 */
export async function recordAnswerText(page) {
  await page.addInitScript(() => {
    /** @type {string[]} */
    const answers = [];
    /** @type {string[]} */
    const statuses = [];
    Object.assign(window, { __answers: answers, __statuses: statuses });
    /** @param {string[]} shown @param {string} testId */
    const record = (shown, testId) => {
      const text = document.querySelector(`[data-testid="${testId}"]`)?.textContent;
      if (typeof text === 'string' && text !== shown.at(-1)) shown.push(text);
    };
    new MutationObserver(() => {
      record(answers, 'answer');
      record(statuses, 'status');
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}
