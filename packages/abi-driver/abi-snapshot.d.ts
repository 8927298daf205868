// The emitted declarations of @kmos/abi-driver at ABI_VERSION 1.2.0. Compared by src/abi-snapshot.test.ts;
// update it on purpose, together with ABI_VERSION (docs/driver-abi.md says which bump).
/**
 * Emulated physical memory as every layer sees it: one ArrayBuffer of RAM with typed-array views over it.
 * The arch layer reads guest code and data from it, allocators carve frames and objects out of it, drivers
 * reach memory-mapped hardware through it. Layer: the ABI; imports nothing.
 */
declare const physAddrBrand: unique symbol;
declare const virtAddrBrand: unique symbol;
declare const userPtrBrand: unique symbol;
/** A byte address in emulated physical memory. */
type PhysAddr = number & {
    readonly [physAddrBrand]: true;
};
/** A linear (virtual) address as the guest's page tables translate it. */
type VirtAddr = number & {
    readonly [virtAddrBrand]: true;
};
/** A virtual address handed in by a user program: touched only through the kernel's usercopy functions. */
type UserPtr = number & {
    readonly [userPtrBrand]: true;
};
/** The i386 page size: 4 KiB frames and pages. */
declare const PAGE_SIZE = 4096;
declare const PAGE_SHIFT = 12;
/**
 * RAM. Views share one buffer, so a dword written through `u32` is seen through `u8`. Views are
 * little-endian like the i386 because every host kmOS runs on is; the kernel checks this at boot.
 * `u16`/`u32`/`i32` index in units of their element size (`u32[addr >>> 2]`).
 */
interface PhysicalMemory {
    readonly sizeBytes: number;
    readonly buffer: ArrayBuffer;
    readonly u8: Uint8Array;
    readonly u16: Uint16Array;
    readonly u32: Uint32Array;
    readonly i32: Int32Array;
    /**
     * Since ABI 1.2, optional: set when RAM lives in a WebAssembly memory, so code an arch compiles to
     * WebAssembly reaches RAM directly. `buffer` is then the memory's whole buffer: RAM is its first
     * `sizeBytes` (the views cover only those), and the arch's own area (ArchPlugin.stateBytes) follows.
     */
    readonly wasm?: WasmRam;
}
/** A WebAssembly.Memory, described by what kmOS uses of it, so the ABI needs no WebAssembly typings. */
interface WasmMemory {
    readonly buffer: ArrayBuffer;
}
/** RAM in a WebAssembly memory (PhysicalMemory.wasm), and the arch's area after it. */
interface WasmRam {
    readonly memory: WasmMemory;
    /** Where the arch's area starts (a multiple of 64 KiB, at or after `sizeBytes`). */
    readonly archOffset: number;
    /** At least the `stateBytes` the arch asked for, zero-filled. */
    readonly archBytes: number;
}

/**
 * What every plugin package exports: a manifest naming its kind, its own version and the ABI range it was
 * built for. The kernel loads plugins by package name (or path) from the config manifest and checks all
 * three before using any other member. Layer: the ABI; imports nothing.
 */
/** The kinds of plugin the kernel composes at boot, in the order it composes them. */
declare const PLUGIN_KINDS: readonly ["arch", "page-allocator", "object-allocator", "driver", "filesystem", "console"];
type PluginKind = (typeof PLUGIN_KINDS)[number];
interface PluginManifest {
    readonly kind: PluginKind;
    /** The npm name of the package, e.g. `@kmos/mm-buddy`. */
    readonly name: string;
    /** The package's own semver version. */
    readonly version: string;
    /** The semver range of ABI_VERSION this plugin was built against, e.g. `^1.0.0`. */
    readonly abi: string;
    /**
     * A JSON Schema (draft 2020-12) for the options object the config may give this plugin
     * (`["@kmos/drivers-ide", { ... }]`). The kernel validates options against it before the plugin sees them.
     */
    readonly optionsSchema?: object;
}
/** Options a plugin receives from the config; validated against `optionsSchema` when the plugin has one. */
type PluginOptions = Readonly<Record<string, unknown>>;
/** A value or a promise of it: synchronous where the hardware allows, asynchronous where it must wait. */
type MaybePromise<T> = T | Promise<T>;
/**
 * Plugins report a user-visible failure by throwing an Error carrying a positive Linux errno (`EIO`, `ENOENT`,
 * ...). The kernel turns it into `-errno` for the guest. Anything else thrown is a bug in the plugin.
 */
