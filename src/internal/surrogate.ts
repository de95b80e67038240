/** Whether UTF-16 unit `code` is the first half of a surrogate pair (an emoji's, say): text cut after it holds half a character. @internal */
export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Whether UTF-16 unit `code` is the second half of a surrogate pair (0xdc00-0xdfff). @internal */
export function isLowSurrogate(code: number): boolean {
  return code >> 10 === 0x37;
}
