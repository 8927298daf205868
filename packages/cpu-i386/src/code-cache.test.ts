/**
 * The decoded code's arena and block headers (decoded-code.ts, code-cache.ts), and links between blocks: the
 * run loop (and the decoded tier's WebAssembly runner) follows a block's link to the next one only while the
 * TLB maps the next EIP to the frame that block was decoded from. When the page is mapped to another frame
 * (another process's code at the same address, after exec or a context switch), the code there runs, in
 * each tier.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { Block } from './code-cache.js';
import type { RegionCompiler } from './cpu.js';
import {
  DecodedCodeStore,
  H_LINK0_EIP,
  H_LINK1,
  H_OPEN,
  H_RUNS,
  HEADER_WORDS,
  WORDS_PER_INSN,
} from './decoded-code.js';
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

describe('the arena of decoded code', () => {
  it('hands out room after a header for each block while it lasts, then JS chunks', () => {
    const arena = new Int32Array(HEADER_WORDS * 2 + WORDS_PER_INSN * 4);
    const store = new DecodedCodeStore(arena);
    const first = store.reserve(2);
    const second = store.reserve(2);
    const third = store.reserve(1);
    expect([first.words, first.at]).toEqual([arena, HEADER_WORDS]);
    expect([second.words, second.at]).toEqual([arena, HEADER_WORDS * 2 + WORDS_PER_INSN * 2]);
    expect(third.words).not.toBe(arena);
    expect(third.at).toBe(0);
  });

  it('gives the room of a dropped block to a later block that fits, whole: the smallest room first', () => {
    const arena = new Int32Array(HEADER_WORDS * 3 + WORDS_PER_INSN * 9);
    const store = new DecodedCodeStore(arena);
    const four = store.reserve(4);
    const two = store.reserve(2);
    const three = store.reserve(3);
    expect(three.words).toBe(arena);
    store.release(four.at - HEADER_WORDS, 4);
    store.release(two.at - HEADER_WORDS, 2);
    // Too big for either room: a JS chunk (splitting a room would put a header inside old instructions).
    expect(store.reserve(5).words).not.toBe(arena);
    const one = store.reserve(1);
    expect([one.words, one.at]).toEqual([arena, two.at]);
    const three2 = store.reserve(3);
    expect([three2.words, three2.at]).toEqual([arena, four.at]);
    // Released again, a room keeps its whole size, not its last block's.
    store.release(three2.at - HEADER_WORDS, 3);
    expect(store.reserve(4).at).toBe(four.at);
  });

  it("keeps a block's runs, links and openness in its header for the WebAssembly runner", () => {
    const arena = new Int32Array(64);
    const [a, b, c] = [0x1000, 0x2000, 0x3000].map((lin) => new Block(lin, 0x5000));
    a.insnCount = 3;
    a.count = 7;
    a.fileHeader(arena, 0);
    b.fileHeader(arena, 32);
    expect(Array.from(arena.subarray(0, HEADER_WORDS))).toEqual([3, 7, 0x5000, 1, 0, -1, 0, -1, 0x1000]);
    a.count++;
    expect([a.count, arena[H_RUNS]]).toEqual([8, 8]);
    a.link(0x2000, b);
    a.link(0x3000, c); // c's words are in JS: no link the runner could follow
    expect(Array.from(arena.subarray(H_LINK0_EIP, H_LINK1 + 1))).toEqual([0x2000, 32, 0x3000, -1]);
    b.close();
    expect(arena[32 + H_OPEN]).toBe(0);
  });
});

describe('block links', () => {
  it.each([
    ['the decoded tier', 0, true, 'js'],
    ['the decoded tier in WebAssembly', 0, true, 'wasm'],
    ['JS regions', 2, true, 'js'],
    ['WebAssembly regions', 2, true, 'wasm'],
  ] as const)(
    'are not followed into a page mapped to another frame since (%s)',
    (_tier, threshold, decode, compiler) => {
      expect(runTwice(threshold, decode, compiler)).toEqual([40, 40_000]);
    },
  );
});
