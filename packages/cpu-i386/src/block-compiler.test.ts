/**
 * Traces against the interpreter on hand-written code for each way a trace can go wrong: a RET that does not
 * come back to the call the trace followed, side exits of predicted branches, loops that run out of budget,
 * a fault in the middle of a followed trace, and stores into the trace's own code. Each program runs on a
 * machine that interprets only and on one that compiles on first sight; state, instruction counts, exits
 * and memory must be equal.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import type { RegionCompiler } from './cpu.js';
import {
  assemble,
  GuestMachine,
  TEST_CODE,
  TEST_DATA,
  TEST_STACK_TOP,
  testProgram,
} from './testing/guest.js';
import { decodedEntryOffset } from './wasm/arch-state.js';
import { chainEntrySet } from './wasm/region-chain.js';

interface Outcome {
  regs: number[];
  eip: number;
  eflags: number;
  exits: number[];
  data: number[];
}

function runProgram(
  source: string,
  jit: number,
  budget: number,
  runs = 8,
  compiler: RegionCompiler = 'js',
  decodeBlocks = false,
): Outcome {
  const { code } = assemble(source);
  const m = testProgram(code, [0, 0, 0, TEST_DATA], jit, decodeBlocks, compiler);
  const exits: number[] = [];
  for (let i = 0; i < runs; i++) {
    const exit = m.cpu.run(budget);
    exits.push(exit, m.cpu.insns);
    if (exit === RunExit.Fault) {
      exits.push(m.cpu.fault.vector, m.cpu.fault.cr2);
      break;
    }
    if (exit !== RunExit.Budget) break;
  }
  return {
    regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg)),
    eip: m.cpu.eip,
    eflags: m.cpu.eflags,
    exits,
    data: Array.from(m.read(TEST_DATA, 256)),
  };
}

/**
 * `thresholds`: runs of a block before its region is compiled (more runs, more of the code is hot). Both
 * region compilers must agree with the interpreter, with decoded blocks (long runs between labels, as in
 * real use) and, unless `decodeBlocks`, without (every instruction a block of its own, so a label of the
 * region); returns the JS regions' outcome in the mode `decodeBlocks` names.
 */
function expectSameAsInterpreter(
  source: string,
  budget = 1000,
  runs = 8,
  thresholds = [1],
  decodeBlocks = false,
): Outcome {
  const interpreted = runProgram(source, 0, budget, runs);
  let compiled = interpreted;
  for (const jit of thresholds) {
    for (const decoded of new Set([decodeBlocks, true])) {
      expect(runProgram(source, jit, budget, runs, 'wasm', decoded)).toEqual(interpreted);
      expect(runProgram(source, jit, budget, runs, 'js', decoded)).toEqual(interpreted);
    }
    compiled = runProgram(source, jit, budget, runs, 'js', decodeBlocks);
  }
  return compiled;
}

