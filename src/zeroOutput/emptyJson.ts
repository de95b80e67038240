/**
 * The code fence (or inline code span) an answer may wrap its JSON in, at either end once whitespace
 * is removed; an end run is matched only where it starts (a long run after other text: linear, not quadratic).
 */
const CODE_MARKS = /^(?:`+|~{3,})|(?<!`)`+$|(?<!~)~{3,}$/g;

/**
 * Whether `text`, an answer with no letter or digit, is a JSON object or array (`{}`, `[]`, `[{}]`,
 * `{"": ""}`), bare or in a code fence without a language tag or inline code (` ```\n[{}]\n``` `,
 * `` `[]` ``): an answer, not zero output (a guard runs before structured()'s parser, and
 * `[{}]` may be just what the schema wants). Any white space counts as JSON's (`{\u00a0}` is `{}`, as the
 * parser's repair takes it). Shared by detectZeroOutput and zeroOutputRule. @internal
 */
export function isJsonStructure(text: string): boolean {
  try {
    return typeof JSON.parse(text.replace(/\s+/g, '').replace(CODE_MARKS, '')) === 'object';
  } catch {
    return false;
  }
}