interface ErrnoError extends Error {
    readonly errno: number;
}
/** Log lines go through one logger per subsystem, free when the subsystem is switched off. */
interface Logger {
    readonly debugEnabled: boolean;
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
}
/** Given to every plugin: its logger, its options, and the way to stop the machine on a broken invariant. */
interface PluginContext {
    readonly log: Logger;
    readonly options: PluginOptions;
    /** A broken kernel invariant (a double free, a corrupt free list): stops the machine with this message. */
    panic(message: string): never;
}

/**
 * The memory-allocator plugins. A page allocator hands out runs of 2^order physical frames of emulated RAM;
 * an object allocator carves kernel objects (pipe buffers, tty buffers, block cache pages, kernel stacks)
 * out of pages it takes from the page allocator. Objects live in emulated RAM and are named by physical
 * address, so `/proc/slabinfo` and `/proc/meminfo` show real state. Layer: the ABI; imports nothing.
 */

/** One zone's free blocks by order, as a line of `/proc/buddyinfo` shows them. */
interface ZoneFreeAreas {
    readonly zone: string;
    /** `freeBlocks[order]` = number of free blocks of 2^order frames. */
    readonly freeBlocks: readonly number[];
}
interface PageAllocatorStats {
    readonly totalPages: number;
    readonly freePages: number;
    readonly zones: readonly ZoneFreeAreas[];
}
interface PageAllocator {
    /** The largest order this allocator serves (10 for a Linux-like buddy: 4 MiB blocks). */
    readonly maxOrder: number;
    /** 2^order contiguous frames aligned to their size, or null when none are free. Contents are undefined. */
    allocPages(order: number): PhysAddr | null;
    /** Returns a block; freeing a block that is not allocated, or with the wrong order, is a panic. */
    freePages(addr: PhysAddr, order: number): void;
    stats(): PageAllocatorStats;
}
interface PageAllocatorContext extends PluginContext {
    readonly memory: PhysicalMemory;
    /** The frames this allocator manages: [firstFrame, firstFrame + frameCount). Frame n is at n * PAGE_SIZE. */
    readonly firstFrame: number;
    readonly frameCount: number;
}
interface PageAllocatorPlugin extends PluginManifest {
    readonly kind: 'page-allocator';
    create(ctx: PageAllocatorContext): PageAllocator;
}
/** An opaque handle to one object cache. */
interface ObjectCache {
    readonly name: string;
    readonly objectSizeBytes: number;
}
interface CacheOptions {
    /** Power-of-two alignment of every object; at least the allocator's minimum (8 bytes). */
    readonly alignBytes?: number;
}
/** One cache's line of `/proc/slabinfo` (slabinfo version 2.1 columns). */
interface SlabCacheStats {
    readonly name: string;
    readonly activeObjs: number;
    readonly numObjs: number;
    readonly objSizeBytes: number;
    readonly objsPerSlab: number;
    readonly pagesPerSlab: number;
    readonly activeSlabs: number;
    readonly numSlabs: number;
}
interface ObjectAllocatorStats {
    /** The allocator's design, as `/proc/slabinfo` readers may want to show it (`slub`, `slob`, `slab`). */
    readonly design: string;
    readonly caches: readonly SlabCacheStats[];
    /** Pages the allocator holds from the page allocator now. */
    readonly pagesHeld: number;
    /** Bytes handed out to callers now (kmalloc sizes as rounded by the allocator). */
    readonly bytesInUse: number;
}
interface ObjectAllocator {
    createCache(name: string, objectSizeBytes: number, options?: CacheOptions): ObjectCache;
    /** Destroying a cache that still has live objects is a panic. */
    destroyCache(cache: ObjectCache): void;
    /** One object, or null when no page can be had. */
    cacheAlloc(cache: ObjectCache): PhysAddr | null;
    cacheFree(cache: ObjectCache, addr: PhysAddr): void;
    kmalloc(sizeBytes: number): PhysAddr | null;
    kfree(addr: PhysAddr): void;
    /** The usable size of a kmalloc'd object (at least what was asked). */
    ksize(addr: PhysAddr): number;
    /** Gives empty slabs back to the page allocator; returns the number of pages freed. */
    shrink(): number;
    stats(): ObjectAllocatorStats;
}
interface ObjectAllocatorContext extends PluginContext {
    readonly memory: PhysicalMemory;
    readonly pages: PageAllocator;
}
interface ObjectAllocatorPlugin extends PluginManifest {
    readonly kind: 'object-allocator';
    create(ctx: ObjectAllocatorContext): ObjectAllocator;
}

