/**
 * Page sources and the shared page cache. A `PageSource` is whatever a mapping reads pages from: a file (the
 * VFS implements it), or the anonymous object behind a MAP_SHARED|MAP_ANONYMOUS mapping. Layer: kernel mm;
 * vma.ts holds caches, page-fault.ts fills them, the VFS sits above and implements PageSource.
 *
 * How it works
 * - Every source that is mapped gets one `PageCache`, keyed by the source object in `PageCaches`. The cache
 *   maps a page index (offset / PAGE_SIZE) to a frame and holds one reference on it (frame-refs.ts), so all
 *   MAP_SHARED mappers of a page see one frame, and MAP_PRIVATE readers share it read-only until they write.
 * - Each VMA that names the source holds one reference on its cache (`vmaRefs`). When the last VMA goes the
 *   cache writes back dirty pages (shared writable file mappings) and drops its frames; an anonymous shared
 *   object thereby disappears with its last mapping, exactly as Linux's shmem object does.
 * - Dirtiness: a page is marked dirty when a PTE with PTE_D that maps it is torn down or synced (msync).
 */
import type { PhysAddr } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';
import type { UserFrames } from './frame-refs.js';

/** What a file-backed mapping reads its pages from. The VFS implements this for regular files. */
export interface PageSource {
  /**
   * Fills `into` (PAGE_SIZE bytes, a view of the destination frame) with the page at `offsetBytes`, zeroing
   * what lies past end of file. Returns the bytes of file data in the page: 0 when the page lies wholly past
   * end of file (a fault there is SIGBUS). Synchronous: the fault path cannot wait. Throws ErrnoError (EIO).
   */
  readPage(offsetBytes: number, into: Uint8Array): number;
  /** Writes a dirty page of a shared mapping back (msync, last unmap); the VFS clamps it to the file size. */
  writePage?(offsetBytes: number, from: Uint8Array): void;
  /** How /proc/<pid>/maps names the mapping: device, inode and path; absent for anonymous objects. */
  readonly identity?: SourceIdentity;
  /**
   * The first VMA maps the source (`mapped`, with the cache its pages are in now), the last one went
   * (`unmapped`): a file must stay readable while it is mapped, unlinked or not, as Linux's VMAs hold their
   * file; and read(2) and write(2) must meet the cached pages meanwhile (see PageCache.readInto).
   */
  mapped?(cache: PageCache): void;
  unmapped?(): void;
}

export interface SourceIdentity {
  readonly devMajor: number;
  readonly devMinor: number;
  readonly ino: number;
  readonly path: string;
}

/** The object behind MAP_SHARED|MAP_ANONYMOUS: zero pages that live as long as some VMA maps them. */
export class AnonSharedSource implements PageSource {
  readPage(_offsetBytes: number, into: Uint8Array): number {
    into.fill(0);
    return PAGE_SIZE;
  }
}

/** Calls `visit` for each page [pos, pos + length) touches: its index, the offset in it, the offset in the range, the bytes. */
function forEachPage(
  pos: number,
  length: number,
  visit: (index: number, offset: number, at: number, n: number) => void,
): void {
  for (let at = 0; at < length; ) {
    const offset = (pos + at) % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - offset, length - at);
    visit(Math.floor((pos + at) / PAGE_SIZE), offset, at, n);
    at += n;
  }
}

/** `PageCache.get` outcomes besides a frame. */
export const CACHE_OOM = -1;
export const CACHE_BEYOND_EOF = -2;

export class PageCache {
  /** Page index → frame. Written only by `get` and `release`. */
  private readonly pages = new Map<number, PhysAddr>();
  private readonly dirty = new Set<number>();
  /** VMAs naming this cache; written by `ref`/`unref` (vma.ts calls them on create, split, merge, free). */
  private vmaRefs = 0;

  constructor(
    readonly source: PageSource,
    private readonly frames: UserFrames,
    private readonly onEmpty: (cache: PageCache) => void,
  ) {}

  ref(): void {
    this.vmaRefs++;
  }

  /** Pages held now (resident). */
  get pageCount(): number {
    return this.pages.size;
  }

