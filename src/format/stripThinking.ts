/** The thinking tags recognised (case-insensitive): `<think>`, `<thinking>`, `<thought>`, `<reasoning>`. */
export const THINKING_TAGS: readonly string[] = /*#__PURE__*/ Object.freeze(['think', 'thinking', 'thought', 'reasoning']);

const NAMES = 'think|thinking|thought|reasoning';
const BLOCK = /*#__PURE__*/ new RegExp(`<(${NAMES})>[\\s\\S]*?</\\1>\\s*`, 'gi');
const UNCLOSED = /*#__PURE__*/ new RegExp(`<(?:${NAMES})>[\\s\\S]*$`, 'i');
const ORPHAN_CLOSE = /*#__PURE__*/ new RegExp(`^[\\s\\S]*?</(?:${NAMES})>\\s*`, 'i');
const ANY_OPEN = /*#__PURE__*/ new RegExp(`<(?:${NAMES})>`, 'i');

/**
 * Removes thinking blocks from a model's answer: `<think>…</think>` and its variants (see
 * {@link THINKING_TAGS}), a block left open at the end (a cut answer), and text before a closing
 * tag that has no opening one (templates that open `<think>` for the model). Whitespace right after
 * a block goes with it. To move thinking into `reasoning` events while streaming, see
 * {@link splitThinking}.
 *
 *   '<think>2+2…</think>\n4'   ->  '4'
 *   'The answer <think>hm'     ->  'The answer '
 *
 * @example
 * import { stripThinking } from 'l0-rx';
 * stripThinking('<thinking>Let me see.</thinking>Paris'); // 'Paris'
 */
export function stripThinking(text: string): string {
  const closeAt = text.search(new RegExp(`</(?:${NAMES})>`, 'i'));
  const openAt = text.search(ANY_OPEN);
  const rest = closeAt !== -1 && (openAt === -1 || closeAt < openAt) ? text.replace(ORPHAN_CLOSE, '') : text;
  return rest.replace(BLOCK, '').replace(UNCLOSED, '');
}
