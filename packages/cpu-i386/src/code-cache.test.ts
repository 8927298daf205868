/**
 * Links between blocks (code-cache.ts): the run loop follows a block's link to the next one only while the
 * TLB maps the next EIP to the frame that block was decoded from. When the page is mapped to another frame
 * (another process's code at the same address, after exec or a context switch), the code there runs, in
 * each tier.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import type { RegionCompiler } from './cpu.js';
import { assemble, GuestMachine, TEST_CODE, TEST_STACK_TOP } from './testing/guest.js';

/** A loop on the first page calling a function on the second, which adds `step` to EAX. */
function program(step: number): Uint8Array {
  return assemble(`
    mov ecx, 40
again:
    call callee
    dec ecx
    jnz again
    int 0x80
    .org 0x1000
callee:
    add eax, ${step}
    ret
`).code;
}

/** EAX after the loop ran once with the second page on one frame, then again with it on another. */
function runTwice(jitThreshold: number, decodeBlocks: boolean, compiler: RegionCompiler): number[] {
  const m = new GuestMachine(8 << 20, jitThreshold, decodeBlocks, compiler);
  const first = program(1);
  const second = program(1000);
  m.map(TEST_CODE);
  m.map(TEST_CODE + 0x1000);
  m.write(TEST_CODE, first);
  m.map(TEST_STACK_TOP & ~0xfff);
  const results: number[] = [];
  for (const code of [first, second]) {
    if (code === second) {
      // The callee's page now maps another frame, as after an exec; CR3 is loaded again (a TLB flush).
      m.map(TEST_CODE + 0x1000);
      m.write(TEST_CODE + 0x1000, code.subarray(0x1000));
      m.cpu.setCr3(GuestMachine.PD_PHYS as never);
    }
    m.cpu.setReg(Reg.EAX, 0);
    m.cpu.setReg(Reg.ESP, TEST_STACK_TOP);
    m.cpu.eip = TEST_CODE;
    let exit: number = RunExit.Budget;
    for (let i = 0; i < 50 && exit === RunExit.Budget; i++) exit = m.cpu.run(1000);
    expect(exit).toBe(RunExit.Syscall);
    results.push(m.cpu.getReg(Reg.EAX));
  }
  return results;
}

describe('block links', () => {
  it.each([
    ['the decoded tier', 0, true, 'js'],
    ['JS regions', 2, true, 'js'],
    ['WebAssembly regions', 2, true, 'wasm'],
  ] as const)(
    'are not followed into a page mapped to another frame since (%s)',
    (_tier, threshold, decode, compiler) => {
      expect(runTwice(threshold, decode, compiler)).toEqual([40, 40_000]);
    },
  );
});
