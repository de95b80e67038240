import { checkText } from '../internal/options.js';

/** The thinking tags recognised (case-insensitive): `<think>`, `<thinking>`, `<thought>`, `<reasoning>`. */
export const THINKING_TAGS: readonly string[] = /*#__PURE__*/ Object.freeze(['think', 'thinking', 'thought', 'reasoning']);

const TAG = /<(\/?)(think|thinking|thought|reasoning)>/gi;
const SPACE = /\s*/y;
const ONE_SPACE = /\s/;

/**
 * Removes thinking blocks from a model's answer: `<think>…</think>` and its variants (see
 * {@link THINKING_TAGS}), a block left open at the end (a cut answer), and text before a closing
 * tag that has no opening one (templates that open `<think>` for the model). Whitespace right after
 * a block goes with it, unless the text before the block ends in a non-space (it then separates
 * two words). A block ends at the first closing tag of its own name (case-insensitive);
 * other tags inside it are part of it. Linear time: one pass over the tags. To move thinking into
 * `reasoning` events while streaming, see {@link splitThinking}.
 *
 *   '<think>2+2…</think>\n4'   ->  '4'
 *   'The answer <think>hm'     ->  'The answer '
 *
 * @example
 * import { stripThinking } from 'l0-rx';
 * stripThinking('<thinking>Let me see.</thinking>Paris'); // 'Paris'
 */
export function stripThinking(text: string): string {
  checkText('stripThinking(text)', text);
  let out = '';
  let from = 0; // start of the text not yet copied to out
  let open: string | undefined; // name of the block being skipped
  let first = true;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m !== null; m = TAG.exec(text)) {
    const closing = m[1] === '/';
    const name = m[2]!.toLowerCase();
    if (open === undefined && !closing) {
      out += text.slice(from, m.index);
      open = name;
    } else if (closing && (open === name || first)) {
      // the end of a block, or a first closing tag before any opening one: everything so far is thinking;
      // the whitespace after it goes too, unless the text before needs it ("Hello world<think>…</think> and more")
      from = TAG.lastIndex;
      if (out === '' || ONE_SPACE.test(out[out.length - 1]!)) {
        SPACE.lastIndex = TAG.lastIndex;
        SPACE.test(text);
        from = TAG.lastIndex = SPACE.lastIndex;
      }
      open = undefined;
    }
    first = false;
  }
  return open === undefined ? out + text.slice(from) : out;
}
