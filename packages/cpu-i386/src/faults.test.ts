/**
 * Exceptions and the MMU, checked against the rules of the Intel SDM (vol. 3 ch. 4 and 6): vector, error
 * code and CR2 of each fault, registers unchanged so the instruction restarts, page-crossing accesses,
 * U/S and R/W violations, A/D bits, PSE pages, TLB invalidation, REP MOVS stopping midway, segments.
 */
import { type PhysAddr, Reg, RunExit, SegReg, SyscallGate, type VirtAddr } from '@kmos/abi-driver';
import { beforeAll, describe, expect, it } from 'vitest';
import { PDE_PS, PTE_A, PTE_D } from './constants.js';
import type { RegionCompiler } from './cpu.js';
import { assemble, GuestMachine, USER_RO, USER_RW } from './testing/guest.js';

const CODE = 0x00400000;
const DATA = 0x00600000;
const STACK_TOP = 0x00800000;
const PF = 14;
const GP = 13;

/** 0: no traces; 1: every block is compiled on first sight (set per suite below). */
let jitThreshold = 0;
/** Whether code not compiled runs as decoded blocks (set per suite below). */
let decodeBlocks = false;
/** What hot code compiles to in the current mode. */
let compiler: RegionCompiler = 'js';

function machineWith(source: string): { m: GuestMachine; labels: Map<string, number> } {
  const { code, labels } = assemble(source);
  const m = new GuestMachine(16 << 20, jitThreshold, decodeBlocks, compiler);
  for (let off = 0; off < code.length; off += 4096) m.map(CODE + off);
  m.write(CODE, code);
  m.map(STACK_TOP - 4096);
  m.cpu.setReg(Reg.ESP, STACK_TOP - 16);
  m.cpu.eip = CODE;
  return { m, labels };
}

function regs(m: GuestMachine): number[] {
  return [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg));
}

