import { quiet } from '../internal/isPromiseLike.js';
import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath } from '../internal/options.js';
import type { CreateWindowConfig } from './createWindow.js';

const KEYS = /*#__PURE__*/ optionKeys<CreateWindowConfig>()(['size', 'overlap', 'strategy', 'estimateTokens']);
const PATH = /*#__PURE__*/ optionPath('createWindow', 'document, ');
const STRATEGIES: readonly string[] = ['token', 'char', 'paragraph', 'sentence'];

/** `createWindow`'s config checked, with its defaults; `pieceTokens` counts the pieces a window is packed from. */
export function resolveWindow(config: CreateWindowConfig) {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { size = 2000, strategy = 'token', estimateTokens = estimateByLength } = config;
  if (!Number.isInteger(size) || size < 1) throw optionError(PATH, 'size', 'an integer >= 1', size);
  // L0's 200, or a tenth of a smaller size (every L0 preset's ratio): a size given alone never contradicts its default overlap
  const { overlap = Math.min(200, Math.floor(size / 10)) } = config;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) throw optionError(PATH, 'overlap', `an integer >= 0 and below size (${size})`, overlap);
  if (!STRATEGIES.includes(strategy)) throw optionError(PATH, 'strategy', "'token', 'char', 'paragraph' or 'sentence'", strategy);
  if (typeof estimateTokens !== 'function') throw optionError(PATH, 'estimateTokens', 'a function', estimateTokens);
  const checked = checkedEstimate(estimateTokens);
  // windows are packed by adding up their pieces' tokens: the default's rounding up, once a word, would add up to
  // a window of about 1,600 tokens for a size of 2,000 (English words are 5 to 6 characters), so its pieces count unrounded
  return { size, overlap, strategy, estimateTokens: checked, pieceTokens: estimateTokens === estimateByLength ? quarterLength : checked };
}

/** The default `estimateTokens`: about four characters a token. */
const estimateByLength = (text: string): number => Math.ceil(text.length / 4);
/** {@link estimateByLength} unrounded, so that the pieces of a window add up to the window's count. */
const quarterLength = (text: string): number => text.length / 4;

/** A user's `estimateTokens` whose answers are checked: NaN or a string would cut NaN-positioned, empty windows and drop the document unseen. */
function checkedEstimate(estimateTokens: (text: string) => number): (text: string) => number {
  return (text) => {
    const v = estimateTokens(text);
    if (!(Number.isFinite(v) && v >= 0)) {
      quiet(v); // an async estimator's rejection is not unhandled: the TypeError says what went wrong
      throw new TypeError(`createWindow(document, {estimateTokens}) returned ${describeOption(v)} for a piece of text; it must return a finite number of tokens >= 0`);
    }
    return v;
  };
}