/**
 * The arch plugin: a CPU that runs ring-3 guest code out of emulated physical memory until the kernel is
 * needed, then returns why (the gVisor "platform" model). The kernel handles the exit in TypeScript — a
 * syscall, a page fault, an interrupt — and calls `run` again. Layer: the ABI; imports nothing.
 *
 * Hot-path shape: `run` returns a small integer and leaves the details in fields the CPU reuses, so an exit
 * allocates nothing.
 */

/** Why `Cpu.run` returned. */
declare const RunExit: {
    /** The instruction budget is spent: the time slice ended. */
    readonly Budget: 0;
    /** The guest asked for the kernel: `int 0x80` or `sysenter` (see `Cpu.syscallGate`). EIP is past it. */
    readonly Syscall: 1;
    /**
     * An exception: `Cpu.fault` holds vector, error code and CR2. For a fault (`FaultInfo.trap` false) EIP and
     * registers are as before the instruction, which can be restarted; for a trap (#BP, #OF, #DB from INT1 or
     * single-step) the instruction has completed and EIP is past it, as the hardware reports them.
     */
    readonly Fault: 2;
    /** `requestInterrupt` was called: a device raised a line. EIP is at an instruction boundary. */
    readonly Irq: 3;
    /** The guest executed `hlt` (in ring 3 that is #GP, so this comes only from kernel-set-up code). */
    readonly Halt: 4;
};
type RunExit = (typeof RunExit)[keyof typeof RunExit];
/** Which instruction entered the kernel on `RunExit.Syscall`; the kernel returns with the matching path. */
declare const SyscallGate: {
    readonly Int80: 0;
    readonly Sysenter: 1;
};
type SyscallGate = (typeof SyscallGate)[keyof typeof SyscallGate];
/** General registers in the i386 encoding order (the `reg` field of ModR/M). */
declare const Reg: {
    readonly EAX: 0;
    readonly ECX: 1;
    readonly EDX: 2;
    readonly EBX: 3;
    readonly ESP: 4;
    readonly EBP: 5;
    readonly ESI: 6;
    readonly EDI: 7;
};
type Reg = (typeof Reg)[keyof typeof Reg];
/** Segment registers in the i386 encoding order (the `sreg` field of `mov sreg`). */
declare const SegReg: {
    readonly ES: 0;
    readonly CS: 1;
    readonly SS: 2;
    readonly DS: 3;
    readonly FS: 4;
    readonly GS: 5;
};
type SegReg = (typeof SegReg)[keyof typeof SegReg];
/** Exception vectors the CPU reports, named as the Intel SDM names them. */
declare const Vector: {
    readonly DE: 0;
    readonly DB: 1;
    readonly NMI: 2;
    readonly BP: 3;
    readonly OF: 4;
    readonly BR: 5;
    readonly UD: 6;
    readonly NM: 7;
    readonly DF: 8;
    readonly TS: 10;
    readonly NP: 11;
    readonly SS: 12;
    readonly GP: 13;
    readonly PF: 14;
    readonly MF: 16;
    readonly AC: 17;
    readonly MC: 18;
    readonly XM: 19;
};
/** Bits of the #PF error code (Intel SDM vol. 3, 4.7). */
declare const PF_P = 1;
declare const PF_W = 2;
declare const PF_U = 4;
/** Details of the last `RunExit.Fault`; the object is reused by the CPU. `errorCode` is -1 when the vector has none. */
interface FaultInfo {
    readonly vector: number;
    readonly errorCode: number;
    /** The faulting linear address for #PF; 0 otherwise. */
    readonly cr2: number;
    /**
     * Since ABI 1.1. True for a trap-class exception (#BP from INT3/INT 3, #OF from INTO, #DB from INT1 or
     * single-step): the instruction completed and EIP is past it. False for a fault: EIP is the faulting
     * instruction's and running again restarts it. Absent from CPUs built for 1.0, which report #BP, #OF and
     * #DB as traps and everything else as faults.
     */
    readonly trap?: boolean;
}
/** The four registers `cpuid` leaves for one leaf and subleaf, as unsigned 32-bit numbers. */
interface CpuidResult {
    readonly eax: number;
    readonly ebx: number;
    readonly ecx: number;
    readonly edx: number;
}
/**
 * The register state of one thread, saved on a context switch or a signal and restored later. The kernel owns
 * these objects; the CPU fills and reads them. `fpu` is an FXSAVE image (512 bytes, Intel SDM vol. 1, 10.5.1).
 */