  /** References held now (VMAs, and the one a System V segment keeps on its own pages). */
  get vmaCount(): number {
    return this.vmaRefs;
  }

  unref(): void {
    if (--this.vmaRefs < 0) throw new KernelPanic('page cache unreferenced more often than referenced');
    if (this.vmaRefs === 0) this.release();
  }

  /** The frame of page `index` (loading it), or CACHE_OOM / CACHE_BEYOND_EOF. Errors of the source propagate. */
  get(index: number): PhysAddr | typeof CACHE_OOM | typeof CACHE_BEYOND_EOF {
    const cached = this.pages.get(index);
    if (cached !== undefined) return cached;
    const frame = this.frames.alloc();
    if (frame === null) return CACHE_OOM;
    let bytes: number;
    try {
      bytes = this.source.readPage(index * PAGE_SIZE, this.frames.view(frame));
    } catch (e) {
      this.frames.put(frame);
      throw e;
    }
    if (bytes === 0) {
      this.frames.put(frame);
      return CACHE_BEYOND_EOF;
    }
    this.pages.set(index, frame);
    return frame;
  }

  /**
   * The frame caching page `index`, or null. For the VFS: a write(2) to a mapped file must also update this
   * frame (then call invalidateCode), so mappers and readers agree, as Linux's unified page cache makes them.
   */
  peek(index: number): PhysAddr | null {
    return this.pages.get(index) ?? null;
  }

  /**
   * read(2) of the source while it is mapped: copies what the cached pages hold of its bytes
   * [pos, pos + into.length) over `into` (read from the filesystem, which lacks stores made through mappings
   * until they are written back), so readers and mappers agree as Linux's unified page cache makes them.
   */
  readInto(pos: number, into: Uint8Array): void {
    forEachPage(pos, into.length, (index, offset, at, n) => {
      const frame = this.pages.get(index);
      if (frame !== undefined) into.set(this.frames.view(frame).subarray(offset, offset + n), at);
    });
  }

  /** write(2) of `from` at `pos` to the source while it is mapped: the cached pages it covers take it too. */
  writeFrom(pos: number, from: Uint8Array): void {
    forEachPage(pos, from.length, (index, offset, at, n) => {
      const frame = this.pages.get(index);
      if (frame !== undefined) this.frames.write((frame + offset) as PhysAddr, from.subarray(at, at + n));
    });
  }

  has(index: number): boolean {
    return this.pages.has(index);
  }

  markDirty(index: number): void {
    if (this.source.writePage !== undefined) this.dirty.add(index);
  }

  /** Writes back dirty pages with index in [first, last]. */
  writeBack(first: number, last: number): void {
    const write = this.source.writePage;
    if (write === undefined) return;
    for (const index of [...this.dirty].sort((a, b) => a - b)) {
      if (index < first || index > last) continue;
      const frame = this.pages.get(index);
      if (frame !== undefined) write.call(this.source, index * PAGE_SIZE, this.frames.view(frame));
      this.dirty.delete(index);
    }
  }

  /** Pages held now (for mincore and /proc). */
  size(): number {
    return this.pages.size;
  }

  private release(): void {
    this.writeBack(0, Number.MAX_SAFE_INTEGER);
    for (const frame of this.pages.values()) this.frames.put(frame);
    this.pages.clear();
    this.onEmpty(this);
    this.source.unmapped?.();
  }
}

/** The machine's caches, one per mapped source. */
export class PageCaches {
  private readonly bySource = new Map<PageSource, PageCache>();

  constructor(private readonly frames: UserFrames) {}

  /** The cache for `source` with one more VMA reference (created when absent). */
  attach(source: PageSource): PageCache {
    let cache = this.bySource.get(source);
    if (cache === undefined) {
      cache = new PageCache(source, this.frames, (c) => this.bySource.delete(c.source));
      this.bySource.set(source, cache);
      source.mapped?.(cache);
    }
    cache.ref();
    return cache;
  }

  /** The cache of a source some VMA maps now, or null (the VFS asks before a write or a truncate). */
  lookup(source: PageSource): PageCache | null {
    return this.bySource.get(source) ?? null;
  }

  count(): number {
    return this.bySource.size;
  }
}
