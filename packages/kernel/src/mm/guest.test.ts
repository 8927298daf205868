// Real guest code on the emulated CPU (@kmos/cpu-i386, a devDependency) over page tables this mm built: the
// CPU's own MMU walks them and raises #PF, a tiny test kernel below passes each fault to handlePageFault and
// serves exit/fork/write/mmap2/munmap/brk through mm. The oracle is the program's own view of memory: what it
// reads back and reports through write(2) and its exit status, as the same program would on Linux.
import {
  type Cpu,
  type CpuContext,
  type Logger,
  PF_U,
  type PhysAddr,
  Reg,
  RunExit,
  type VirtAddr,
} from '@kmos/abi-driver';
import {
  __NR_brk,
  __NR_exit,
  __NR_fork,
  __NR_mmap2,
  __NR_munmap,
  __NR_write,
  EFAULT,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  SEGV_MAPERR,
  SIGSEGV,
} from '@kmos/abi-linux';
import { plugin as cpuPlugin } from '@kmos/cpu-i386';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import { AddressSpace, type MmuNotifier } from './address-space.js';
import { brk, mmap, mprotect, munmap, setBrkStart, setupStack } from './mmap.js';
import { type FaultSignal, handlePageFault } from './page-fault.js';
import { assembleFlat } from './testing/assemble.js';
import { ArrayFile } from './testing/file-source.js';
import { newMm, ptr } from './testing/harness.js';
import { sdmWalk } from './testing/sdm-walker.js';
import { copyFromUser, copyToUser } from './usercopy.js';

const CODE = 0x08048000;
const DATA = 0x0804c000;
const silent: Logger = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };

interface Proc {
  pid: number;
  as: AddressSpace;
  ctx: CpuContext;
  exit?: number;
  signal?: FaultSignal;
}

/** A notifier that reaches the CPU's TLB only while `as` is the loaded address space. */
function notifierFor(cpu: Cpu, holder: { as?: AddressSpace }): MmuNotifier {
  const loaded = () => holder.as !== undefined && cpu.cr3 === holder.as.cr3;
  return {
    invlpg: (a: VirtAddr) => {
      if (loaded()) cpu.invlpg(a);
    },
    flushTlb: () => {
      if (loaded()) cpu.flushTlb();
    },
    invalidateCode: (p, n) => cpu.invalidateCode(p, n),
  };
}

class TestKernel {
  readonly mm = newMm(32).mm;
  readonly cpu = cpuPlugin.createCpu({
    memory: this.mm.memory,
    log: silent,
    options: {},
    panic: (m) => {
      throw new Error(m);
    },
  });
  readonly procs: Proc[] = [];
  readonly runQueue: Proc[] = [];
  output = '';
  faults = 0;

