/**
 * What SLUB keeps per frame of RAM, in typed arrays indexed by frame number: the fields Linux keeps in
 * `struct page` for a slab page. Every frame of a slab (or of a large kmalloc block) records its owner and
 * the slab's first frame, so kfree finds the cache of any address with two array reads. The remaining
 * fields are meaningful on a slab's first frame only. Layer: inside the mm-slub plugin; imports nothing.
 *
 * Who writes what: SlubCache writes the slab fields of its own slabs; SlubAllocator writes owner/head for
 * large kmalloc blocks. Nobody else.
 */

/** `owner` of a frame no slab or large kmalloc of ours holds. */
export const OWNER_NONE = 0;
/** `owner` of a frame of a large (page-allocator-backed) kmalloc block. */
export const OWNER_LARGE = 0xffff;
/** The end of a free list, both in RAM and in `freelist`: not an 8-aligned address, so never an object. */
export const FREELIST_END = 0xffffffff;
/** The end of a slab list. */
export const NO_SLAB = -1;

/** Where a slab is: the cache's cpu slab, on its partial list, or full (on no list: SLUB does not track them). */
export const SLAB_CPU = 1;
export const SLAB_PARTIAL = 2;
export const SLAB_FULL = 3;

export class FrameTable {
  /** Per frame: the owning cache's id + 1, OWNER_LARGE, or OWNER_NONE. */
  readonly owner: Uint16Array;
  /** Per frame: the first frame of the slab or block holding it. */
  readonly head: Int32Array;
  /** Per slab: the page order of the slab or large block. */
  readonly order: Uint8Array;
  /** Per slab: the first free object (its free pointer chain continues in RAM), FREELIST_END if none. */
  readonly freelist: Uint32Array;
  /** Per slab: objects handed out (not valid for the cpu slab, whose free objects are on the cache's list). */
  readonly inuse: Uint16Array;
  /** Per slab: SLAB_CPU, SLAB_PARTIAL or SLAB_FULL. */
  readonly where: Uint8Array;
  /** Per slab: links of the cache's partial list. */
  readonly next: Int32Array;
  readonly prev: Int32Array;

  constructor(frames: number) {
    this.owner = new Uint16Array(frames);
    this.head = new Int32Array(frames);
    this.order = new Uint8Array(frames);
    this.freelist = new Uint32Array(frames);
    this.inuse = new Uint16Array(frames);
    this.where = new Uint8Array(frames);
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
