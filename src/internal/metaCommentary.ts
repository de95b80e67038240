const APOS = "['\u2019]";

/**
 * Meta commentary, one phrase list for the guard's `patternRule` and drift's `meta_commentary`:
 * "As an AI language model" ("As an AI, I", "As an AI I", "As an artificial intelligence,", "As a
 * large language model, I": not "As a language model grows"), a self-description ("I'm an AI.",
 * "I'm just an AI, so", "I am an AI assistant and", "I'm an AI trained by": not "I'm an AI
 * enthusiast", whose next word must be seen: a scan holds a match for a word after it), and "I'm
 * sorry, but I" / "I apologize, but I" only when a refusal or a disclaimer follows ("... I can't",
 * "... I don't know", "... I'm not sure"; not "... I made an error earlier", "... I think you
 * misread", nor a declined invitation in a drafted email or a story: "... I can't attend", "...
 * I can't make it", "... I can't stay"). The source, so each user sets its own flags.
 * @internal
 */
export const META_COMMENTARY =
  `\\bas an ai(?: language model| assistant| model|[,.]| I\\b)|\\bas an artificial intelligence(?: language model| assistant| model)?[,.]` +
  `|\\bas an? (?:large )?language model,? I\\b` +
  `|\\bI(?:${APOS}m| am) (?:just |only )?an ai(?: language model| assistant| model| chatbot)?` +
  `(?=[ \\t]{0,8}(?:[,.;:!?)\\n]|$|(?:and|so|but|that|who|with|without|I|developed|trained|created|built|made|designed)\\b))` +
  `|\\bI (?:cannot|can${APOS}t) actually\\b|\\bI don${APOS}t have personal (?:opinions|feelings|experiences|beliefs)` +
  `|\\b(?:I apologi[sz]e|I${APOS}m sorry), but I(?: (?:(?:cannot|can${APOS}?t|can not)(?! (?:attend|make it|join|come(?! up)|be there|stay|meet)\\b)` +
  `|won${APOS}t|will not|(?:must|have to|need to) decline` +
  `|am (?:unable|not able|not sure|afraid)|do(?:n${APOS}t| not) (?:have|know|understand))|${APOS}m (?:unable|not able|not sure|afraid))\\b`;