describe('traces', () => {
  it('leave when a RET does not return to the call they followed', () => {
    // The first instruction is interpreted (its page is not in the TLB yet); the trace starts at the call.
    const out = expectSameAsInterpreter(`
      nop
      call f
    back:
      mov eax, 1
      int 0x80
    f:
      add dword ptr [esp], elsewhere - back
      ret
    elsewhere:
      mov eax, 2
      int 0x80
    `);
    expect(out.regs[Reg.EAX]).toBe(2);
  });

  it('continue through a RET that does return to the followed call', () => {
    const out = expectSameAsInterpreter(`
      mov ecx, 50
    again:
      call f
      dec ecx
      jnz again
      int 0x80
    f:
      add dword ptr [ebx], 3
      ret
    `);
    expect(out.data[0]).toBe(150);
  });

  it('take side exits of branches predicted the other way, with flags intact', () => {
    expectSameAsInterpreter(`
      xor esi, esi
      mov ecx, 200
    top:
      mov eax, ecx
      and eax, 7
      cmp eax, 3
      je rare
    back:
      add esi, ecx
      sub ecx, 1
      ja top
      int 0x80
    rare:
      adc esi, 1
      jmp back
    `);
  });

  it('stop loops exactly at the budget, pass after pass', () => {
    const out = expectSameAsInterpreter(
      `
      mov ecx, 100000
    spin:
      add eax, ecx
      mov [ebx+4], eax
      loop_end:
      dec ecx
      jnz spin
      int 0x80
    `,
      37,
      50,
    );
    expect(out.exits.length).toBeGreaterThan(2);
  });

  it('make no entry of a region where a time slice ends or resumes inside a block, whatever the budget', () => {
    // An entry is a label, which splits the region's straight-line code (see Block.midway).
    const source = `
      mov ecx, 3000
    spin:
      add eax, ecx
      xor edx, eax
      rol edx, 3
      mov [ebx+4], eax
      sub esi, edx
      lea edi, [esi+ecx*2]
      imul ebp, edi, 3
      dec ecx
      jnz spin
      int 0x80
    `;
    const regions = (budget: number, compiler: RegionCompiler) => {
      const m = testProgram(assemble(source).code, [0, 0, 0, TEST_DATA], 64, true, compiler);
      let exit: number = RunExit.Budget;
      for (let i = 0; i < 1e5 && exit === RunExit.Budget; i++) exit = m.cpu.run(budget);
      expect(exit).toBe(RunExit.Syscall);
      const { compiledBlocks, regionEntries } = m.cpu.stats();
      return { compiledBlocks, regionEntries };
    };
    for (const compiler of ['js', 'wasm'] as const) {
      const whole = regions(1e6, compiler);
      expect(whole).toEqual({ compiledBlocks: 1, regionEntries: 1 });
      for (const budget of [5, 7, 13, 997]) expect(regions(budget, compiler)).toEqual(whole);
    }
    for (const budget of [7, 997]) expectSameAsInterpreter(source, budget, 10000, [1, 64], true);
  });

  it('make no entry of a region where an instruction that faulted is restarted (stores to pages not yet mapped)', () => {
    const fresh = 0x00800000;
    const source = `
      mov ecx, 40
      mov edi, ${fresh}
    fill:
      add eax, ecx
      mov [edi], eax
      xor edx, eax
      add edi, 0x1000
      dec ecx
      jnz fill
      int 0x80
    `;
    /** Runs the loop, mapping each page on its fault (or all of them before): its regions, EAX and EDX. */
    const run = (compiler: RegionCompiler, mapFirst: boolean) => {
      const m = testProgram(assemble(source).code, [], 8, true, compiler);
      if (mapFirst) for (let page = 0; page < 40; page++) m.map(fresh + page * 0x1000);
      let faults = 0;
      let exit = m.cpu.run(1e6);
      for (; exit === RunExit.Fault && m.cpu.fault.vector === 14; exit = m.cpu.run(1e6)) {
        m.map(m.cpu.fault.cr2 & ~0xfff);
        faults++;
      }
      expect(exit).toBe(RunExit.Syscall);
      expect(faults).toBe(mapFirst ? 0 : 40);
      const { compiledBlocks, regionEntries } = m.cpu.stats();
      return { compiledBlocks, regionEntries, eax: m.cpu.getReg(Reg.EAX), edx: m.cpu.getReg(Reg.EDX) };
    };
    for (const compiler of ['js', 'wasm'] as const) expect(run(compiler, false)).toEqual(run(compiler, true));
  });

  it('stop exactly at the budget when code after an inner loop runs in the same trace', () => {
    expectSameAsInterpreter(
      `
      mov edx, 1000
    outer:
      mov ecx, 3
    inner:
      add eax, ecx
      dec ecx
      jnz inner
      add esi, eax
      mov [ebx+8], esi
      sub edx, 1
      xor edi, esi
      add edi, 7
      jnz outer
      int 0x80
    `,
      23,
      60,
    );
  });

  it('run TEST r/m8, imm8 and CLD/STD in place, with the flags and DF a following instruction sees', () => {
    expectSameAsInterpreter(`
      mov ecx, 300
      mov byte ptr [ebx+16], 0x5a
    top:
      std
      test byte ptr [ebx+16], 0x40
      setnz al
      add esi, eax
      test cl, 3
      jz skip
      cld
    skip:
      pushfd
      pop edx
      and edx, 0x400
      add edi, edx
      dec ecx
      jnz top
      int 0x80
    `);
  });

  it('run LOCK CMPXCHG, LOCK XADD and LOCK ADD in place, and leave illegal LOCK forms to the interpreter', () => {
    const out = expectSameAsInterpreter(`
      mov ecx, 200
      mov dword ptr [ebx+32], 5
    top:
      mov eax, [ebx+32]
      lea edx, [eax+3]
      lock cmpxchg [ebx+32], edx
      mov esi, 1
      lock xadd [ebx+36], esi
      lock add dword ptr [ebx+40], 7
      cmp eax, 9999
      lock cmpxchg [ebx+32], edx
      dec ecx
      jnz top
      .byte 0xf0, 0x01, 0xc8 # lock add eax, ecx: the assembler refuses it, the CPU raises #UD
      int 0x80
    `);
    expect(out.exits).toContain(6); // #UD for LOCK with a register destination
  });

  it('run instructions without a template in place and go on after them', () => {
    expectSameAsInterpreter(`
      mov ecx, 300
    top:
      mov eax, ecx
      bsf edx, eax
      add esi, edx
      bswap eax
      xor edi, eax
      movsx eax, ax
      adc edi, eax
      lea edi, [ebx+64]
      mov eax, ecx
      push ecx
      mov ecx, 4
      rep stosd
      pop ecx
      loop top
      int 0x80
    `);
  });

  it('keep a REP MOVS interrupted by a fault in a trace where it stopped', () => {
    const out = expectSameAsInterpreter(`
      mov edx, 3
    top:
      lea esi, [ebx+128]
      lea edi, [ebx+4000]
      mov ecx, 64
      rep movsd
      dec edx
      jnz top
      int 0x80
    `);
    expect(out.exits).toContain(14); // the copy runs off the data page
  });

  it('roll back a fault in the middle of a followed trace to the faulting instruction', () => {
    const out = expectSameAsInterpreter(`
      mov ecx, 5
    again:
      add dword ptr [ebx], 1
      jmp next
    next:
      dec ecx
      jnz again
      cmp eax, eax
      mov edx, [0x12345678]
      int 0x80
    `);
    expect(out.exits).toContain(RunExit.Fault);
  });

  it('leave after a store into their own code, and run the new code', () => {
    const out = expectSameAsInterpreter(`
      call here
    here:
      pop edx
      mov ecx, 3
      xor esi, esi
    top:
      mov byte ptr [edx + patch - here + 1], cl
    patch:
      mov eax, 100
      add esi, eax
      dec ecx
      jnz top
      int 0x80
    `);
    expect(out.regs[Reg.ESI]).toBe(3 + 2 + 1);
  });
});

