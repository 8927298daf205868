/**
 * The swap header: the first page of a swap area, in the layout Linux's mkswap writes and swapon reads
 * (version 1, the `SWAPSPACE2` signature in the page's last ten bytes), so a swap file kmOS formats is one
 * the host's own tools recognise, and the other way round. Layer: kernel mm, used by swap-area.ts.
 *
 * Layout (little-endian, offsets in the page):
 *   0     1024 bytes left for a boot block;
 *   1024  version (1), last_page (index of the last usable page), nr_badpages;
 *   1036  a 16-byte UUID, then a 16-byte volume label;
 *   4086  "SWAPSPACE2".
 * Pages 1..last_page hold swapped-out pages: a swap area of N pages offers N - 1 slots.
 */
import { PAGE_SIZE } from '@kmos/abi-driver';

export const SWAP_MAGIC = 'SWAPSPACE2';
const MAGIC_OFFSET = PAGE_SIZE - SWAP_MAGIC.length;
const VERSION_OFFSET = 1024;
const LAST_PAGE_OFFSET = 1028;
const NR_BADPAGES_OFFSET = 1032;
const UUID_OFFSET = 1036;
const LABEL_OFFSET = 1052;
const UUID_BYTES = 16;
const LABEL_BYTES = 16;
export const SWAP_VERSION = 1;

export interface SwapHeader {
  readonly version: number;
  readonly lastPage: number;
  readonly badPages: number;
  readonly uuid: Uint8Array;
  readonly label: string;
}

/** A header page for a swap area of `pages` pages (the first being this header). */
export function formatSwapHeader(pages: number, label = '', uuid = new Uint8Array(UUID_BYTES)): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  const view = new DataView(page.buffer);
  view.setUint32(VERSION_OFFSET, SWAP_VERSION, true);
  view.setUint32(LAST_PAGE_OFFSET, pages - 1, true);
  view.setUint32(NR_BADPAGES_OFFSET, 0, true);
  page.set(uuid.subarray(0, UUID_BYTES), UUID_OFFSET);
  page.set(new TextEncoder().encode(label).subarray(0, LABEL_BYTES - 1), LABEL_OFFSET);
  page.set(new TextEncoder().encode(SWAP_MAGIC), MAGIC_OFFSET);
  return page;
}

/** The header in `page`, or null when the page carries no version-1 swap signature. */
export function parseSwapHeader(page: Uint8Array): SwapHeader | null {
  if (page.length < PAGE_SIZE) return null;
  const magic = new TextDecoder('latin1').decode(page.subarray(MAGIC_OFFSET, PAGE_SIZE));
  if (magic !== SWAP_MAGIC) return null;
  const view = new DataView(page.buffer, page.byteOffset, PAGE_SIZE);
  const labelBytes = page.subarray(LABEL_OFFSET, LABEL_OFFSET + LABEL_BYTES);
  const end = labelBytes.indexOf(0);
  return {
    version: view.getUint32(VERSION_OFFSET, true),
    lastPage: view.getUint32(LAST_PAGE_OFFSET, true),
    badPages: view.getUint32(NR_BADPAGES_OFFSET, true),
    uuid: page.slice(UUID_OFFSET, UUID_OFFSET + UUID_BYTES),
    label: new TextDecoder().decode(labelBytes.subarray(0, end < 0 ? LABEL_BYTES : end)),
  };
}
