/**
 * A test program's world for comparing execution tiers: code at TEST_CODE, a stack, a window of four data
 * pages at WINDOW on frames that are not neighbours (so an access past the end of one frame reads other
 * bytes: a missed page-end check shows), an unmapped fifth page, a read-only sixth, and an LDT whose entry 0
 * (selector 7) is a data segment over the window with a limit of 0x1f00 bytes and entry 1 (selector 0x0f) one
 * at base 0x1000 with no limit (a base but no checks). `runInWindow` runs a program
 * there and returns everything a tier could get wrong. Layer: tests of the arch plugin.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { assemble, type GuestMachine, TEST_CODE, TEST_STACK_TOP, USER_RO } from './guest.js';

export const WINDOW = 0x00600000;
export const WINDOW_PAGES = 4;
/** Past the unmapped page: a page mapped read-only. */
export const READ_ONLY_PAGE = WINDOW + 0x5000;

export interface Outcome {
  regs: number[];
  eip: number;
  eflags: number;
  insns: number;
  exit: number;
  vector: number;
  cr2: number;
  data: number[];
  /** Accessed and dirty bits: a store through the read TLB would skip setting D. */
  ptes: number[];
}

/**
 * Runs `source` (EDI = WINDOW, EBX and ESI seeded) on the machine `makeMachine` gives, in runs of 997
 * instructions (so budgets end mid-block), until it stops or 100 runs pass.
 */
export function runInWindow(source: string, makeMachine: () => GuestMachine): Outcome {
  const { code } = assemble(source);
  const m = makeMachine();
  m.map(TEST_CODE);
  m.map(TEST_CODE + 0x1000);
  m.write(TEST_CODE, code);
  m.map(TEST_STACK_TOP & ~0xfff);
  for (let page = 0; page < WINDOW_PAGES; page++) {
    m.allocFrame(); // a frame between each two pages of the window
    m.map(WINDOW + page * 0x1000);
  }
  m.map(READ_ONLY_PAGE, USER_RO);
  m.write(
    WINDOW,
    new Uint8Array(WINDOW_PAGES * 4096).map((_, i) => (i * 151 + (i >> 7) * 13 + 0x81) & 0xff),
  );
  m.cpu.setReg(Reg.EBX, 0x12345);
  m.cpu.setReg(Reg.ESI, 0x777);
  m.cpu.setReg(Reg.EDI, WINDOW);
  m.cpu.setReg(Reg.ESP, TEST_STACK_TOP);
  m.cpu.eip = TEST_CODE;
  m.cpu.setLdt(
    Uint32Array.of(
      ((WINDOW & 0xffff) << 16) | 0x1f00,
      ((WINDOW >>> 16) & 0xff) | 0x0040f200,
      (0x1000 << 16) | 0xffff,
      0x00cff200,
    ),
  );
  let exit: number = RunExit.Budget;
  for (let i = 0; i < 100 && exit === RunExit.Budget; i++) exit = m.cpu.run(997);
  return {
    regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg)),
    eip: m.cpu.eip,
    eflags: m.cpu.eflags,
    insns: m.cpu.insns,
    exit,
    vector: m.cpu.fault.vector,
    cr2: m.cpu.fault.cr2,
    data: Array.from(m.read(WINDOW, WINDOW_PAGES * 4096)),
    ptes: Array.from({ length: WINDOW_PAGES }, (_, page) => m.pte(WINDOW + page * 0x1000)),
  };
}
