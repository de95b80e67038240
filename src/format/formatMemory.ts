import { checkBag, checkKeys, describeOption, optionError, optionKeys, optionPath } from '../internal/options.js';
import { escapeDelimiters } from './formatContext.js';

/** One message of a conversation's memory. */
export interface MemoryEntry {
  readonly role: 'user' | 'assistant' | 'system' | (string & {});
  readonly content: string;
  /** An ISO date-time, shown with `includeTimestamps`. */
  readonly timestamp?: string;
}

/** Options of {@link formatMemory}. */
export interface FormatMemoryConfig {
  /**
   * `conversational`: `User: …` blocks separated by blank lines; `compact`: `U: …` one per line;
   * `structured`: `<message role="…">` elements, escaped. @default 'conversational'
   */
  readonly style?: 'conversational' | 'compact' | 'structured';
  /** Keep only the last N entries. @default undefined (all) */
  readonly maxEntries?: number;
  /** Prefix each entry with its timestamp, when it has one. @default false */
  readonly includeTimestamps?: boolean;
}

const KEYS = /*#__PURE__*/ optionKeys<FormatMemoryConfig>()(['style', 'maxEntries', 'includeTimestamps']);
const PATH = /*#__PURE__*/ optionPath('formatMemory', 'entries, ');
const STYLES = ['conversational', 'compact', 'structured'] as const;

/** The role's first character: a whole code point, never half a surrogate pair (`'🤖bot'` gives `'🤖'`). */
const head = (role: string) => role.slice(0, (role.codePointAt(0) ?? 0) > 0xffff ? 2 : 1);
const title = (role: string) => head(role).toUpperCase() + role.slice(head(role).length);

/** A TypeError naming the entry and its field, for one that would print `undefined` or fail in a string method. */
function checkEntry(e: MemoryEntry, at: number, timestamps: boolean): void {
  if (typeof e !== 'object' || e === null) throw new TypeError(`formatMemory(entries): entries[${at}] must be { role, content }, got ${describeOption(e)}`);
  for (const key of timestamps ? (['role', 'content', 'timestamp'] as const) : (['role', 'content'] as const)) {
    const v = e[key];
    if (typeof v !== 'string' && !(key === 'timestamp' && v === undefined)) {
      throw new TypeError(`formatMemory(entries): entries[${at}].${key} must be a string, got ${describeOption(v)}`);
    }
  }
}

/**
 * A conversation's memory as prompt text, optionally only its last `maxEntries` entries. The
 * structured style escapes content and roles, so a message cannot close its element.
 *
 *   [{role: 'user', content: 'Hello'}, {role: 'assistant', content: 'Hi there!'}]
 *   -> 'User: Hello\n\nAssistant: Hi there!'         (conversational)
 *   -> 'U: Hello\nA: Hi there!'                      (compact)
 *
 * @example
 * import { formatMemory } from 'l0-rx';
 * const messages = [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi there!' }];
 * const history = formatMemory(messages, { maxEntries: 10 });
 * @param entries The messages, oldest first.
 * @param config See {@link FormatMemoryConfig}.
 */
export function formatMemory(entries: readonly MemoryEntry[], config: FormatMemoryConfig = {}): string {
  checkBag(PATH, config);
  checkKeys(PATH, config, KEYS);
  const { style = 'conversational', maxEntries, includeTimestamps = false } = config;
  if (!Array.isArray(entries)) throw new TypeError('formatMemory(entries) must be an array of { role, content }');
  if (!STYLES.includes(style)) throw optionError(PATH, 'style', STYLES.map((s) => `'${s}'`).join(', '), style);
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries >= 0)) throw optionError(PATH, 'maxEntries', 'a non-negative integer', maxEntries);
  if (typeof includeTimestamps !== 'boolean') throw optionError(PATH, 'includeTimestamps', 'a boolean', includeTimestamps);
  const kept = maxEntries === undefined ? entries : entries.slice(Math.max(0, entries.length - maxEntries));
  // a hole is an entry too (forEach skips it, join prints it as an empty message): refused by its index
  [...kept].forEach((e, i) => checkEntry(e, entries.length - kept.length + i, includeTimestamps));
  const stamp = (e: MemoryEntry) => (includeTimestamps && e.timestamp ? `[${e.timestamp}] ` : '');
  switch (style) {
    case 'compact':
      return kept.map((e) => `${stamp(e)}${head(e.role).toUpperCase()}: ${e.content}`).join('\n');
    case 'structured': {
      const esc = (t: string) => escapeDelimiters(t, 'xml').replace(/"/g, '&quot;');
      const items = kept.map((e) => {
        const time = includeTimestamps && e.timestamp ? ` timestamp="${esc(e.timestamp)}"` : '';
        return `<message role="${esc(e.role)}"${time}>${esc(e.content)}</message>`;
      });
      return `<conversation_history>\n${items.join('\n')}\n</conversation_history>`;
    }
    default:
      return kept.map((e) => `${stamp(e)}${title(e.role)}: ${e.content}`).join('\n\n');
  }
}
