/**
 * Swap entries: where a swapped-out page went, kept in its PTE with the present bit clear, as Linux keeps
 * them. The MMU ignores every other bit of a non-present PTE, so the entry costs no memory of its own and
 * every walker already visits it. Layer: kernel mm, beside page-table.ts.
 *
 * Layout of a swap entry (a PTE with P = 0 that is not 0):
 *   bit 0        P, always 0: any access faults, and the fault handler reads the slot from the entry;
 *   bits 1-11    0 (room for an area number when there is more than one swap area);
 *   bits 12-31   the slot: the page's index in the swap area. Slot 0 holds the swap header, so an entry is
 *                never 0, and 0 keeps meaning "nothing mapped".
 * The slot sits where a present PTE's frame number sits, so a swap area may hold up to 2^20 pages (4 GiB).
 */
import { PAGE_SHIFT } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';
import { PTE_P } from './page-table.js';

/** Slots an entry can name: 20 bits. */
export const SWP_MAX_SLOTS = 1 << (32 - PAGE_SHIFT);

export function swapEntry(slot: number): number {
  if (slot <= 0 || slot >= SWP_MAX_SLOTS) throw new KernelPanic(`swap slot ${slot} cannot be encoded`);
  return (slot << PAGE_SHIFT) >>> 0;
}

/** True for a PTE that holds a swap entry (not present, not empty). */
export function isSwapEntry(pte: number): boolean {
  return pte !== 0 && (pte & PTE_P) === 0;
}

export function swapSlot(entry: number): number {
  return entry >>> PAGE_SHIFT;
}
