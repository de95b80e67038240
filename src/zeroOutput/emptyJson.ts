/** The code fence (or inline code span) an answer may wrap its JSON in, at either end, once whitespace is removed. */
const CODE_MARKS = /^(?:`+|~{3,})|(?:`+|~{3,})$/g;

/**
 * Whether `text` is the empty JSON answer `{}` or `[]`, whatever its whitespace, bare or in a code
 * fence without a language tag or inline code (` ```\n{}\n``` `, `` `[]` ``): an answer, not zero
 * output. Shared by detectZeroOutput and zeroOutputRule. @internal
 */
export function isEmptyJson(text: string): boolean {
  const compact = text.replace(/\s+/g, '').replace(CODE_MARKS, '');
  return compact === '{}' || compact === '[]';
}
