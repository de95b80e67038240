const APOS = "['\u2019]";

/**
 * Letters beyond ASCII of the scripts that space their words (Latin, Greek, Cyrillic; polytonic
 * Greek, U+1F00-1FFC, and fullwidth Latin too) and combining marks, which `\b` and `[^a-z]` take
 * for a word's edge: "résumé as an AI model would" has no phrase, as "resume as an AI model would"
 * has none. Not the signs and symbols among them: `×`, `÷`, the modifier symbols `˂ ˚ ˥`
 * (U+02C2-02C5, 02D2-02DF, 02E5-02EB, 02ED, 02EF-02FF), `͵ ΄ ΅`, `϶`, `҂`, polytonic Greek's
 * breathings and accents `᾽ ῾ ῭` (U+1FBD, 1FBF-1FC1, 1FCD-1FCF, 1FDD-1FDF, 1FED-1FEF, 1FFD-1FFE).
 * The fullwidth digits (U+FF10-FF19) too, as `0-9` and the mathematical digits are ("ｘ２as an AI").
 * The fullwidth small letters only (U+FF41-FF5A), as `a-z`: every user's regex has the `i` flag,
 * which folds the capitals (U+FF21-FF3A) onto them, and the prosgegrammeni (U+1FBE) onto `Ι`.
 */
const LETTERS =
  '\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u02c1\\u02c6-\\u02d1\\u02e0-\\u02e4\\u02ec\\u02ee\\u0300-\\u0374\\u0376-\\u037d\\u037f\\u0386\\u0388-\\u03f5\\u03f7-\\u0481\\u0483-\\u052f\\u1e00-\\u1fbc\\u1fc2-\\u1fcc\\u1fd0-\\u1fdb\\u1fe0-\\u1fec\\u1ff2-\\u1ffc\\uff10-\\uff19\\uff41-\\uff5a';
/**
 * The second half of a mathematical letter or digit (U+1D400-1D7FF, `𝐱`, `𝟙`: a surrogate pair
 * whose first half is U+D835), which a regex without `u` reads as a lone code unit, no letter:
 * "𝐱as an AI" is inside a word. Not the block's nablas and partial differentials (`𝛁`, `𝛛`):
 * symbols, as `∇` and `∂` are. Placed where a look-behind reads the character before a word.
 */
const MATH = '(?<=\\ud835)(?![\\udec1\\udedb\\udefb\\udf15\\udf35\\udf4f\\udf6f\\udf89\\udfa9\\udfc3])[\\udc00-\\udfff]';

/** An opening quote mark or a backtick (a phrase right after one is quoted, not said), or a letter (see {@link LETTERS}, {@link MATH}): see unquotedAfter. */
const QUOTE = `(?:["\u201C\u2018\u00AB'\`${LETTERS}]|${MATH})`;
/** A character that is no letter or digit (nor a blank, `blanks`): not in {@link LETTERS}, nor a mathematical letter's second half ({@link MATH}, reading the character before it). @internal */
export const nonLetter = (blanks: string): string => `(?!${MATH})[^a-z0-9${blanks}${LETTERS}]`;

/**
 * Where "as an AI" (but "as an AI language model" anywhere) speaks for the writer: at the text's
 * start or after punctuation ("Well, as an AI", "Sure. As an AI"), either maybe followed by up to
 * 3 blanks (" As an AI" opening an answer), or after a connective that opens the text or follows
 * a non-letter ("Speaking as an AI, I", "... but as an AI, I"); not after another word ("released
 * as an AI assistant", "identify itself as an AI."), which describes something else. A positive
 * lookbehind placed after the "as" (so the engine looks for the word first, see unquotedAfter),
 * reading at most {@link META_BEHIND} characters before it, each alternative naming every
 * character it reads (no `\b`): the scanners keep that many before any place they look at, so
 * the look-behind always sees the text, and its `^` is the text's start, never a trimmed buffer's
 * ("de|but as an AI assistant"). @internal
 */