  /** Starts a program; with `text`, its code is mapped from that file (MAP_PRIVATE) as an ELF loader would. */
  spawn(source: string, text?: ArrayFile): Proc {
    const code = assembleFlat(source, CODE);
    const holder: { as?: AddressSpace } = {};
    const as = AddressSpace.create(this.mm, notifierFor(this.cpu, holder));
    holder.as = as;
    if (text !== undefined) {
      text.data = code;
      const file = { source: text, readable: true, writable: false };
      mmap(as, CODE, code.length, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, file, 0);
    } else {
      mmap(as, CODE, code.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
      copyToUser(as, ptr(CODE), code);
      mprotect(as, CODE, code.length, PROT_READ | PROT_EXEC);
    }
    setBrkStart(as, DATA);
    const top = setupStack(as);
    const ctx = this.cpu.newContext();
    this.cpu.saveContext(ctx);
    ctx.gpr[Reg.ESP] = top - 16;
    ctx.eip = CODE;
    const proc: Proc = { pid: this.procs.length + 1, as, ctx };
    this.procs.push(proc);
    this.runQueue.push(proc);
    return proc;
  }

  runAll(): void {
    while (this.runQueue.length > 0) {
      const p = this.runQueue[0];
      this.cpu.setCr3(p.as.cr3);
      this.cpu.restoreContext(p.ctx);
      this.runUntilSwitch(p);
      this.cpu.saveContext(p.ctx);
      if (p.exit !== undefined || p.signal !== undefined) {
        this.runQueue.splice(this.runQueue.indexOf(p), 1);
        p.as.destroy();
      }
    }
  }

  /** Runs `p` until it exits, dies, or forks (the child then runs first). */
  private runUntilSwitch(p: Proc): void {
    for (let slices = 0; slices < 10_000; slices++) {
      const exit = this.cpu.run(100_000);
      if (exit === RunExit.Fault) {
        const f = this.cpu.fault;
        expect(f.vector).toBe(14);
        this.faults++;
        const r = handlePageFault(p.as, f.cr2, f.errorCode);
        if (r.kind === 'signal') {
          p.signal = r;
          return;
        }
        expect(r.kind).toBe('ok');
      } else if (exit === RunExit.Syscall) {
        if (this.syscall(p)) return;
      }
    }
    throw new Error('guest did not finish');
  }

  /** Serves one syscall; true when the scheduler must switch processes. */
  private syscall(p: Proc): boolean {
    const c = this.cpu;
    const [nr, b, cx, d, si, di] = [Reg.EAX, Reg.EBX, Reg.ECX, Reg.EDX, Reg.ESI, Reg.EDI].map(
      (r) => c.getReg(r) >>> 0,
    );
    const ret = (v: number) => c.setReg(Reg.EAX, v | 0);
    try {
      switch (nr) {
        case __NR_exit:
          p.exit = b;
          return true;
        case __NR_fork: {
          const childSelf: { as?: AddressSpace } = {};
          const child: Proc = {
            pid: this.procs.length + 1,
            as: p.as.fork(notifierFor(c, childSelf)),
            ctx: c.newContext(),
          };
          childSelf.as = child.as;
          c.saveContext(child.ctx);
          child.ctx.gpr[Reg.EAX] = 0;
          ret(child.pid);
          this.procs.push(child);
          this.runQueue.unshift(child);
          return true;
        }
        case __NR_write: {
          const bytes = new Uint8Array(d);
          copyFromUser(p.as, ptr(cx), bytes);
          this.output += String.fromCharCode(...bytes);
          ret(d);
          return false;
        }
        case __NR_mmap2:
          ret(mmap(p.as, b, cx, d, si, null, di * 4096));
          return false;
        case __NR_munmap:
          munmap(p.as, b, cx);
          ret(0);
          return false;
        case __NR_brk:
          ret(brk(p.as, b));
          return false;
      }
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      ret(-e.errno);
      return false;
    }
    throw new Error(`unexpected syscall ${nr}`);
  }
}

const EXIT = (code: string) => `mov ebx, ${code}\nmov eax, ${__NR_exit}\nint 0x80`;
const WRITE = (buf: string, len: number) =>
  `mov ebx, 1\nmov ecx, ${buf}\nmov edx, ${len}\nmov eax, ${__NR_write}\nint 0x80`;

describe('guest code on the emulated CPU', () => {
  it('faults in brk memory on demand, keeps fork children apart by copy-on-write, and frees everything', () => {
    const k = new TestKernel();
    const free0 = k.mm.pages.stats().freePages;
    k.spawn(`
      mov ebx, ${DATA + 0x3000}
      mov eax, ${__NR_brk}
      int 0x80
      mov dword ptr [${DATA + 0x10}], 0x41414141   # demand-zero fault in the heap
      mov dword ptr [${DATA + 0x2ff0}], 0x0a434241  # "ABC\\n" on the heap's last page
      mov eax, ${__NR_fork}
      int 0x80
      test eax, eax
      jnz parent
      mov dword ptr [${DATA + 0x10}], 0x43484c44  # "DLHC": copy-on-write in the child
      sub esp, 0x20000                             # stack growth: 128 KiB below the initial stack
      mov dword ptr [esp], 0x0a4b4f21
      mov ecx, esp
      mov ebx, 1
      mov edx, 4
      mov eax, ${__NR_write}
      int 0x80
      ${WRITE(`${DATA + 0x10}`, 4)}
      ${EXIT('7')}
    parent:
      ${WRITE(`${DATA + 0x10}`, 4)}
      ${WRITE(`${DATA + 0x2ff0}`, 4)}
      ${EXIT(`[${DATA + 0x10}]`)}
    `);
    k.runAll();
    expect(k.output).toBe('!OK\nDLHCAAAAABC\n');
    expect(k.procs.map((p) => [p.exit, p.signal])).toEqual([
      [0x41414141, undefined],
      [7, undefined],
    ]);
    // Two demand-zero heap pages in the parent; in the child one COW break and one stack-growth fault.
    expect(k.faults).toBe(4);
    expect(k.mm.pages.stats().freePages).toBe(free0);
  });

  it('delivers SIGSEGV with SEGV_MAPERR and si_addr for a wild store, and EFAULT for a bad write(2) buffer', () => {
    const k = new TestKernel();
    const p = k.spawn(`
      ${WRITE('0x1234', 4)}
      cmp eax, ${-EFAULT}
      jne bad
      mov dword ptr [0x10], eax
    bad:
      ${EXIT('99')}
    `);
    k.runAll();
    expect(p.exit).toBeUndefined();
    expect(p.signal).toEqual({ kind: 'signal', signo: SIGSEGV, code: SEGV_MAPERR, addr: 0x10 });
  });

  it('maps, uses and unmaps anonymous memory through mmap2 and munmap', () => {
    const k = new TestKernel();
    const p = k.spawn(`
      xor ebx, ebx
      mov ecx, 0x3000
      mov edx, ${PROT_READ | PROT_WRITE}
      mov esi, ${MAP_PRIVATE | MAP_ANONYMOUS}
      mov edi, -1
      xor ebp, ebp
      mov eax, ${__NR_mmap2}
      int 0x80
      mov esi, eax
      mov dword ptr [esi + 0x2ffc], 0x0a214948   # "HI!\\n" at the end of the mapping
      lea ecx, [esi + 0x2ffc]
      mov ebx, 1
      mov edx, 4
      mov eax, ${__NR_write}
      int 0x80
      mov ebx, esi
      mov ecx, 0x3000
      mov eax, ${__NR_munmap}
      int 0x80
      mov eax, [esi]                              # now unmapped: SIGSEGV
      ${EXIT('0')}
    `);
    k.runAll();
    expect(k.output).toBe('HI!\n');
    expect(p.signal).toMatchObject({ signo: SIGSEGV, code: SEGV_MAPERR });
    expect(p.signal?.addr).toBe(0xb8000000 - 0x3000);
  });

  it('runs two processes from one file-backed text mapping, sharing its frame read-only', () => {
    const k = new TestKernel();
    const free0 = k.mm.pages.stats().freePages;
    const text = new ArrayFile(new Uint8Array(0), '/bin/hello');
    const program = `${WRITE('offset msg', 3)}\n${EXIT('3')}\nmsg: .ascii "hi\\n"`;
    const a = k.spawn(program, text);
    const b = k.spawn(program, text);
    expect(a.as.pd.pte(CODE)).toBe(0); // loaded lazily: the first instruction fetch faults it in
    k.runAll();
    expect(k.output).toBe('hi\nhi\n');
    expect([a.exit, b.exit]).toEqual([3, 3]);
    expect(text.reads).toBe(1);
    expect(k.faults).toBe(2);
    expect(k.mm.pages.stats().freePages).toBe(free0);
    // Sharing, seen directly: both map the cache's frame, read-only, held by the cache and two PTEs.
    const c = k.spawn(program, text);
    const d = k.spawn(program, text);
    for (const p of [c, d]) expect(handlePageFault(p.as, CODE, PF_U).kind).toBe('ok');
    const frame = sdmWalk(k.mm.memory, c.as.cr3, CODE);
    expect(sdmWalk(k.mm.memory, d.as.cr3, CODE)).toEqual(frame);
    expect(frame.userWrite).toBe(false);
    expect(k.mm.frames.refs.count((frame.phys & ~0xfff) as PhysAddr)).toBe(3);
  });
});