interface CpuContext {
    readonly gpr: Int32Array;
    eip: number;
    eflags: number;
    readonly seg: Uint16Array;
    readonly fpu: Uint8Array;
}
/** x87 state images the kernel puts in signal frames: FNSAVE (108 bytes) and FXSAVE (512 bytes). */
type FpuImageFormat = 'fnsave' | 'fxsave';
interface Cpu {
    /** Runs guest code for at most `budgetInsns` instructions; returns why it stopped. */
    run(budgetInsns: number): RunExit;
    /** Valid after `RunExit.Fault`. */
    readonly fault: FaultInfo;
    /** Valid after `RunExit.Syscall`. */
    readonly syscallGate: SyscallGate;
    /** Instructions retired since creation: the guest's clock. */
    readonly insns: number;
    getReg(reg: Reg): number;
    setReg(reg: Reg, value: number): void;
    eip: number;
    /** Reading gives the architectural EFLAGS; writing sets the bits a ring-3 program may hold (IF stays set). */
    eflags: number;
    getSeg(seg: SegReg): number;
    /** Loads a selector with the checks of `mov sreg` at CPL 3; throws an Error with a reason when it would fault. */
    setSeg(seg: SegReg, selector: number): void;
    /** Writes GDT entry `index` (8 bytes as two dwords); selectors referring to it are reloaded on next load. */
    setGdtEntry(index: number, low: number, high: number): void;
    getGdtEntry(index: number): [low: number, high: number];
    /** Replaces the LDT (for `modify_ldt`): `entries` holds two dwords per descriptor. */
    setLdt(entries: Uint32Array): void;
    /** Loads CR3 (the page directory's physical address) and flushes the TLB. */
    setCr3(pageDirectory: PhysAddr): void;
    readonly cr3: PhysAddr;
    /** Drops the TLB entry for one page, as `invlpg`. */
    invlpg(addr: VirtAddr): void;
    flushTlb(): void;
    /**
     * The kernel wrote guest physical memory directly (loading a program, copying a COW page, reusing a frame):
     * any decoded or compiled code from that range is stale.
     */
    invalidateCode(addr: PhysAddr, sizeBytes: number): void;
    /** Makes `run` return `RunExit.Irq` at the next instruction boundary. Safe to call from device callbacks. */
    requestInterrupt(): void;
    saveContext(into: CpuContext): void;
    restoreContext(from: CpuContext): void;
    newContext(): CpuContext;
    /** Writes the x87/SSE state in `format` into `into` (FNSAVE does not reinitialise the FPU here). */
    saveFpu(format: FpuImageFormat, into: Uint8Array): void;
    restoreFpu(format: FpuImageFormat, from: Uint8Array): void;
    /** FNINIT: the FPU state a new program starts with. */
    resetFpu(): void;
    /**
     * Since ABI 1.1, optional. What the guest's `cpuid` instruction answers for `leaf` (EAX) and `subleaf`
     * (ECX), without touching the registers: the kernel derives AT_HWCAP and /proc/cpuinfo from it. Without
     * it the kernel describes an i686 with FPU, TSC, CX8, CMOV, MMX, FXSR, SSE and SSE2.
     */
    cpuid?(leaf: number, subleaf: number): CpuidResult;
    /**
     * Since ABI 1.1, optional. Counters the CPU chooses to show (names are identifiers, values non-negative
     * integers; the set is the plugin's own and may change between its versions). The kernel shows them in
     * /proc/kmos/cpu. A fresh object per call: it is not on a hot path.
     */
    stats?(): Record<string, number>;
}
interface ArchContext extends PluginContext {
    readonly memory: PhysicalMemory;
}
interface ArchPlugin extends PluginManifest {
    readonly kind: 'arch';
    /** The CPU's name as `/proc/cpuinfo` shows it. */
    readonly modelName: string;
    /**
     * Since ABI 1.2, optional: bytes of the arch's own state (a TLB, registers) to keep beside RAM in one
     * WebAssembly memory (PhysicalMemory.wasm), where code it compiles to WebAssembly reaches them. A kernel
     * that keeps RAM elsewhere gives none; the arch must then work without.
     */
    readonly stateBytes?: number;
    createCpu(ctx: ArchContext): Cpu;
}

