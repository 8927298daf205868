/**
 * Traces against the interpreter on hand-written code for each way a trace can go wrong: a RET that does not
 * come back to the call the trace followed, side exits of predicted branches, loops that run out of budget,
 * a fault in the middle of a followed trace, and stores into the trace's own code. Each program runs on a
 * machine that interprets only and on one that compiles on first sight; state, instruction counts, exits
 * and memory must be equal.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { assemble, TEST_DATA, testProgram } from './testing/guest.js';

interface Outcome {
  regs: number[];
  eip: number;
  eflags: number;
  exits: number[];
  data: number[];
}

function runProgram(source: string, jit: number, budget: number, runs = 8): Outcome {
  const { code } = assemble(source);
  const m = testProgram(code, [0, 0, 0, TEST_DATA], jit);
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

function expectSameAsInterpreter(source: string, budget = 1000, runs = 8): Outcome {
  const interpreted = runProgram(source, 0, budget, runs);
  const compiled = runProgram(source, 1, budget, runs);
  expect(compiled).toEqual(interpreted);
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
