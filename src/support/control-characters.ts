/**
 * Characters that make text lie or act: C0 and C1 controls (ESC starts terminal escape sequences, NUL
 * cannot be passed to a process) and the bidirectional formatting characters that make text read
 * differently from what it is ("Trojan Source"). Names are refused when they hold one; text shown in a
 * terminal has them printed as visible escapes instead.
 */

function isControlOrBidi(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

const tab = 0x09;
const lineFeed = 0x0a;

const names: Record<number, string> = {
  0: 'NUL',
  7: 'BEL',
  8: 'backspace',
  9: 'tab',
  10: 'line feed',
  13: 'carriage return',
  27: 'ESC',
  127: 'DEL',
  155: 'CSI',
};

/** `U+001B (ESC)`: how a refused character is named in a message. */
export function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const name = names[code] ?? (code >= 0x200e ? 'bidirectional formatting' : 'control');
  return `U+${hex} (${name})`;
}

/** The first control or bidirectional formatting character in `text`; tab and line feed allowed on request. */
export function findControlCharacter(
  text: string,
  options: { allowLayout?: boolean } = {},
): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!isControlOrBidi(code)) continue;
    if (options.allowLayout && (code === tab || code === lineFeed)) continue;
    return text[index];
  }
  return undefined;
}

/** `\x1b` for a control character, `\u202e` for a bidirectional one: visible, inert, unambiguous. */
function visibleEscape(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from plans, agents or models made safe to write to a terminal: every control and bidirectional
 * formatting character is shown as an escape, so `a\x1b[31m` prints as those characters and colours
 * nothing. Tab and line feed stay as they are (they move the cursor only forward and down).
 */
export function terminalSafe(text: string): string {
  if (findControlCharacter(text, { allowLayout: true }) === undefined) return text;
  let safe = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const layout = code === tab || code === lineFeed;
    safe += isControlOrBidi(code) && !layout ? visibleEscape(code) : text[index];
  }
  return safe;
}