/**
 * The console plugin: where the kernel's messages and the system console's bytes go, and where keyboard
 * input comes from (the host terminal, a serial port, the VGA screen and PS/2 keyboard, a browser pane).
 * Layer: the ABI; imports nothing.
 */

interface ConsoleSize {
    readonly rows: number;
    readonly cols: number;
}
interface Console {
    write(bytes: Uint8Array): void;
    /** Delivers input bytes as they arrive. Replaces any earlier handler. */
    onInput(handler: (bytes: Uint8Array) => void): void;
    /** The window size, or null when the console has none. */
    size(): ConsoleSize | null;
    /** Restores whatever the console changed (terminal modes) and stops reading input. */
    close(): void;
}
interface ConsoleContext extends PluginContext {
}
interface ConsolePlugin extends PluginManifest {
    readonly kind: 'console';
    create(ctx: ConsoleContext): Console;
}

/**
 * What drivers register with the kernel: block devices (disks, partitions) and character devices (serial
 * ports, the console, input). The VFS and the block layer use only these interfaces, so a filesystem never
 * knows which driver sits below it. Layer: the ABI; imports nothing.
 */

interface BlockDevice {
    /** The name under /dev (`hda`, `hda1`, `sda`). */
    readonly name: string;
    readonly sectorSizeBytes: number;
    readonly sectors: number;
    readonly readOnly: boolean;
    /** Reads `count` sectors from `lba` into `into` (count * sectorSizeBytes bytes). Throws an ErrnoError (EIO). */
    read(lba: number, count: number, into: Uint8Array): MaybePromise<void>;
    write(lba: number, count: number, from: Uint8Array): MaybePromise<void>;
    flush(): MaybePromise<void>;
}
/** Readiness a character device reports to poll/select, as Linux's POLLIN/POLLOUT bits. */
declare const POLLIN = 1;
declare const POLLOUT = 4;
declare const POLLERR = 8;
declare const POLLHUP = 16;
interface CharDevice {
    /** The name under /dev (`ttyS0`, `console`, `input/event0`). */
    readonly name: string;
    readonly major: number;
    readonly minor: number;
    /** Reads what is ready into `into`; returns the byte count, 0 at end of input, or null when nothing is ready yet. */
    read(into: Uint8Array): number | null;
    /** Writes as much as the device takes now; returns the byte count (0 when it is full). */
    write(from: Uint8Array): number;
    /** POLLIN/POLLOUT/... bits that hold now. */
    poll(): number;
    /** Called when readiness may have changed, so the kernel can wake waiters. Replaces any earlier callback. */
    onReady(callback: () => void): void;
}

/**
 * The driver plugin: a real driver for an emulated PC device. It reaches the hardware only through the port
 * ranges, IRQ lines and memory windows it claimed — never by calling a device model — and registers the
 * block and character devices it finds. Layer: the ABI; imports nothing.
 */

