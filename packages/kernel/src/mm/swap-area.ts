/**
 * A swap area: a block device formatted with a swap header (swap-header.ts), its pages handed out as slots
 * (swap-slots.ts), and page-sized reads and writes of those slots. Layer: kernel mm, over the kernel block
 * layer (block/); swap.ts moves pages in and out through it, /proc/swaps and /proc/meminfo describe it.
 *
 * Slot n is page n of the device, so slot 0 is the header and slots 1..last_page carry pages. The device
 * must complete requests synchronously (block/block-device.ts says why).
 */
import { PAGE_SIZE } from '@kmos/abi-driver';
import { EINVAL } from '@kmos/abi-linux';
import type { SyncBlockDevice } from '../block/block-device.js';
import { KernelError } from '../kernel-error.js';
import { SWP_MAX_SLOTS } from './swap-entry.js';
import { formatSwapHeader, parseSwapHeader, SWAP_VERSION } from './swap-header.js';
import { SwapSlots } from './swap-slots.js';

/** mkswap's minimum: a header and nine pages (40 KiB). */
export const SWAP_MIN_PAGES = 10;

/** What /proc/swaps calls the area: a regular file, or a block device. */
export type SwapKind = 'file' | 'partition';

export class SwapArea {
  readonly slots: SwapSlots;
  private readonly sectorsPerPage: number;

  private constructor(
    readonly device: SyncBlockDevice,
    /** The path /proc/swaps shows. */
    readonly path: string,
    readonly kind: SwapKind,
    lastPage: number,
  ) {
    this.sectorsPerPage = PAGE_SIZE / device.sectorSizeBytes;
    this.slots = new SwapSlots(1, lastPage + 1);
  }

  /** Writes a fresh header over the whole device (mkswap) and opens it. KernelError(EINVAL) if it cannot be one. */
  static format(device: SyncBlockDevice, path: string, kind: SwapKind, label = ''): SwapArea {
    const pages = Math.min(devicePages(device), SWP_MAX_SLOTS);
    if (pages < SWAP_MIN_PAGES) {
      throw new KernelError(EINVAL, `${path}: a swap area needs at least ${SWAP_MIN_PAGES} pages`);
    }
    // No flush: swap outlives nothing, so a header lost in a host crash costs nothing (and fdatasync of a
    // large file costs a noticeable part of a boot).
    device.write(0, PAGE_SIZE / device.sectorSizeBytes, formatSwapHeader(pages, label));
    return SwapArea.open(device, path, kind);
  }

  /** Opens a formatted device (swapon): KernelError(EINVAL) when its header is missing or does not fit it. */
  static open(device: SyncBlockDevice, path: string, kind: SwapKind): SwapArea {
    if (device.readOnly) throw new KernelError(EINVAL, `${path}: read-only`);
    const pages = devicePages(device);
    const page = new Uint8Array(PAGE_SIZE);
    device.read(0, PAGE_SIZE / device.sectorSizeBytes, page);
    const header = parseSwapHeader(page);
    if (header === null) throw new KernelError(EINVAL, `${path}: no swap signature (not made by mkswap)`);
    if (header.version !== SWAP_VERSION)
      throw new KernelError(EINVAL, `${path}: swap header version ${header.version}`);
    if (header.badPages !== 0) throw new KernelError(EINVAL, `${path}: bad-page lists are not supported`);
    if (header.lastPage < SWAP_MIN_PAGES - 1 || header.lastPage >= Math.min(pages, SWP_MAX_SLOTS)) {
      throw new KernelError(EINVAL, `${path}: last_page ${header.lastPage} does not fit ${pages} pages`);
    }
    return new SwapArea(device, path, kind, header.lastPage);
  }

  /** True when `device` holds a swap signature (so formatting it destroys nothing else). */
  static isSwap(device: SyncBlockDevice): boolean {
    if (devicePages(device) < 1) return false;
    const page = new Uint8Array(PAGE_SIZE);
    device.read(0, PAGE_SIZE / device.sectorSizeBytes, page);
    return parseSwapHeader(page) !== null;
  }

  /** Reads slot `slot` into `into` (PAGE_SIZE bytes). Device errors (ErrnoError EIO) propagate. */
  readSlot(slot: number, into: Uint8Array): void {
    this.device.read(slot * this.sectorsPerPage, this.sectorsPerPage, into);
  }

  writeSlot(slot: number, from: Uint8Array): void {
    this.device.write(slot * this.sectorsPerPage, this.sectorsPerPage, from);
  }

  /** Writes `count` consecutive slots from `first` in one request (`from` holds count pages). */
  writeSlots(first: number, count: number, from: Uint8Array): void {
    this.device.write(first * this.sectorsPerPage, count * this.sectorsPerPage, from);
  }

  /** Usable pages (the header excluded), as SwapTotal counts them. */
  get totalPages(): number {
    return this.slots.total;
  }
}

function devicePages(device: SyncBlockDevice): number {
  if (PAGE_SIZE % device.sectorSizeBytes !== 0) {
    throw new KernelError(
      EINVAL,
      `${device.name}: ${device.sectorSizeBytes}-byte sectors do not divide a page`,
    );
  }
  return Math.floor((device.sectors * device.sectorSizeBytes) / PAGE_SIZE);
}
