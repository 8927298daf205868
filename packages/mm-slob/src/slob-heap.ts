/**
 * SLOB's heap: the pages it carves small objects from, on three lists by the size of request they serve,
 * and first fit across them. Layer: inside the mm-slob plugin (see slob-allocator.ts for the whole design);
 * imports only @kmos/abi-driver.
 *
 * How it works
 * ------------
 * A request of n bytes needs ceil(n / SLOB_UNIT) units. It searches one list: requests under SLOB_BREAK1
 * bytes the small list, under SLOB_BREAK2 the medium list, others the large list, so small objects do not
 * fragment the pages big ones need. Pages whose largest free block is known to be too small (page-blocks.ts
 * keeps that bound, never above the page's free units) are skipped without looking inside; in a page,
 * page-blocks.ts does first fit. Each list is a ring, and its head moves to the page that served the last
 * request, so the next search starts where space was last found and the pages it skipped on the way wait at
 * the back (Linux's list_rotate_to_front, which cuts search time). A new page goes first. A page with
 * no free unit leaves its list; a free into it puts it back (on the list of the size freed). A page whose
 * every unit is free again goes straight back to the page allocator: SLOB keeps nothing in reserve, since it
 * is meant for machines where every page counts.
 *
 * Invariants: a page is on a list iff it has a free unit; `pagesHeld` counts pages of the heap.
 */
import { PAGE_SHIFT, PAGE_SIZE, type PageAllocator, type PhysAddr } from '@kmos/abi-driver';
import { PageBlocks, SLOB_UNIT, SLOB_UNIT_SHIFT, UNITS_PER_PAGE } from './page-blocks.js';

/** Requests under 256 bytes share the small list, under 1 KiB the medium list, as Linux's SLOB. */
export const SLOB_BREAK1 = 256;
export const SLOB_BREAK2 = 1024;
const LIST_SMALL = 0;
const LIST_MEDIUM = 1;
const LIST_LARGE = 2;
const NO_PAGE = -1;
/** `listOf` of a page that is on no list (full). */
const OFF_LIST = 0xff;

export class SlobHeap {
  private readonly blocks: PageBlocks;
  private readonly heads = new Int32Array(3).fill(NO_PAGE);
  private readonly listOf: Uint8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Per frame: 1 if the frame is a page of this heap. */
  readonly isHeapPage: Uint8Array;
  pagesHeld = 0;

  constructor(
    frames: number,
    u16: Uint16Array,
    private readonly pages: PageAllocator,
    private readonly panic: (message: string) => never,
  ) {
    this.blocks = new PageBlocks(frames, u16, panic);
    this.listOf = new Uint8Array(frames);
    this.next = new Int32Array(frames);
    this.prev = new Int32Array(frames);
    this.isHeapPage = new Uint8Array(frames);
  }

  /** `sizeBytes` (under a page) aligned to `alignBytes`, or null when no page can be had. */
  alloc(sizeBytes: number, alignBytes: number): PhysAddr | null {
    const units = unitsFor(sizeBytes);
    const list = listFor(sizeBytes);
    const head = this.heads[list];
    if (head !== NO_PAGE) {
      let page = head;
      do {
        if (this.blocks.mayHold(page, units)) {
          const offset = this.blocks.alloc(page, units, alignBytes);
          if (offset >= 0) return this.served(page, list, offset);
        }
        page = this.next[page];
      } while (page !== head);
    }
    const page = this.newPage(list);
    if (page === NO_PAGE) return null;
    return this.served(page, list, this.blocks.alloc(page, units, alignBytes));
  }

  /** Frees `sizeBytes` at `addr`, which the caller has checked is a live object of that size. */
  free(addr: number, sizeBytes: number): void {
    const units = unitsFor(sizeBytes);
    const page = addr >>> PAGE_SHIFT;
    const unitsFree = this.blocks.unitsFree[page];
    if (unitsFree + units === UNITS_PER_PAGE) {
      this.releasePage(page);
      return;
    }
    this.blocks.free(page, (addr & (PAGE_SIZE - 1)) >>> SLOB_UNIT_SHIFT, units);
    if (unitsFree === 0) this.push(page, listFor(sizeBytes));
  }

  /**
   * The pages on `list` (0 small, 1 medium, 2 large) in the order the next search visits them, for tests and
   * debugging; a broken ring (a prev link that disagrees, a page on the wrong list, no way back to the head)
   * panics.
   */
  pagesOn(list: number): number[] {
    const order: number[] = [];
    const head = this.heads[list];
    if (head === NO_PAGE) return order;
    let page = head;
    do {
      if (
        this.listOf[page] !== list ||
        this.prev[this.next[page]] !== page ||
        order.length > this.pagesHeld
      ) {
        this.panic(`mm-slob: list ${list} is broken at page ${page}`);
      }
      order.push(page);
      page = this.next[page];
    } while (page !== head);
    return order;
  }

  /** After an allocation from `page` (on `list`): the list now starts there, or the page leaves it if full. */
  private served(page: number, list: number, offset: number): PhysAddr {
    if (this.blocks.unitsFree[page] === 0) this.unlink(page);
    else this.heads[list] = page;
    return (page * PAGE_SIZE + (offset << SLOB_UNIT_SHIFT)) as PhysAddr;
  }

  private newPage(list: number): number {
    const addr = this.pages.allocPages(0);
    if (addr === null) return NO_PAGE;
    const page = addr >>> PAGE_SHIFT;
    this.blocks.init(page);
    this.isHeapPage[page] = 1;
    this.pagesHeld++;
    this.push(page, list);
    return page;
  }

  private releasePage(page: number): void {
    if (this.listOf[page] !== OFF_LIST) this.unlink(page);
    this.isHeapPage[page] = 0;
    this.pagesHeld--;
    this.pages.freePages((page * PAGE_SIZE) as PhysAddr, 0);
  }

  /** Puts `page` first on `list`: before the head in the ring, then the head. */
  private push(page: number, list: number): void {
    const head = this.heads[list];
    this.listOf[page] = list;
    if (head === NO_PAGE) {
      this.next[page] = page;
      this.prev[page] = page;
    } else {
      const tail = this.prev[head];
      this.next[page] = head;
      this.prev[page] = tail;
      this.next[tail] = page;
      this.prev[head] = page;
    }
    this.heads[list] = page;
  }

  private unlink(page: number): void {
    const next = this.next[page];
    const prev = this.prev[page];
    const list = this.listOf[page];
    if (next === page) {
      this.heads[list] = NO_PAGE;
    } else {
      this.next[prev] = next;
      this.prev[next] = prev;
      if (this.heads[list] === page) this.heads[list] = next;
    }
    this.listOf[page] = OFF_LIST;
  }
}

/** Units for `sizeBytes` (a non-negative integer; sizes are checked before they reach the heap), at least one. */
export function unitsFor(sizeBytes: number): number {
  return sizeBytes === 0 ? 1 : (sizeBytes + SLOB_UNIT - 1) >>> SLOB_UNIT_SHIFT;
}

function listFor(sizeBytes: number): number {
  if (sizeBytes < SLOB_BREAK1) return LIST_SMALL;
  return sizeBytes < SLOB_BREAK2 ? LIST_MEDIUM : LIST_LARGE;
}