describe('regions', () => {
  it('keep the carry of CMP, ADD and TEST through INC and DEC (they leave CF alone)', () => {
    // Each ADC reads the CF that the flag-setting instruction two before it left, past an INC or a DEC
    // (TEST clears the CF that STC set).
    const out = expectSameAsInterpreter(
      `
      mov ecx, 300
      mov eax, 0x7ffffff0
    l:
      cmp eax, ecx
      inc ebx
      adc edx, 0
      add eax, 0x10000001
      dec esi
      adc edi, 0
      stc
      test eax, eax
      inc ebp
      adc edx, edi
      dec ecx
      jnz l
      int 0x80`,
      100_000,
      8,
      [1, 2],
      true,
    );
    expect(out.regs[2]).not.toBe(0);
  });

  it('jump into the middle of a run, where the flags come from whichever way led there', () => {
    // JB at `mid` follows CMP when reached from above, but AND when JZ jumped there: its condition must
    // not be fused with the CMP written just before it (with ECX < 0x18 the AND's operands would say
    // "below", while AND clears CF).
    const out = expectSameAsInterpreter(
      `
      mov ecx, 400
      xor esi, esi
    top:
      mov eax, ecx
      and eax, 0x18
      jz mid
      cmp eax, 0x10
    mid:
      jb below
      add esi, 1
    below:
      add esi, eax
      dec ecx
      jnz top
      int 0x80
    `,
      1000,
      8,
      [1, 3, 20],
    );
    expect(out.regs[Reg.ESI]).toBeGreaterThan(0);
  });

  it('return through the RET dispatch to each call site of a recursive function, stopping at any budget', () => {
    for (const budget of [1000, 97, 13]) {
      const out = expectSameAsInterpreter(
        `
        mov ecx, 12
        call fib
        mov esi, eax
        mov ecx, 7
        call fib
        int 0x80
      fib:
        cmp ecx, 2
        jb small
        push ecx
        dec ecx
        call fib
        pop ecx
        push eax
        push ecx
        sub ecx, 2
        call fib
        pop ecx
        pop edx
        add eax, edx
        ret
      small:
        mov eax, ecx
        ret
      `,
        budget,
        5000,
        [1, 5, 40],
      );
      expect([out.regs[Reg.ESI], out.regs[Reg.EAX]]).toEqual([144, 13]);
    }
  });

  /** A loop whose body has a label in the middle (`even`), so the code after it is a later segment. */
  const evenOddLoop = (start: string, afterLabel: string) => `
      ${start}
    top:
      mov eax, ecx
      and eax, 1
      jz even
      add esi, 1
    even:
      ${afterLabel}
    `;

  it('count the instructions of finished segments when a fault unwinds a later one', () => {
    // DIV raises #DE inside the region (a page fault leaves it before the instruction instead).
    const source = evenOddLoop(
      'mov ecx, 40',
      'mov eax, 1000; xor edx, edx; lea edi, [ecx-5]; div edi; add esi, eax; dec ecx; jnz top; int 0x80',
    );
    const out = expectSameAsInterpreter(source, 100000, 8, [1, 3, 20]);
    expect(out.exits).toContain(0);
  });

  it('go from region to region across pages, charging a fault that unwinds in a later region to it', () => {
    // `remote` is on the second code page, so it is another region: WebAssembly regions chain into it and
    // back. BTS runs through the interpreter's `step`; when ECX reaches 5 its operand moves from the data
    // page to an unmapped one and it unwinds with #PF (at the smaller budgets the chain also stops at
    // budget ends).
    for (const budget of [100_000, 97, 13]) {
      const out = expectSameAsInterpreter(
        `
        mov ecx, 300
        xor esi, esi
      top:
        call remote
        add esi, eax
        dec ecx
        jnz top
        int 0x80
        .org 0x1000
      remote:
        mov eax, ecx
        xor edx, edx
        cmp ecx, 5
        sete dl
        imul edx, edx, 0x300000
        add edx, ebx
        bts dword ptr [edx], 3
        add eax, 3
        ret
        `,
        budget,
        5000,
        [1, 4, 40],
      );
      expect(out.exits).toContain(14);
      expect(out.regs[Reg.ECX]).toBe(5);
    }
  });

  it('hold code in the last bytes of a page, and leave before an instruction that crosses into the next', () => {
    // f sits in the first page's last bytes; g's ADD (5 bytes from 0xffc) ends in the second page.
    const source = `
        mov ecx, 300
        xor eax, eax
      top:
        call f
        call g
        dec ecx
        jnz top
        int 0x80
        .org 0xff9
      f:
        add eax, ecx
        ret
      g:
        add eax, 0x100
        ret
      `;
    for (const budget of [100_000, 97, 13]) expectSameAsInterpreter(source, budget, 5000, [1, 4, 40], true);
    // f is a label of the region, as code mid-page is: once compiled, only g's crossing ADD runs outside
    // regions (interpreted: no block starts with it). f as a decoded block made a decoded run every pass.
    const m = testProgram(assemble(source).code, [], 4, true, 'wasm');
    while (m.cpu.run(100_000) === RunExit.Budget);
    expect(m.cpu.getReg(Reg.EAX)).toBe((300 * 301) / 2 + 300 * 0x100);
    const stats = m.cpu.stats();
    expect(stats.decodedRuns).toBeLessThan(30);
    expect(stats.compiledInsns).toBeGreaterThan(300 * 6);
  });

  it('hand pending flags of every kind from a region to the next one it chains into', () => {
    // Each producer runs on the first code page and its flags are read on the second (another region),
    // by PUSHF, ADC and SETcc, with nothing computing them in between.
    const producers = [
      'cmp eax, edx',
      'add eax, edx',
      'and eax, edx',
      'inc eax',
      'shl eax, 3',
      'imul eax, edx',
      'adc eax, edx',
    ];
    const source = `
        mov ecx, 60
        mov edi, 0x9e3779b9
      top:
        mov eax, ecx
        imul eax, edi
        mov edx, edi
        rol edi, 9
        ${producers.map((p, i) => `mov eax, ecx\n        imul eax, edi\n        ${p}\n        jmp reader${i}\n      back${i}:`).join('\n        ')}
        dec ecx
        jnz top
        int 0x80
        .org 0x1000
        ${producers
          .map(
            (_, i) => `reader${i}:
        pushfd
        pop ebp
        and ebp, 0x8d5
        add [ebx], ebp
        adc dword ptr [ebx + 4], 0
        seta byte ptr [ebx + ${8 + i}]
        jmp back${i}`,
          )
          .join('\n        ')}
      `;
    const out = expectSameAsInterpreter(source, 100000, 4, [1, 2, 20]);
    expect(out.data.slice(0, 4)).not.toEqual([0, 0, 0, 0]);
  });

  it('drop a chained region whose code is rewritten, and chain into the code compiled again', () => {
    // Every 16th iteration rewrites the immediate of `mov eax` in `remote` (second code page): its frame's
    // regions leave the chain's table and their slots are reused when the new code is compiled.
    const out = expectSameAsInterpreter(
      `
        call here
      here:
        pop edi
        mov ecx, 300
        xor esi, esi
      top:
        call remote
        add esi, eax
        mov edx, ecx
        and edx, 15
        jnz keep
        mov dword ptr [edi + patch - here + 1], ecx
      keep:
        dec ecx
        jnz top
        int 0x80
        .org 0x1000
      remote:
      patch:
        mov eax, 7
        add eax, 3
        ret
        `,
      100_000,
      8,
      [1, 4, 40],
    );
    expect(out.regs[Reg.ESI]).not.toBe(300 * 10);
  });

  it('test the flags of a CMP, SUB, TEST, INC, DEC or ADD through instructions that leave them alone', () => {
    // Each condition is read after a MOV from memory, an LEA and a PUSH/POP between it and its producer.
    const producers = [
      'cmp eax, edx',
      'sub eax, edx',
      'test eax, edx',
      'dec eax',
      'cmp al, dl',
      'and eax, edx',
      'add eax, edx',
      'add eax, 0',
      'add al, dl',
      'inc eax',
      // INC and DEC of operands around 0, 1, -1 and the signed extremes.
      'and eax, 3\n        sub eax, 1\n        dec eax',
      'and eax, 3\n        sub eax, 2\n        inc eax',
      'shl eax, 31\n        dec eax',
      'or eax, 0x7ffffffe\n        inc eax',
    ];
    // The 16 condition codes in encoding order.
    const conditions = 'o no b ae e ne be a s ns p np l ge le g'.split(' ');
    const source = `
        mov ecx, 64
        mov edi, 0x9e3779b9
      top:
        mov eax, ecx
        imul eax, edi
        mov edx, ecx
        shl edx, 27
        xor edx, edi
        rol edi, 7
        ${producers
          .map(
            (p, i) => `
        mov esi, eax
        ${p}
        mov ebp, [ebx]
        lea esi, [esi + ${i + 1}]
        push esi
        pop esi
        ${conditions.map((cc, k) => `set${cc} byte ptr [ebx + ${4 + i * 16 + k}]`).join('\n        ')}
        mov eax, esi`,
          )
          .join('\n')}
        xor esi, esi
        ${conditions.map((cc) => `j${cc} 1f\n        inc esi\n      1:`).join('\n        ')}
        add [ebx], esi
        dec ecx
        jnz top
        int 0x80
      `;
    const out = expectSameAsInterpreter(source, 100000, 4, [1, 2, 20]);
    expect(out.data.slice(4, 4 + producers.length * 16)).toContain(1);
  });

  it('keep CF through INC and DEC at a label that any flag-setting instruction may reach', () => {
    // `join` is a label reached after ADD, SUB, AND, SHL, IMUL, ADC, SBB, NEG or INC: what CF holds there is
    // known only at run time. INC keeps it and ADC reads it.
    const producers = [
      'add eax, ebx',
      'sub eax, ebx',
      'and eax, ebx',
      'shl eax, 3',
      'imul eax, ebx',
      'adc eax, ebx',
      'sbb eax, ebx',
      'neg eax',
      'inc eax',
    ];
    const source = `
        mov ecx, 90
        mov ebx, 0x9e3779b9
        mov eax, 0x7fffffff
      top:
        mov edx, ecx
        and edx, 7
        ${producers.map((_, i) => `cmp ecx, ${i * 10}\n        jb p${i}`).join('\n        ')}
      p${producers.length}:
        dec eax
        jmp join
        ${producers.map((p, i) => `p${i}:\n        ${p}\n        jmp join`).join('\n        ')}
      join:
        inc edx
        adc esi, edx
        rol ebx, 5
        dec ecx
        jnz top
        int 0x80
      `;
    const out = expectSameAsInterpreter(source, 100000, 4, [1, 2, 20]);
    expect(out.regs[Reg.ESI]).not.toBe(0);
  });

  it('count the instructions of finished segments when a page fault stops a later one', () => {
    const source = evenOddLoop('xor ecx, ecx', 'add edi, [ebx+ecx*4+3000]; inc ecx; jmp top');
    const out = expectSameAsInterpreter(source, 100000, 8, [1, 3, 50]);
    expect(out.exits).toContain(14);
  });
});

