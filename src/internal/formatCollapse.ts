const APOS = "['\u2019]";

/**
 * A meta opener, one phrase list for the guard's `patternRule` ('format-collapse') and drift's
 * `format_collapse`: at the text's start (after up to 8 white-space characters), an opener that
 * talks about the response itself: "Here is the response:", "Here's my answer.", "Here is your
 * output", "Here is the result you asked for", "Here you go!", "Let me ... for you" (not "for
 * your"), "I'll ... for you". "Here is the response/answer/output/result(s)" counts only when
 * nothing specific follows it: punctuation (`:` `.` `!` `,`, after at most 8 blanks), the line's
 * end or the text's end (a `\r` there too), or "for you", "you asked for", "you requested"; not
 * "of ...", "to ...", "from ...", "for the ...", " key" ("Here is the output of the command:",
 * "Here's the result of running the script:" name what follows). What a match looks at after
 * it is in the match, but for the `\b` or `$` that ends it: a match counts once the character
 * after it is in (or the text has ended), whatever the chunks. Bounded (no `+`, `*`): every match
 * fits 110 characters. The source, so each user sets its own flags (no `m`: `^` is the text's
 * start). @internal
 */
export const FORMAT_COLLAPSE =
  `^\\s{0,8}(?:here(?: is|${APOS}s) (?:the|my|your) (?:response|answer|output|result)s?` +
  `(?:[ \\t]{0,8}(?:[:.!,]|\\r?(?:\\n|$))| for you\\b| you (?:asked for|requested)\\b)|here you go\\b` +
  `|let me \\w{1,20}(?: \\w{1,20}){0,3} for you\\b|I${APOS}ll \\w{1,20}(?: \\w{1,20}){0,3} for you\\b)`;
