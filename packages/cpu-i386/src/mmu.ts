/**
 * The MMU: i386 32-bit paging (SDM vol. 3, 4.3) for ring-3 accesses, with a software TLB. Layer: arch plugin
 * (cpu-i386). Above: the interpreter (cpu-core.ts, interpreter*.ts) calls read8..write32 with linear
 * addresses (segment base already added). Below: the kernel's page tables in emulated RAM.
 *
 * How it works
 * - Every access is a user access (the CPU only runs CPL 3 code), so a page is usable when U/S is set in
 *   both the PDE and the PTE, and writable when R/W is set in both (CR0.WP does not matter for users).
 *   With CR4.PSE (always on here) a PDE with PS maps a 4 MiB page.
 * - The TLB is two Int32Arrays indexed by virtual page number: `tlbRead[vpn]` and `tlbWrite[vpn]` hold the
 *   physical address of the page, or -1. The fast path of every access is one load and one compare. A write
 *   entry is only filled once the PTE's dirty bit is set, so the first write to a clean page takes the slow
 *   path and sets D (and A) in RAM, exactly once, as the hardware does.
 * - Filled page numbers are remembered in `filledVpns` so a CR3 load clears only those entries; past
 *   TLB_TRACKED fills it clears both arrays whole.
 * - Pages that hold decoded code are never entered in `tlbWrite`: every write to them takes the slow path,
 *   which tells the code cache (the `onCodeWrite` hook) before writing. Self-modifying code stays correct
 *   with no check on the fast path.
 * - An access that straddles two pages translates both (possibly faulting) before it writes any byte.
 * - Physical addresses beyond RAM (a PTE pointing past the end) read as 0xFF bytes and ignore writes, like
 *   an ISA bus with nothing on it; such pages are never cached in the TLB. Page-table entries beyond RAM
 *   therefore read as 0xFFFFFFFF and their A/D updates are dropped.
 * - Faults set CR2 and the #PF error code (P, W, U; U is always set) and unwind with FAULT_SIGNAL; `ready`
 *   lets a caller that can leave by returning find a fault first without unwinding.
 */
import type { PhysicalMemory } from '@kmos/abi-driver';
import {
  PAGE_COUNT,
  PAGE_OFFSET_MASK,
  PAGE_SHIFT,
  PDE_4M_FRAME_MASK,
  PDE_PS,
  PF_P,
  PF_U,
  PF_W,
  PTE_A,
  PTE_D,
  PTE_FRAME_MASK,
  PTE_P,
  PTE_RW,
  PTE_US,
  VEC_PF,
} from './constants.js';
import { FAULT_SIGNAL, type FaultRecord } from './fault.js';
import { archInt32Array, TLB_READ_AT, TLB_WRITE_AT } from './wasm/arch-state.js';

/** How many distinct fills a CR3 load clears one by one before clearing the whole TLB is cheaper. */
const TLB_TRACKED = 4096;
const TLB_MISS = -1;
/** What `walk` returns for a page fault (pages are 4 KiB aligned and never negative). */
const WALK_FAULT = -1;
const LARGE_PAGE_OFFSET_MASK = 0x3ff000;

export class Mmu {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  readonly ramBytes: number;
  /** In the arch area of a WebAssembly RAM when there is one (wasm/arch-state.ts), so compiled code sees them. */
  readonly tlbRead: Int32Array;
  readonly tlbWrite: Int32Array;
  private readonly filledVpns = new Int32Array(TLB_TRACKED);
  private filledCount = 0;
  /** Physical address of the page directory (CR3 without its flag bits). */
  cr3 = 0;
  /** Per physical frame: 1 when decoded code from that frame is cached (owned by the code cache). */
  readonly codeFrames: Uint8Array;
  /** Called with a physical address before a write to a code frame lands. */
  onCodeWrite: (phys: number, sizeBytes: number) => void = () => {};