describe('the region chain', () => {
  const CODE_PAGES = 48;

  /** A machine with CODE_PAGES code pages at TEST_CODE (empty), a stack, and WebAssembly regions (or `m`). */
  function chainMachine(m = new GuestMachine(16 << 20, 4, true, 'wasm')): GuestMachine {
    for (let p = 0; p < CODE_PAGES; p++) m.map(TEST_CODE + p * 0x1000);
    m.map(TEST_STACK_TOP & ~0xfff);
    m.cpu.setReg(Reg.ESP, TEST_STACK_TOP);
    m.cpu.eip = TEST_CODE;
    return m;
  }

  /** Code offsets past the first page of three entries that share a set of the chain's entry table, in order. */
  function collidingOffsets(m: GuestMachine): number[] {
    const bySet = new Map<number, number[]>();
    for (let at = 0x1000; at < CODE_PAGES * 0x1000; at += 16) {
      const set = chainEntrySet(m.physOf(TEST_CODE + at));
      const members = [...(bySet.get(set) ?? []), at];
      if (members.length === 3) return members;
      bySet.set(set, members);
    }
    throw new Error('no three entries share a set');
  }

  it('runs a loop calling functions on other pages in one region, as the interpreter does', () => {
    const source = `
        xor eax, eax
        mov ecx, 500
      again:
        call f
        call g
        dec ecx
        jnz again
        int 0x80
        .org 0x1ff0
      f:
        lea eax, [eax * 2 + 1]
        ret
        .org 0x3400
      g:
        xor eax, ecx
        jmp back
        .org 0x4800
      back:
        ret
      `;
    const run = (m: GuestMachine) => {
      m.write(TEST_CODE, assemble(source).code);
      while (m.cpu.run(100_000) === RunExit.Budget);
      return [m.cpu.getReg(Reg.EAX), m.cpu.insns];
    };
    const interpreted = run(chainMachine(new GuestMachine(16 << 20, 0, false)));
    const m = chainMachine();
    expect(run(m)).toEqual(interpreted);
    // Four pages, one region: the calls and returns stay inside it.
    expect(m.cpu.stats().regionCalls).toBeLessThan(50);
  });

  it('leaves a region when a page it went on into is mapped elsewhere since', () => {
    // The same loop runs again after the remapping: its region holds the old f.
    const source = `
        xor eax, eax
      start:
        mov ecx, 300
      again:
        call f
        dec ecx
        jnz again
        int 0x80
        jmp start
        .org 0x1000
      f:
        add eax, 1
        ret
      `;
    const m = chainMachine();
    m.write(TEST_CODE, assemble(source).code);
    while (m.cpu.run(100_000) === RunExit.Budget);
    expect(m.cpu.getReg(Reg.EAX)).toBe(300);
    // f's page now maps a fresh frame whose f adds 0x100, as after an mmap over it (the TLB flushed).
    m.map(TEST_CODE + 0x1000);
    m.write(TEST_CODE + 0x1000, Uint8Array.of(0x05, 0x00, 0x01, 0x00, 0x00, 0xc3)); // add eax, 0x100; ret
    m.cpu.flushTlb();
    while (m.cpu.run(100_000) === RunExit.Budget);
    expect(m.cpu.getReg(Reg.EAX)).toBe(300 + 300 * 0x100);
  });

  it('drops a region when code on another page it holds is written', () => {
    // Halfway, the loop rewrites the immediate of f's ADD (on another page, inside the loop's region).
    const source = `
        xor eax, eax
        mov ecx, 300
      again:
        call f
        cmp ecx, 150
        jne keep
        mov byte ptr [${TEST_CODE + 0x1002}], 0x10
      keep:
        dec ecx
        jnz again
        int 0x80
        .org 0x1000
      f:
        add eax, 1
        ret
      `;
    const run = (m: GuestMachine) => {
      m.write(TEST_CODE, assemble(source).code);
      while (m.cpu.run(100_000) === RunExit.Budget);
      return m.cpu.getReg(Reg.EAX);
    };
    expect(run(chainMachine())).toBe(151 + 149 * 0x10);
  });

  it('files an entry again when the chain came back to JS for it', () => {
    // f, g and h share a set of two ways: filing the last of them evicted another. The first loop calls all
    // three; the second calls two of them, which chain from the second iteration on only if a miss files
    // them again. The calls are indirect: a region goes on into a direct call's hot callee on another page
    // itself (wasm-region.ts, MAX_REGION_PAGES), without the chain.
    const m = chainMachine();
    const [f, g, h] = collidingOffsets(m);
    const call = (offset: number) => `mov edx, ${TEST_CODE + offset}\n        call edx`;
    const source = `
        xor eax, eax
        mov ecx, 50
      first:
        ${call(f)}
        ${call(g)}
        ${call(h)}
        dec ecx
        jnz first
        mov ecx, 400
      second:
        ${call(f)}
        ${call(g)}
        dec ecx
        jnz second
        int 0x80
        .org ${f}
      f:
        add eax, 1
        ret
        .org ${g}
      g:
        add eax, 2
        ret
        .org ${h}
      h:
        add eax, 4
        ret
      `;
    m.write(TEST_CODE, assemble(source).code);
    while (m.cpu.run(100_000) === RunExit.Budget);
    expect(m.cpu.getReg(Reg.EAX)).toBe(50 * 7 + 400 * 3);
    const stats = m.cpu.stats();
    // The second loop makes 1,600 region entries (two calls, two returns an iteration).
    expect(stats.chainedCalls).toBeGreaterThan(1600);
    expect(stats.regionCalls - stats.chainedCalls).toBeLessThan(200);
  });

  it('files a decoded entry again when the chain came back to JS for it', () => {
    // One region only (the compile budget holds the rest back), the first block of `loop` to be due: its
    // exit (to f after the indirect call, or to the return point S after f's RET) is a decoded block the
    // chain hands over to the decoded runner by its decoded entry, and the runner comes back to the region
    // (SUB leaves flags regions keep). h1 and h2, decoded after a first pass of the loop, took the entries
    // of f and S: the loop goes on without JS only if a miss files them again.
    const m = chainMachine(new GuestMachine(16 << 20, 64, true, 'wasm', { burst: 1, insnsPerRegion: 1e9 }));
    const loop = 0x2000;
    const returnPoint = loop + 7; // after MOV EDX, imm32 and CALL EDX
    const f = 0x3000;
    const h1 = decodedEntryCollision(m, f);
    const h2 = decodedEntryCollision(m, returnPoint);
    const call = (offset: number) => `mov edx, ${TEST_CODE + offset}\n        call edx`;
    // f adds 1, h1 4 and h2 8, placed in the order of their offsets (.org only goes forward).
    const functions = [
      [f, 1],
      [h1, 4],
      [h2, 8],
    ]
      .sort((a, b) => (a[0] as number) - (b[0] as number))
      .map(([at, n]) => `.org ${at}\n        add eax, ${n}\n        ret`)
      .join('\n        ');
    const source = `
        xor eax, eax
        mov ecx, 1
        call loop
        ${call(h1)}
        ${call(h2)}
        mov ecx, 400
        call loop
        int 0x80
        .org ${loop}
      loop:
        ${call(f)}
        sub ecx, 1
        jnz loop
        ret
        ${functions}
      `;
    m.write(TEST_CODE, assemble(source).code);
    while (m.cpu.run(100_000) === RunExit.Budget);
    expect(m.cpu.getReg(Reg.EAX)).toBe(1 + 4 + 8 + 400);
    // The region's entries in the ~340 iterations after it was compiled: chained, not from JS (with the
    // two entries gone, every iteration came back to JS).
    const stats = m.cpu.stats();
    expect(stats.chainedCalls).toBeGreaterThan(300);
    expect(stats.regionCalls - stats.chainedCalls).toBeLessThan(50);
  });

  /** A code offset past the first page, on a page of its own, whose block's decoded entry takes `offset`'s slot. */
  function decodedEntryCollision(m: GuestMachine, offset: number): number {
    const slot = decodedEntryOffset(m.physOf(TEST_CODE + offset));
    for (let at = 0x4000; at < CODE_PAGES * 0x1000; at += 16)
      if (decodedEntryOffset(m.physOf(TEST_CODE + at)) === slot) return at;
    throw new Error('no decoded entry shares the slot');
  }
});
