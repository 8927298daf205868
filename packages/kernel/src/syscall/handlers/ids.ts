/**
 * User and group ids in i386's first ABI, before the *32 calls: 16 bits wide (old_uid_t). As Linux's
 * low2highuid and high2lowuid: 0xffff in means -1 ("leave it"), and an id that does not fit in 16 bits
 * comes out as the overflow id, 65534. Layer: kernel syscall handlers.
 */

/** Bytes per id in a call's arrays: 4, or 2 for the 16-bit calls. */
export type IdWidth = 4 | 2;

/** /proc/sys/kernel/overflowuid and overflowgid. */
const OVERFLOW_ID = 65534;

export function fromId16(id: number): number {
  return (id & 0xffff) === 0xffff ? 0xffffffff : id & 0xffff;
}

export function toId16(id: number): number {
  return id >>> 0 > 0xffff ? OVERFLOW_ID : id;
}
