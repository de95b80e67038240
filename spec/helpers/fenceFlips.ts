/**
 * Where a text enters or leaves a code fence, the plain way, line by line (CommonMark's fences as
 * drift reads them, and the guard's markdownRule): a line of at most 8 spaces or tabs (a list
 * item's fence; a tab counts 4) and a run of 3 or more backticks or tildes opens a block at its
 * newline (a backtick run's info string has no backtick); in a block, only a run of the opening
 * character, at least as long, indented less than 4 more than the opening one, with nothing but
 * spaces (or a CR) after it closes it. A last line without a newline flips nothing.
 */
export function fenceFlips(text: string): number[] {
  const flips: number[] = [];
  let open: string | undefined;
  let openIndent = 0;
  let at = 0;
  for (const line of text.split('\n')) {
    at += line.length;
    const fence = at < text.length ? /^([ \t]{0,8})(`{3,}|~{3,})([^]*)$/.exec(line) : null;
    if (fence) {
      const [, lead, run, rest] = fence as unknown as [string, string, string, string];
      const indent = lead.replaceAll('\t', '    ').length;
      if (open === undefined ? run[0] === '~' || !rest.includes('`') : run[0] === open[0] && run.length >= open.length && indent < openIndent + 4 && /^[ \t\r]*$/.test(rest)) {
        openIndent = indent;
        open = open === undefined ? run : undefined;
        flips.push(at);
      }
    }
    at++;
  }
  return flips;
}