  constructor(
    memory: PhysicalMemory,
    private readonly fault: FaultRecord,
  ) {
    this.u8 = memory.u8;
    this.u16 = memory.u16;
    this.i32 = memory.i32;
    this.view = new DataView(memory.buffer, 0, memory.sizeBytes);
    this.tlbRead = archInt32Array(memory, TLB_READ_AT, PAGE_COUNT).fill(TLB_MISS);
    this.tlbWrite = archInt32Array(memory, TLB_WRITE_AT, PAGE_COUNT).fill(TLB_MISS);
    this.ramBytes = memory.sizeBytes;
    this.codeFrames = new Uint8Array(Math.ceil(memory.sizeBytes / 4096));
  }

  // ---- TLB maintenance -------------------------------------------------------------------------------

  setCr3(pageDirectory: number): void {
    this.cr3 = (pageDirectory & PTE_FRAME_MASK) >>> 0;
    this.flush();
  }

  flush(): void {
    if (this.filledCount > TLB_TRACKED) {
      this.tlbRead.fill(TLB_MISS);
      this.tlbWrite.fill(TLB_MISS);
    } else {
      for (let i = 0; i < this.filledCount; i++) {
        const vpn = this.filledVpns[i];
        this.tlbRead[vpn] = TLB_MISS;
        this.tlbWrite[vpn] = TLB_MISS;
      }
    }
    this.filledCount = 0;
  }

  invlpg(lin: number): void {
    const vpn = lin >>> PAGE_SHIFT;
    this.tlbRead[vpn] = TLB_MISS;
    this.tlbWrite[vpn] = TLB_MISS;
  }

  /**
   * Drops write entries of every virtual page mapping `frame` (the frame now holds cached code). Past
   * TLB_TRACKED fills the whole TLB goes instead: scanning a million entries for each new code frame cost
   * about a millisecond each time.
   */
  protectCodeFrame(frame: number): void {
    if (this.filledCount > TLB_TRACKED) {
      this.flush();
      return;
    }
    const page = frame << PAGE_SHIFT;
    const w = this.tlbWrite;
    for (let i = 0; i < this.filledCount; i++)
      if (w[this.filledVpns[i]] === page) w[this.filledVpns[i]] = TLB_MISS;
  }

  private remember(vpn: number): void {
    if (this.filledCount < TLB_TRACKED) this.filledVpns[this.filledCount] = vpn;
    this.filledCount++;
  }

  // ---- The page walk ---------------------------------------------------------------------------------

  private readPhys32(addr: number): number {
    return addr + 4 <= this.ramBytes ? this.i32[addr >>> 2] : -1;
  }

  private writePhys32(addr: number, v: number): void {
    if (addr + 4 <= this.ramBytes) this.i32[addr >>> 2] = v;
  }

  /** Records a #PF for `lin` (CR2, error code with U) without unwinding; returns WALK_FAULT. */
  private pageFault(lin: number, errorCode: number): number {
    const f = this.fault;
    f.vector = VEC_PF;
    f.errorCode = errorCode | PF_U;
    f.cr2 = lin;
    f.trap = false;
    return WALK_FAULT;
  }

  /**
   * Walks the tables for a user access to `lin`; returns the physical address of its page. Sets A (and D
   * for writes) and fills the TLB when the page is in RAM. Raises #PF.
   */
  translate(lin: number, write: boolean): number {
    const page = this.walk(lin, write);
    if (page === WALK_FAULT) throw FAULT_SIGNAL;
    return page;
  }

  /**
   * Whether an access to `lin` can proceed: true on a TLB hit or a successful walk (which fills the TLB);
   * false after recording the #PF in the fault record, for callers that leave by returning instead of
   * unwinding (a thrown fault costs the host a microsecond or more). Only `lin`'s page is checked.
   */
  ready(lin: number, write: boolean): boolean {
    if ((write ? this.tlbWrite : this.tlbRead)[lin >>> PAGE_SHIFT] >= 0) return true;
    return this.walk(lin, write) !== WALK_FAULT;
  }

