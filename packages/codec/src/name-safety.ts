/**
 * File names a client may not create, and how existing names are written in listings.
 *
 * A name is text that other clients print: a CR or LF in it splits a listing line (and a client
 * that shows the listing shows a fake "226" line), ESC starts terminal escape sequences, C1 codes
 * act as controls on some terminals, and bidi overrides (U+202E) make "gpj.exe" read as
 * "exe.jpg". Names that already exist on disk with such characters (placed there by other means)
 * are still listed, with every such character replaced by '?', as `ls -q` does.
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

/**
 * True when `name` holds a character a client may not put into a new name: a C0 control
 * (including CR, LF, TAB, NUL), DEL, a C1 control, U+2028/U+2029, or a bidi embedding, override
 * or isolate (U+202A-U+202E, U+2066-U+2069).
 */
export function hasUnsafeNameCharacter(name: string): boolean {
  return UNSAFE.test(name);
}

/**
 * `text` with every character {@link hasUnsafeNameCharacter} refuses replaced by '?', so it can be
 * written in a listing or a reply without starting a new line or a terminal control sequence.
 */
export function escapeUnsafeName(text: string): string {
  return text.replace(UNSAFE_ALL, '?');
}