const SPEAKER_AS =
  `(?<=(?:(?:^|${nonLetter(' \\t')})[ \\t]{0,3}|(?:^|${nonLetter('')})(?:but|and|so|well|now|yet|though|however|also|still|sure|okay|ok|yes|no|because|since|speaking|again)[ \\t]{1,3})as)`;

/**
 * The most characters before a match the look-behinds of {@link META_COMMENTARY} read: SPEAKER_AS's
 * non-letter (and the first half of a pair before it, see {@link MATH}), "speaking" and 3 blanks
 * before the "as" a match starts with. A scanner of the phrases keeps them (`behind`, see
 * TailScanner). @internal
 */
export const META_BEHIND = 13;

/**
 * Not right after an opening quote mark or a backtick: a phrase quoted ("bots that open with "As an
 * AI language model"", `print("I cannot provide that")`) is talked about, not said; nor inside a
 * word ("tecnologías an AI", "𝐱as an AI": see {@link LETTERS}, {@link MATH}). A look-behind placed
 * after the phrase's first word of `n` letters, reading one character before the word, two for a
 * mathematical letter (its users' scanners keep more before what they scan: {@link META_BEHIND},
 * the guard's refusals 13): a regex that starts with a look-behind is tried at every position, one that starts with the word only where the word is (the
 * meta-commentary scan cost 3.5 times as much with it in front). @internal
 */
export const unquotedAfter = (n: number): string => `(?<!${QUOTE}${'[a-z]'.repeat(n)})`;

/**
 * Meta commentary, one phrase list for the guard's `patternRule` and drift's `meta_commentary`:
 * "As an AI language model" anywhere; "As an AI, I", "As an AI I", "as an AI assistant", "As an
 * artificial intelligence,", "As a large language model, I" (not "As a language model grows") where
 * they speak for the writer (see SPEAKER_AS: "treat it as an artificial intelligence, not a person"
 * describes something); a self-description ("I'm an AI.", "I'm just an AI, so",
 * "I am an AI assistant and", "I'm an AI trained by": not "I'm an AI enthusiast", whose next word
 * must be seen: a scan holds a match for a word after it); and "I'm sorry, but I" / "I apologize,
 * but I" only when a refusal or a disclaimer follows ("... I can't", "... I don't know", "... I'm
 * not sure"; not "... I made an error earlier", "... I think you misread", nor a declined
 * invitation in a drafted email or a story: "... I can't attend", "... I can't make it", "... I
 * can't stay"). None of them right after a quote mark or a backtick (see unquotedAfter). The source, so
 * each user sets its own flags.
 * @internal
 */
export const META_COMMENTARY =
  `\\bas${unquotedAfter(2)}(?: an ai language model|${SPEAKER_AS}(?: an ai(?: assistant| model|[,.]| I\\b)` +
  `| an artificial intelligence(?: language model| assistant| model)?[,.]| an? (?:large )?language model,? I\\b))` +
  `|\\bI${unquotedAfter(1)}(?:(?:${APOS}m| am) (?:just |only )?an ai(?: language model| assistant| model| chatbot)?` +
  `(?=[ \\t]{0,8}(?:[,.;:!?)\\n]|$|(?:and|so|but|that|who|with|without|I|developed|trained|created|built|made|designed)\\b))` +
  `| (?:cannot|can${APOS}t) actually\\b| don${APOS}t have personal (?:opinions|feelings|experiences|beliefs)` +
  `|(?: apologi[sz]e|${APOS}m sorry), but I(?: (?:(?:cannot|can${APOS}?t|can not)(?! (?:attend|make it|join|come(?! up)|be there|stay|meet)\\b)` +
  `|won${APOS}t|will not|(?:must|have to|need to) decline` +
  `|am (?:unable|not able|not sure|afraid)|do(?:n${APOS}t| not) (?:have|know|understand))|${APOS}m (?:unable|not able|not sure|afraid))\\b)`;
