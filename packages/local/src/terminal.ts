/**
 * Text on its way to a terminal. Much of what the CLI and the runtime print
 * came from outside — ntfy's error text, payload fields, a creator's name, a
 * schedules file, an environment variable — and a terminal obeys control
 * characters in it: ESC sequences clear the screen, set the window title,
 * write the clipboard (OSC 52) or forge links (OSC 8); the 8-bit C1 forms do
 * the same on many terminals; CR and backspace overwrite what was printed;
 * bidirectional overrides reorder it (Trojan Source). So every such
 * character is printed as a visible escape instead (`\u001b`, `\u202e` …,
 * the form JSON uses, so `--json` output stays valid JSON). And the
 * credentials of any URL in it are replaced by `***`.
 */
import { redactUrlCredentials } from '@rez/core';

/**
 * Printed as escapes: C0 controls but tab and newline, DEL, C1 controls, the
 * Arabic letter mark, the bidi marks, embeddings, overrides and isolates, and
 * the Unicode line and paragraph separators.
 */
const CONTROL_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x08],
  [0x0b, 0x1f],
  [0x7f, 0x9f],
  [0x061c, 0x061c],
  [0x200e, 0x200f],
  [0x2028, 0x202e],
  [0x2066, 0x2069],
];

const hex = (code: number): string => code.toString(16).padStart(4, '0');
const characterClass = (ranges: readonly (readonly [number, number])[]): RegExp =>
  new RegExp(`[${ranges.map(([from, to]) => `\\u${hex(from)}-\\u${hex(to)}`).join('')}]`, 'g');

const CONTROLS = characterClass(CONTROL_RANGES);
/** The same, and newline too: for one field, or one line, that must stay one line. */
const CONTROLS_AND_NEWLINE = characterClass([...CONTROL_RANGES, [0x0a, 0x0a]]);

const visible = (char: string): string => `\\u${hex(char.charCodeAt(0))}`;

/**
 * Output of many lines (the CLI's): newlines and tabs are kept, every other
 * control character becomes a visible escape; URL credentials become `***`.
 *
 * @example
 * forTerminal('reason: \u001b[2Jgone') // → 'reason: \\u001b[2Jgone'
 */
export function forTerminal(text: string): string {
  return redactUrlCredentials(text).replace(CONTROLS, visible);
}

/**
 * One field, or one log line, that must not break into several: newlines
 * become `\u000a` too, so untrusted text cannot forge a line of its own.
 *
 * @example
 * oneLine('ok\nrez: ready') // → 'ok\\u000arez: ready'
 */
export function oneLine(text: string): string {
  return redactUrlCredentials(text).replace(CONTROLS_AND_NEWLINE, visible);
}