  /**
   * The RAM page the TLB holds for an access to `lin`, walking the tables on a miss; -1 when the walk
   * faults (the #PF is recorded, as by `ready`), when the page is outside RAM, or for a write to a code
   * frame (never in the write TLB). For compiled code, which then leaves for the decoded tier.
   */
  tlbPage(lin: number, write: boolean): number {
    const tlb = write ? this.tlbWrite : this.tlbRead;
    const page = tlb[lin >>> PAGE_SHIFT];
    if (page >= 0 || this.walk(lin, write) === WALK_FAULT) return page;
    return tlb[lin >>> PAGE_SHIFT];
  }

  /** `translate` without unwinding: the page, or WALK_FAULT with the #PF recorded. */
  private walk(lin: number, write: boolean): number {
    const wbit = write ? PF_W : 0;
    const pdeAddr = this.cr3 + ((lin >>> 22) << 2);
    const pde = this.readPhys32(pdeAddr);
    if ((pde & PTE_P) === 0) return this.pageFault(lin, wbit);
    let page: number;
    let perms: number;
    if ((pde & PDE_PS) !== 0) {
      perms = pde;
      if (!this.permitted(perms, wbit)) return this.pageFault(lin, PF_P | wbit);
      const updated = pde | PTE_A | (write ? PTE_D : 0);
      if (updated !== pde) this.writePhys32(pdeAddr, updated);
      page = ((pde & PDE_4M_FRAME_MASK) | (lin & LARGE_PAGE_OFFSET_MASK)) >>> 0;
      perms = updated;
    } else {
      const pteAddr = ((pde & PTE_FRAME_MASK) >>> 0) + (((lin >>> PAGE_SHIFT) & 0x3ff) << 2);
      const pte = this.readPhys32(pteAddr);
      if ((pte & PTE_P) === 0) return this.pageFault(lin, wbit);
      perms = pde & pte;
      if (!this.permitted(perms, wbit)) return this.pageFault(lin, PF_P | wbit);
      if ((pde & PTE_A) === 0) this.writePhys32(pdeAddr, pde | PTE_A);
      const updated = pte | PTE_A | (write ? PTE_D : 0);
      if (updated !== pte) this.writePhys32(pteAddr, updated);
      page = (pte & PTE_FRAME_MASK) >>> 0;
      perms = (perms & ~PTE_D) | (updated & PTE_D);
    }
    this.fill(lin >>> PAGE_SHIFT, page, (perms & PTE_RW) !== 0 && (perms & PTE_D) !== 0);
    return page;
  }

  private permitted(perms: number, wbit: number): boolean {
    return (perms & PTE_US) !== 0 && (wbit === 0 || (perms & PTE_RW) !== 0);
  }

  private fill(vpn: number, page: number, writable: boolean): void {
    if (page + 4096 > this.ramBytes) return;
    this.remember(vpn);
    this.tlbRead[vpn] = page;
    if (writable && this.codeFrames[page >>> PAGE_SHIFT] === 0) this.tlbWrite[vpn] = page;
  }

  // ---- Accesses: fast path via the TLB, slow path via translate -------------------------------------

  read8(lin: number): number {
    const page = this.tlbRead[lin >>> PAGE_SHIFT];
    if (page >= 0) return this.u8[page | (lin & PAGE_OFFSET_MASK)];
    return this.readByteSlow(lin);
  }

  read16(lin: number): number {
    const off = lin & PAGE_OFFSET_MASK;
    const page = this.tlbRead[lin >>> PAGE_SHIFT];
    if (page >= 0 && off < PAGE_OFFSET_MASK) {
      const a = page | off;
      return (a & 1) === 0 ? this.u16[a >>> 1] : this.view.getUint16(a, true);
    }
    return this.readByteSlow(lin) | (this.readByteSlow((lin + 1) | 0) << 8);
  }

  /** Returns the dword as a signed int32. */
  read32(lin: number): number {
    const off = lin & PAGE_OFFSET_MASK;
    const page = this.tlbRead[lin >>> PAGE_SHIFT];
    if (page >= 0 && off <= 0xffc) {
      const a = page | off;
      return (a & 3) === 0 ? this.i32[a >>> 2] : this.view.getInt32(a, true);
    }
    return this.read32Slow(lin);
  }

