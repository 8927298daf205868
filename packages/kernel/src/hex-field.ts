/**
 * Fixed-width hexadecimal fields, as /proc files print numbers (`%02x`, `%08X`): one helper for every table
 * the kernel formats (maps, net/*, locks, if_inet6). Layer: kernel (text formatting, no state).
 */

/** `n` (as unsigned 32-bit) in lowercase hex, zero-padded to `width` digits. */
export function hexField(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0');
}

/** The same in uppercase (`%08X`). */
export function hexFieldUpper(n: number, width: number): string {
  return hexField(n, width).toUpperCase();
}