for (const [mode, threshold, decoded, regions] of [
  ['interpreter', 0, false, 'js'],
  ['decoded blocks', 0, true, 'js'],
  ['compiled blocks', 1, false, 'js'],
  ['WebAssembly regions', 1, false, 'wasm'],
  // With the decoded tier, as `kmos run` runs: fewer labels, so more code between them.
  ['WebAssembly regions after decoded blocks', 1, true, 'wasm'],
] as const) {
  describe(mode, () => {
    beforeAll(() => {
      jitThreshold = threshold;
      decodeBlocks = decoded;
      compiler = regions;
    });
    describe('page faults', () => {
      it('reports a read of an unmapped page with U set, P clear, CR2 and EIP on the instruction', () => {
        const { m } = machineWith(`mov ebx, 5\nl: mov eax, [${DATA + 0x123}]\nint 0x80`);
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 4, cr2: DATA + 0x123 });
        expect(m.cpu.eip).toBe(CODE + 5);
        expect(m.cpu.getReg(Reg.EBX)).toBe(5);
        m.map(DATA);
        m.write(DATA + 0x123, new Uint8Array([0x78, 0x56, 0x34, 0x12]));
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(0x12345678);
      });

      it('reports a write to a read-only page as P|W|U and leaves memory and flags alone', () => {
        const { m } = machineWith(`stc\nadd dword ptr [${DATA}], 1\nint 0x80`);
        m.map(DATA, USER_RO);
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 7, cr2: DATA });
        expect(m.cpu.eflags & 1).toBe(1);
        expect(m.cpu.eip).toBe(CODE + 1);
      });

      it('keeps CF for ADC when its memory write faults, so the restart adds the same carry', () => {
        const { m } = machineWith(`stc\nadc dword ptr [${DATA}], 1\nint 0x80`);
        m.map(DATA, USER_RO);
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        m.memory.u32[m.pteIndex(DATA)] |= 2; // the kernel resolves the COW fault
        m.cpu.invlpg(DATA as VirtAddr);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.read(DATA, 1)[0]).toBe(2);
      });

      it('refuses a supervisor page to ring 3 with P|U (read) and P|W|U (write)', () => {
        const { m } = machineWith(`mov eax, [${DATA}]\nint 0x80`);
        m.map(DATA, 0x1 | 0x2);
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 5, cr2: DATA });
        const w = machineWith(`mov [${DATA}], eax\nint 0x80`).m;
        w.map(DATA, 0x1 | 0x2);
        expect(w.cpu.run(100)).toBe(RunExit.Fault);
        expect(w.cpu.fault).toMatchObject({ vector: PF, errorCode: 7 });
      });

      it('checks both pages of a straddling write before writing any byte', () => {
        const { m } = machineWith(`mov eax, 0x11223344\nmov [${DATA + 0xffe}], eax\nint 0x80`);
        m.map(DATA);
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 6, cr2: DATA + 0x1000 });
        expect(Array.from(m.read(DATA + 0xffe, 2))).toEqual([0, 0]);
        m.map(DATA + 0x1000);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(Array.from(m.read(DATA + 0xffe, 4))).toEqual([0x44, 0x33, 0x22, 0x11]);
      });

      it('reads across a page boundary from two different frames', () => {
        const { m } = machineWith(`mov eax, [${DATA + 0xffd}]\nint 0x80`);
        m.map(DATA);
        m.map(DATA + 0x1000);
        m.write(DATA + 0xffd, new Uint8Array([1, 2, 3, 4]));
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(0x04030201);
      });

      it('sets A on a read and D on a write in the PTE and A in the PDE', () => {
        const { m } = machineWith(`mov eax, [${DATA}]\nint 0x80\nmov [${DATA}], eax\nint 0x80`);
        m.map(DATA);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.pte(DATA) & (PTE_A | PTE_D)).toBe(PTE_A);
        expect(m.memory.u32[(GuestMachine.PD_PHYS >>> 2) + (DATA >>> 22)] & PTE_A).toBe(PTE_A);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.pte(DATA) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
      });

      it('maps 4 MiB PSE pages and sets A/D in the PDE', () => {
        const big = 0x08000000;
        const { m } = machineWith(
          `mov dword ptr [${big + 0x1234}], 0xabcd\nmov eax, [${big + 0x1234}]\nint 0x80`,
        );
        const pdi = (GuestMachine.PD_PHYS >>> 2) + (big >>> 22);
        m.memory.u32[pdi] = 0x00400000 | PDE_PS | USER_RW;
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(0xabcd);
        expect(m.memory.u32[(0x00400000 + 0x1234) >>> 2]).toBe(0xabcd);
        expect(m.memory.u32[pdi] & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
      });

      it('sees a changed PTE after invlpg and after setCr3', () => {
        const { m } = machineWith(
          `mov eax, [${DATA}]\nint 0x80\nmov eax, [${DATA}]\nint 0x80\nmov eax, [${DATA}]\nint 0x80`,
        );
        const f1 = m.map(DATA);
        const f2 = m.allocFrame();
        const f3 = m.allocFrame();
        m.memory.u32[f1 >>> 2] = 1;
        m.memory.u32[f2 >>> 2] = 2;
        m.memory.u32[f3 >>> 2] = 3;
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(1);
        m.map(DATA, USER_RW, f2);
        m.cpu.invlpg(DATA as VirtAddr);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(2);
        m.map(DATA, USER_RW, f3);
        m.cpu.setCr3(GuestMachine.PD_PHYS as PhysAddr);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(3);
      });

      it('reads 0xFF beyond RAM and drops writes there', () => {
        const { m } = machineWith(`mov dword ptr [${DATA}], 0\nmov eax, [${DATA}]\nint 0x80`);
        m.map(DATA, USER_RW, 0x7000000); // 112 MiB: past the 16 MiB of RAM
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(0xffffffff);
      });

      it('stops REP MOVSB at the faulting byte with ECX/ESI/EDI there, then resumes', () => {
        const { m } = machineWith(
          `cld\nmov esi, ${DATA}\nmov edi, ${DATA + 0x10000 + 0xff0}\nmov ecx, 0x40\nrep movsb\nint 0x80`,
        );
        m.map(DATA);
        m.map(DATA + 0x10000);
        const src = new Uint8Array(0x40).map((_, i) => i + 1);
        m.write(DATA, src);
        expect(m.cpu.run(1000)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 6, cr2: DATA + 0x11000 });
        expect(m.cpu.getReg(Reg.ECX)).toBe(0x30);
        expect(m.cpu.getReg(Reg.ESI)).toBe(DATA + 0x10);
        expect(m.cpu.getReg(Reg.EDI)).toBe(DATA + 0x11000);
        m.map(DATA + 0x11000);
        expect(m.cpu.run(1000)).toBe(RunExit.Syscall);
        expect(Array.from(m.read(DATA + 0x10ff0, 0x40))).toEqual(Array.from(src));
        expect(m.cpu.getReg(Reg.ECX)).toBe(0);
      });

      it('faults out of a hot store loop with the iterations before it retired and EDI/ECX where they stopped', () => {
        const { m } = machineWith(
          `mov edi, ${DATA}\nmov ecx, 5000\nl: mov [edi], ecx\nadd edi, 4\ndec ecx\njnz l\nint 0x80`,
        );
        m.map(DATA);
        expect(m.cpu.run(1_000_000)).toBe(RunExit.Fault);
        // 1024 dword stores fill the page; the 1025th faults: 2 set-up instructions + 1024 passes of 4.
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 6, cr2: DATA + 4096 });
        expect(m.cpu.insns).toBe(2 + 1024 * 4);
        expect(m.cpu.getReg(Reg.EDI)).toBe(DATA + 4096);
        expect(m.cpu.getReg(Reg.ECX)).toBe(5000 - 1024);
        expect(m.cpu.eip).toBe(CODE + 10);
      });

      it('REP MOVSB with the destination one byte above the source repeats the first byte, as byte copies do', () => {
        const { m } = machineWith(
          `cld\nmov esi, ${DATA + 0xff0}\nmov edi, ${DATA + 0xff1}\nmov ecx, 0x40\nrep movsb\nint 0x80`,
        );
        m.map(DATA);
        m.map(DATA + 0x1000);
        m.write(DATA + 0xff0, new Uint8Array([0xab, 1, 2, 3]));
        expect(m.cpu.run(1000)).toBe(RunExit.Syscall);
        expect(Array.from(m.read(DATA + 0xff0, 0x41))).toEqual(Array(0x41).fill(0xab));
      });

      it('REP STOSD/STOSW fill across pages and stop at an unmapped one with ECX/EDI exact', () => {
        const { m } = machineWith(
          `cld\nmov eax, 0x11223344\nmov edi, ${DATA + 2}\nmov ecx, 0x600\nrep stosd\nint 0x80\nmov edi, ${DATA + 0x1ffd}\nmov ecx, 3\nrep stosw\nint 0x80`,
        );
        m.map(DATA);
        expect(m.cpu.run(1000)).toBe(RunExit.Fault);
        // 1023 dwords fit before DATA+0xffe; the 1024th straddles into the unmapped page and faults whole.
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 6, cr2: DATA + 0x1000 });
        expect(m.cpu.getReg(Reg.ECX)).toBe(0x600 - 1023);
        expect(m.cpu.getReg(Reg.EDI)).toBe(DATA + 2 + 1023 * 4);
        expect(Array.from(m.read(DATA, 8))).toEqual([0, 0, 0x44, 0x33, 0x22, 0x11, 0x44, 0x33]);
        m.map(DATA + 0x1000);
        expect(m.cpu.run(1000)).toBe(RunExit.Syscall);
        expect(Array.from(m.read(DATA + 0x17fe, 5))).toEqual([0x44, 0x33, 0x22, 0x11, 0]);
        // STOSW: the word at 0x1ffd fits, the one at 0x1fff straddles into the unmapped third page.
        expect(m.cpu.run(1000)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 6, cr2: DATA + 0x2000 });
        expect(m.cpu.getReg(Reg.ECX)).toBe(2);
        expect(m.cpu.getReg(Reg.EDI)).toBe(DATA + 0x1fff);
        m.map(DATA + 0x2000);
        expect(m.cpu.run(1000)).toBe(RunExit.Syscall);
        expect(Array.from(m.read(DATA + 0x1ffd, 7))).toEqual([0x44, 0x33, 0x44, 0x33, 0x44, 0x33, 0]);
      });

      it('leaves ESP unchanged when a CALL cannot push', () => {
        const { m } = machineWith('call f\nf: int 0x80');
        m.cpu.setReg(Reg.ESP, STACK_TOP - 4096); // the page below is unmapped
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 6, cr2: STACK_TOP - 4096 - 4 });
        expect(m.cpu.getReg(Reg.ESP)).toBe(STACK_TOP - 4096);
        expect(m.cpu.eip).toBe(CODE);
      });

      it('faults on an instruction fetch from an unmapped page', () => {
        const { m } = machineWith('jmp eax');
        m.cpu.setReg(Reg.EAX, 0x12345000);
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: PF, errorCode: 4, cr2: 0x12345000 });
        expect(m.cpu.eip).toBe(0x12345000);
      });
    });

    describe('exceptions other than #PF', () => {
      const cases: [string, string, number, number, 'fault' | 'trap'][] = [
        ['div by zero', 'xor ecx, ecx\nl: div ecx', 0, -1, 'fault'],
        ['idiv overflow', 'mov eax, 0x80000000\nmov edx, -1\nmov ecx, -1\nl: idiv ecx', 0, -1, 'fault'],
        ['aam 0', 'l: aam 0', 0, -1, 'fault'],
        ['int3', 'l: int3', 3, -1, 'trap'],
        ['int 3', 'l: int 3', 3, -1, 'trap'],
        ['int1 (icebp)', 'l: .byte 0xf1', 1, -1, 'trap'],
        ['into with OF', 'mov al, 0x7f\nadd al, 1\nl: into', 4, -1, 'trap'],
        ['bound', `mov eax, 10\nl: bound eax, [${DATA}]`, 5, -1, 'fault'],
        ['ud2', 'l: ud2', 6, -1, 'fault'],
        ['lock on a register form', 'l: .byte 0xf0, 0x01, 0xd8', 6, -1, 'fault'],
        ['lock nop', 'l: .byte 0xf0, 0x90', 6, -1, 'fault'],
        ['mov to cs', 'l: .byte 0x8e, 0xc8', 6, -1, 'fault'],
        ['pop cs (0x0f is the 0F escape; 0F FF is undefined)', 'l: .byte 0x0f, 0xff', 6, -1, 'fault'],
        ['hlt', 'l: hlt', GP, 0, 'fault'],
        ['cli', 'l: cli', GP, 0, 'fault'],
        ['in', 'l: in al, dx', GP, 0, 'fault'],
        ['out', 'l: out 0x80, al', GP, 0, 'fault'],
        ['int 0x21', 'l: int 0x21', GP, 0x21 * 8 + 2, 'fault'],
        ['mov cr0', 'l: mov eax, cr0', GP, 0, 'fault'],
        ['lgdt', `l: lgdt [${DATA}]`, GP, 0, 'fault'],
        ['load a DPL 0 selector', 'mov ax, 0x10\nl: mov ds, ax', GP, 0x10, 'fault'],
        ['load a selector past the GDT', 'mov ax, 0x3fb\nl: mov es, ax', GP, 0x3f8, 'fault'],
        ['use a null FS', 'xor eax, eax\nmov fs, ax\nl: mov eax, fs:[0]', GP, 0, 'fault'],
        ['too many prefixes', `l: .byte ${Array(15).fill('0x66').join(',')}, 0x90`, GP, 0, 'fault'],
      ];
      for (const [name, source, vector, errorCode, kind] of cases) {
        it(`${name}: vector ${vector}, error code ${errorCode}, ${kind}`, () => {
          const { m, labels } = machineWith(`${source}\nafter: int 0x80`);
          m.map(DATA);
          m.write(DATA, new Uint8Array([0, 0, 0, 0, 5, 0, 0, 0]));
          const exit = m.cpu.run(100);
          expect(exit).toBe(RunExit.Fault);
          expect(m.cpu.fault).toMatchObject({ vector, errorCode, trap: kind === 'trap' });
          const at = kind === 'fault' ? labels.get('l') : labels.get('after');
          expect(m.cpu.eip).toBe(CODE + (at ?? -1));
        });
      }

      it('restores every register and EFLAGS when a fault interrupts an instruction', () => {
        const { m } = machineWith(
          `stc\nstd\nmov eax, 1\nmov ecx, 2\nmov edx, 3\nmov ebx, 4\nmov ebp, 6\nmov esi, 7\nmov edi, 8\nl: pushad\nint 0x80`,
        );
        m.cpu.setReg(Reg.ESP, STACK_TOP - 4096 + 8); // room for two of the eight pushes
        expect(m.cpu.run(9)).toBe(RunExit.Budget);
        const before = regs(m);
        const flags = m.cpu.eflags;
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(regs(m)).toEqual(before);
        expect(m.cpu.eflags).toBe(flags);
      });
    });

    describe('exits', () => {
      it('returns Syscall for int 0x80 and sysenter with EIP past them', () => {
        const { m } = machineWith('int 0x80\nsysenter\nint 0x80');
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.syscallGate).toBe(SyscallGate.Int80);
        expect(m.cpu.eip).toBe(CODE + 2);
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.syscallGate).toBe(SyscallGate.Sysenter);
        expect(m.cpu.eip).toBe(CODE + 4);
      });

      it('returns Budget after exactly the budget and Irq at the next boundary', () => {
        const { m } = machineWith('l: inc eax\njmp l');
        expect(m.cpu.run(1001)).toBe(RunExit.Budget);
        expect(m.cpu.getReg(Reg.EAX)).toBe(501);
        expect(m.cpu.insns).toBe(1001);
        m.cpu.requestInterrupt();
        expect(m.cpu.run(1000)).toBe(RunExit.Irq);
        expect(m.cpu.insns).toBe(1001);
      });

      it('splits the instructions retired into compiled and interpreted in stats(), a fault included', () => {
        const { m } = machineWith(`mov ecx, 300\nl: inc eax\ndec ecx\njnz l\nmov eax, [${DATA}]\nint 0x80`);
        expect(m.cpu.run(10_000)).toBe(RunExit.Fault);
        const stats = m.cpu.stats();
        expect(stats.compiledInsns + stats.interpretedInsns).toBe(m.cpu.insns);
        if (jitThreshold > 0) expect(stats.compiledInsns).toBeGreaterThan(0);
        else expect(stats).toMatchObject({ compiledBlocks: 0, compiledInsns: 0 });
      });

      it('counts RDTSC in instructions retired', () => {
        const { m } = machineWith('nop\nnop\nrdtsc\nint 0x80');
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(2);
        expect(m.cpu.getReg(Reg.EDX)).toBe(0);
      });
    });

    describe('code and segments', () => {
      it('runs code it has just rewritten', () => {
        const { m } = machineWith(
          `mov ecx, 2\nagain:\npatch: mov eax, 7\nmov byte ptr [patch + 1 + ${CODE}], 42\ndec ecx\njnz again\nint 0x80`,
        );
        expect(m.cpu.run(100)).toBe(RunExit.Syscall);
        expect(m.cpu.getReg(Reg.EAX)).toBe(42);
      });

      it('applies a TLS descriptor base and limit through GS', () => {
        const { m } = machineWith(
          'mov ax, 0x33\nmov gs, ax\nmov eax, gs:[0x14]\nmov ecx, gs:[0x100]\nint 0x80',
        );
        m.map(DATA);
        m.write(DATA + 0x14, new Uint8Array([0xef, 0xbe, 0xad, 0xde]));
        // GDT entry 6: base DATA, limit 0xff (bytes), 32-bit data, DPL 3, present.
        const base = DATA;
        m.cpu.setGdtEntry(
          6,
          ((base & 0xffff) << 16) | 0xff,
          (base & 0xff000000) | ((base >>> 16) & 0xff) | 0x0040f300,
        );
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: GP, errorCode: 0 });
        expect(m.cpu.getReg(Reg.EAX)).toBe(0xdeadbeef);
        expect(m.cpu.getSeg(SegReg.GS)).toBe(0x33);
      });

      it('reads and writes through a 4 GiB TLS segment in a hot loop (Linux set_thread_area)', () => {
        const { m } = machineWith(
          'mov ax, 0x3b\nmov gs, ax\nmov ecx, 100\nl: mov eax, gs:[0x14]\nadd eax, ecx\nmov gs:[0x14], eax\nmov dl, gs:[0x14]\nmovzx ebx, byte ptr gs:[0x15]\ndec ecx\njnz l\nint 0x80',
        );
        m.map(DATA);
        const base = DATA;
        m.cpu.setGdtEntry(
          7,
          ((base & 0xffff) << 16) | 0xffff,
          (base & 0xff000000) | ((base >>> 16) & 0xff) | 0x00cff300,
        );
        expect(m.cpu.run(10_000)).toBe(RunExit.Syscall);
        const sum = (100 * 101) / 2;
        expect(new DataView(m.read(DATA + 0x14, 4).buffer).getUint32(0, true)).toBe(sum);
        expect(m.cpu.getReg(Reg.EAX)).toBe(sum);
        expect(m.cpu.getReg(Reg.EDX) & 0xff).toBe(sum & 0xff);
        expect(m.cpu.getReg(Reg.EBX)).toBe((sum >>> 8) & 0xff);
      });

      it('checks the last byte of an operand against a GS limit', () => {
        const { m, labels } = machineWith(
          'mov ax, 0x33\nmov gs, ax\nmov al, gs:[0xff]\nl: mov eax, gs:[0xfe]\nint 0x80',
        );
        m.map(DATA);
        const base = DATA;
        m.cpu.setGdtEntry(
          6,
          ((base & 0xffff) << 16) | 0xff,
          (base & 0xff000000) | ((base >>> 16) & 0xff) | 0x0040f300,
        );
        expect(m.cpu.run(100)).toBe(RunExit.Fault);
        expect(m.cpu.fault).toMatchObject({ vector: GP, errorCode: 0 });
        expect(m.cpu.eip).toBe(CODE + (labels.get('l') ?? -1));
      });
    });
  });
}