/** An inclusive-exclusive range of I/O ports: [first, first + count). */
interface PortRange {
    readonly first: number;
    readonly count: number;
}
/** A range of physical memory the driver maps (VGA text memory at 0xB8000, say). */
interface MemoryWindow {
    readonly first: number;
    readonly sizeBytes: number;
}
interface ResourceClaim {
    readonly ports: readonly PortRange[];
    readonly irqs: readonly number[];
    readonly memory: readonly MemoryWindow[];
}
/** Port I/O restricted to the driver's claim; an access outside it throws (a driver bug, caught at once). */
interface PortIo {
    inb(port: number): number;
    inw(port: number): number;
    inl(port: number): number;
    outb(port: number, value: number): void;
    outw(port: number, value: number): void;
    outl(port: number, value: number): void;
}
interface IrqLines {
    /** Runs `handler` each time `line` is raised (after the kernel acknowledged the PIC). */
    onIrq(line: number, handler: () => void): void;
    /** Masks or unmasks the line at the interrupt controller. */
    setMasked(line: number, masked: boolean): void;
}
interface DriverContext extends PluginContext {
    readonly ports: PortIo;
    readonly irqs: IrqLines;
    /** Physical memory; the driver touches only the windows it claimed. */
    readonly memory: PhysicalMemory;
    registerBlock(device: BlockDevice): void;
    registerChar(device: CharDevice): void;
}
/** `bound` when the hardware answered and devices were registered; `absent` when there is nothing to drive. */
type ProbeResult = 'bound' | 'absent';
interface DriverPlugin extends PluginManifest {
    readonly kind: 'driver';
    /** What the driver needs, given its options; the kernel grants it or refuses the driver at boot. */
    claim(options: PluginOptions): ResourceClaim;
    probe(ctx: DriverContext): MaybePromise<ProbeResult>;
}

/**
 * The filesystem plugin: a filesystem type the VFS can mount (ext2 and FAT over a block device; the host
 * filesystem, tmpfs and procfs without one). Operations are by inode number, as in FUSE's low-level API, so a
 * filesystem keeps no per-open state the VFS cannot see. Names are byte strings (one char per byte, code
 * 0-255), so every Linux file name survives. Errors are ErrnoErrors (ENOENT, ENOTDIR, ENOSPC...).
 * Layer: the ABI; imports nothing.
 */

interface Timespec {
    readonly sec: number;
    readonly nsec: number;
}
/** An inode's attributes; `mode` holds the type bits (S_IFREG, S_IFDIR...) and permissions as Linux's st_mode. */
interface FsAttr {
    readonly ino: number;
    readonly mode: number;
    readonly nlink: number;
    readonly uid: number;
    readonly gid: number;
    readonly rdev: number;
    readonly sizeBytes: number;
    readonly blockSizeBytes: number;
    /** Allocated 512-byte blocks, as st_blocks. */
    readonly blocks: number;
    readonly atime: Timespec;
    readonly mtime: Timespec;
    readonly ctime: Timespec;
}
/** The attributes `setattr` may change; absent fields stay as they are. `sizeBytes` truncates or extends. */
interface FsAttrChanges {
    readonly mode?: number;
    readonly uid?: number;
    readonly gid?: number;
    readonly sizeBytes?: number;
    readonly atime?: Timespec;
    readonly mtime?: Timespec;
}
/** d_type values of getdents64 (DT_REG, DT_DIR...). */
declare const DT_UNKNOWN = 0;
declare const DT_FIFO = 1;
declare const DT_CHR = 2;
declare const DT_DIR = 4;
declare const DT_BLK = 6;
declare const DT_REG = 8;
declare const DT_LNK = 10;
declare const DT_SOCK = 12;
interface DirEntry {
    readonly name: string;
    readonly ino: number;
    readonly type: number;
    /** Pass to `readdir` to continue after this entry. */
    readonly cookie: number;
}
interface FsStatfs {
    readonly type: number;
    readonly blockSizeBytes: number;
    readonly blocks: number;
    readonly blocksFree: number;
    readonly blocksAvailable: number;
    readonly files: number;
    readonly filesFree: number;
    readonly nameMaxBytes: number;
}
/** RENAME_NOREPLACE / RENAME_EXCHANGE of renameat2. */
declare const RENAME_NOREPLACE = 1;
declare const RENAME_EXCHANGE = 2;
interface FileSystem {
    readonly rootIno: number;
    getattr(ino: number): MaybePromise<FsAttr>;
    setattr(ino: number, changes: FsAttrChanges): MaybePromise<FsAttr>;
    /** The entry `name` in directory `dirIno`, or null when there is none. */
    lookup(dirIno: number, name: string): MaybePromise<FsAttr | null>;
    /** Up to `maxEntries` entries after `cookie` (0 = from the start), `.` and `..` included. */
    readdir(dirIno: number, cookie: number, maxEntries: number): MaybePromise<DirEntry[]>;
    /** Reads at `offset` into `into`; returns the bytes read (0 at end of file). */
    read(ino: number, offset: number, into: Uint8Array): MaybePromise<number>;
    write(ino: number, offset: number, from: Uint8Array): MaybePromise<number>;
    /** Creates a regular file, FIFO, socket or device node (`mode` carries the type; `rdev` for devices). */
    mknod(dirIno: number, name: string, mode: number, uid: number, gid: number, rdev: number): MaybePromise<FsAttr>;
    mkdir(dirIno: number, name: string, mode: number, uid: number, gid: number): MaybePromise<FsAttr>;
    symlink(dirIno: number, name: string, target: string, uid: number, gid: number): MaybePromise<FsAttr>;
    readlink(ino: number): MaybePromise<string>;
    link(ino: number, dirIno: number, name: string): MaybePromise<FsAttr>;
    unlink(dirIno: number, name: string): MaybePromise<void>;
    rmdir(dirIno: number, name: string): MaybePromise<void>;
    rename(fromDirIno: number, fromName: string, toDirIno: number, toName: string, flags: number): MaybePromise<void>;
    statfs(): MaybePromise<FsStatfs>;
    /** Writes back whatever is cached for `ino` (or everything when null). */
    sync(ino: number | null): MaybePromise<void>;
    /** The VFS holds no more references to `ino`: an unlinked inode may now be freed. */
    release(ino: number): MaybePromise<void>;
    unmount(): MaybePromise<void>;
}
interface MountContext extends PluginContext {
    /** The block device named as the mount source, or null for filesystems without one. */
    readonly device: BlockDevice | null;
    /** The mount source as given (`/dev/hda1`, a host directory, `none`). */
    readonly source: string;
    readonly readOnly: boolean;
}
interface FilesystemPlugin extends PluginManifest {
    readonly kind: 'filesystem';
    /** The type name `mount -t` and /proc/filesystems use (`ext2`, `vfat`, `tmpfs`). */
    readonly fsType: string;
    readonly needsDevice: boolean;
    mount(ctx: MountContext): MaybePromise<FileSystem>;
}