  private read32Slow(lin: number): number {
    return (
      this.readByteSlow(lin) |
      (this.readByteSlow((lin + 1) | 0) << 8) |
      (this.readByteSlow((lin + 2) | 0) << 16) |
      (this.readByteSlow((lin + 3) | 0) << 24)
    );
  }

  private readByteSlow(lin: number): number {
    const page = this.tlbRead[lin >>> PAGE_SHIFT];
    const base = page >= 0 ? page : this.translate(lin, false);
    const phys = base + (lin & PAGE_OFFSET_MASK);
    return phys < this.ramBytes ? this.u8[phys] : 0xff;
  }

  write8(lin: number, v: number): void {
    const page = this.tlbWrite[lin >>> PAGE_SHIFT];
    if (page >= 0) {
      this.u8[page | (lin & PAGE_OFFSET_MASK)] = v;
      return;
    }
    this.writeSlow(lin, v, 1);
  }

  write16(lin: number, v: number): void {
    const off = lin & PAGE_OFFSET_MASK;
    const page = this.tlbWrite[lin >>> PAGE_SHIFT];
    if (page >= 0 && off < PAGE_OFFSET_MASK) {
      const a = page | off;
      if ((a & 1) === 0) this.u16[a >>> 1] = v;
      else this.view.setUint16(a, v, true);
      return;
    }
    this.writeSlow(lin, v, 2);
  }

  write32(lin: number, v: number): void {
    const off = lin & PAGE_OFFSET_MASK;
    const page = this.tlbWrite[lin >>> PAGE_SHIFT];
    if (page >= 0 && off <= 0xffc) {
      const a = page | off;
      if ((a & 3) === 0) this.i32[a >>> 2] = v;
      else this.view.setInt32(a, v, true);
      return;
    }
    this.writeSlow(lin, v, 4);
  }

  /** Checks that `sizeBytes` bytes at `lin` are writable (faulting now if not) without writing. */
  probeWrite(lin: number, sizeBytes: number): void {
    this.writablePage(lin);
    // A fault on a later page reports that page's first byte in CR2, as the hardware does.
    const extraPages = ((lin & PAGE_OFFSET_MASK) + sizeBytes - 1) >>> PAGE_SHIFT;
    for (let i = 1; i <= extraPages; i++) this.writablePage(((lin & ~PAGE_OFFSET_MASK) + i * 4096) | 0);
  }

  /** Checks that `sizeBytes` bytes at `lin` are readable (faulting now if not). */
  probeRead(lin: number, sizeBytes: number): void {
    if (this.tlbRead[lin >>> PAGE_SHIFT] < 0) this.translate(lin, false);
    const extraPages = ((lin & PAGE_OFFSET_MASK) + sizeBytes - 1) >>> PAGE_SHIFT;
    for (let i = 1; i <= extraPages; i++) {
      const page = ((lin & ~PAGE_OFFSET_MASK) + i * 4096) | 0;
      if (this.tlbRead[page >>> PAGE_SHIFT] < 0) this.translate(page, false);
    }
  }

  private writablePage(lin: number): number {
    const page = this.tlbWrite[lin >>> PAGE_SHIFT];
    return page >= 0 ? page : this.translate(lin, true);
  }

  /** Both pages are translated for writing before any byte lands, so a straddling write is all or nothing. */
  private writeSlow(lin: number, v: number, sizeBytes: number): void {
    const last = (lin + sizeBytes - 1) | 0;
    const firstPage = this.writablePage(lin);
    const lastPage =
      ((last ^ lin) & ~PAGE_OFFSET_MASK) !== 0 ? this.writablePage(last & ~PAGE_OFFSET_MASK) : firstPage;
    for (let i = 0; i < sizeBytes; i++) {
      const byteLin = (lin + i) | 0;
      const base = ((byteLin ^ lin) & ~PAGE_OFFSET_MASK) === 0 ? firstPage : lastPage;
      const phys = base + (byteLin & PAGE_OFFSET_MASK);
      if (phys >= this.ramBytes) continue;
      if (this.codeFrames[phys >>> PAGE_SHIFT] !== 0) this.onCodeWrite(phys, 1);
      this.u8[phys] = (v >>> (i * 8)) & 0xff;
    }
  }
}
