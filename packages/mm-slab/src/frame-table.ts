/**
 * What the slab allocator keeps per frame of RAM, in typed arrays indexed by frame number: the fields Linux
 * keeps in `struct page` for a slab page. Every frame of a slab (or of a large kmalloc block) records its
 * owner and the slab's first frame, so kfree finds the cache of any address with two array reads; the other
 * fields are meaningful on a slab's first frame only. Layer: inside the mm-slab plugin; imports nothing.
 *
 * Who writes what: SlabCache writes the slab fields of its own slabs; SlabAllocator writes owner/head for
 * large kmalloc blocks.
 */

/** `owner` of a frame no slab or large kmalloc of ours holds. */
export const OWNER_NONE = 0;
/** `owner` of a frame of a large (page-allocator-backed) kmalloc block. */
export const OWNER_LARGE = 0xffff;
/** The end of a slab list. */
export const NO_SLAB = -1;

/** The three lists of a Bonwick cache; every slab is on exactly one. */
export const LIST_FULL = 0;
export const LIST_PARTIAL = 1;
export const LIST_EMPTY = 2;

export class FrameTable {
  /** Per frame: the owning cache's id + 1, OWNER_LARGE, or OWNER_NONE. */
  readonly owner: Uint16Array;
  /** Per frame: the first frame of the slab or block holding it. */
  readonly head: Int32Array;
  /** Per slab: the page order of the slab or large block. */
  readonly order: Uint8Array;
  /** Per slab: objects handed out; also the index of the next free bufctl. */
  readonly active: Uint16Array;
  /** Per slab: the colour, the byte offset of the first object from the slab's start. */
  readonly colourOffset: Int32Array;
  /** Per slab: where its bufctl array starts, as an index into the cache's bufctl array. */
  readonly bufctlBase: Int32Array;
  /** Per slab: LIST_FULL, LIST_PARTIAL or LIST_EMPTY, and the links of that list. */
  readonly list: Uint8Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;

  constructor(frames: number) {
    this.owner = new Uint16Array(frames);
    this.head = new Int32Array(frames);
    this.order = new Uint8Array(frames);
    this.active = new Uint16Array(frames);
    this.colourOffset = new Int32Array(frames);
    this.bufctlBase = new Int32Array(frames);
    this.list = new Uint8Array(frames);
    this.next = new Int32Array(frames);
    this.prev = new Int32Array(frames);
  }

  /** Records that 2^order frames from `headFrame` now belong to `owner`. */
  claim(headFrame: number, order: number, owner: number): void {
    const end = headFrame + (1 << order);
    this.owner.fill(owner, headFrame, end);
    this.head.fill(headFrame, headFrame, end);
    this.order[headFrame] = order;
  }

  release(headFrame: number): void {
    this.owner.fill(OWNER_NONE, headFrame, headFrame + (1 << this.order[headFrame]));
  }
}