/**
 * The version of the driver ABI this package describes.
 *
 * Every plugin declares, in its `abi` field, the semver range of this version it was built against; the
 * kernel refuses a plugin whose range does not include the ABI_VERSION it was built with. The policy
 * (docs/driver-abi.md): adding a member or a kind is a minor bump; changing or removing anything is a
 * major bump. The declaration snapshot test in this package fails on any change, so no bump is forgotten.
 */
declare const ABI_VERSION = "1.2.0";

/** Any plugin, discriminated by `kind`. */
type Plugin = ArchPlugin | PageAllocatorPlugin | ObjectAllocatorPlugin | DriverPlugin | FilesystemPlugin | ConsolePlugin;

export { ABI_VERSION, type ArchContext, type ArchPlugin, type BlockDevice, type CacheOptions, type CharDevice, type Console, type ConsoleContext, type ConsolePlugin, type ConsoleSize, type Cpu, type CpuContext, type CpuidResult, DT_BLK, DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, DT_SOCK, DT_UNKNOWN, type DirEntry, type DriverContext, type DriverPlugin, type ErrnoError, type FaultInfo, type FileSystem, type FilesystemPlugin, type FpuImageFormat, type FsAttr, type FsAttrChanges, type FsStatfs, type IrqLines, type Logger, type MaybePromise, type MemoryWindow, type MountContext, type ObjectAllocator, type ObjectAllocatorContext, type ObjectAllocatorPlugin, type ObjectAllocatorStats, type ObjectCache, PAGE_SHIFT, PAGE_SIZE, PF_P, PF_U, PF_W, PLUGIN_KINDS, POLLERR, POLLHUP, POLLIN, POLLOUT, type PageAllocator, type PageAllocatorContext, type PageAllocatorPlugin, type PageAllocatorStats, type PhysAddr, type PhysicalMemory, type Plugin, type PluginContext, type PluginKind, type PluginManifest, type PluginOptions, type PortIo, type PortRange, type ProbeResult, RENAME_EXCHANGE, RENAME_NOREPLACE, Reg, type ResourceClaim, RunExit, SegReg, type SlabCacheStats, SyscallGate, type Timespec, type UserPtr, Vector, type VirtAddr, type WasmMemory, type WasmRam, type ZoneFreeAreas };
