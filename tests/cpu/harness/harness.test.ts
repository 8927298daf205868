/**
 * Tests of the test harness itself, each against an oracle outside it: the ELF loader and page tables
 * against objcopy's dump of the same section, the syscall loop against the program run natively, and
 * the fault report against a program that must fault with #PF at address 0.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { VirtAddr } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { describeDifference, loadCpuPlugin } from '../differential.js';
import { loadElf } from './elf-loader.js';
import { createGuestRam } from './guest-ram.js';
import { compileProgram, runNatively } from './native.js';
import { PageTables, PTE_P, PTE_RW, PTE_US } from './page-tables.js';
import { runOnEmulatedCpu } from './run-emulated.js';

const exec = promisify(execFile);

const HELLO = `
static const char message[] = "hello from the harness\\n";
static char bss_check[4096];
void _start(void) {
  int ret;
  for (unsigned i = 0; i < sizeof bss_check; i++) if (bss_check[i]) __asm__ volatile("int $0x80" : : "a"(1), "b"(1));
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(4), "b"(1), "c"(message), "d"(sizeof message - 1) : "memory");
  __asm__ volatile("int $0x80" : : "a"(1), "b"(ret + 19));
  for (;;) {}
}`;

const FAULT = `
void _start(void) {
  *(volatile int *)0 = 1;
  for (;;) {}
}`;

/** Address and bytes of .text according to binutils, not to our ELF parser. */
async function textSection(binary: string): Promise<{ vaddr: number; bytes: Uint8Array }> {
  const { stdout } = await exec('objdump', ['-h', binary]);
  const line = stdout.split('\n').find((l) => / \.text /.test(l));
  if (line === undefined) throw new Error('objdump shows no .text');
  const vaddr = Number.parseInt(line.trim().split(/\s+/)[3], 16);
  const dump = `${binary}.text.bin`;
  await exec('objcopy', ['-O', 'binary', `--dump-section`, `.text=${dump}`, binary, `${binary}.scratch`]);
  return { vaddr, bytes: new Uint8Array(readFileSync(dump)) };
}

describe('harness', () => {
  it('loads PT_LOAD segments where objcopy says they are, through user-writable page tables', async () => {
    const binary = await compileProgram('harness-hello', HELLO);
    const ram = createGuestRam(16 * 1024 * 1024);
    const tables = new PageTables(ram);
    const elf = loadElf(new Uint8Array(readFileSync(binary)), tables);
    const text = await textSection(binary);
    expect(tables.read(text.vaddr as VirtAddr, text.bytes.length)).toEqual(text.bytes);
    const pde = ram.memory.u32[(tables.directory >>> 2) + (text.vaddr >>> 22)];
    expect(pde & (PTE_P | PTE_RW | PTE_US)).toBe(PTE_P | PTE_RW | PTE_US);
    expect(tables.translate(0 as VirtAddr)).toBeNull();
    expect(elf.entry).toBeGreaterThanOrEqual(text.vaddr);
  });

  it('serves write and exit like Linux does', async () => {
    const binary = await compileProgram('harness-hello', HELLO);
    const host = await runNatively(binary).catch((error: { stdout: string; code: number }) => error);
    expect(host).toMatchObject({ stdout: 'hello from the harness\n', code: 42 });
    const result = runOnEmulatedCpu(await loadCpuPlugin(), new Uint8Array(readFileSync(binary)));
    expect(result).toMatchObject({ ok: true, stdout: 'hello from the harness\n', exitCode: 42 });
  });

  it('reports a page fault with vector, CR2 and the faulting EIP', async () => {
    const binary = await compileProgram('harness-fault', FAULT);
    await expect(runNatively(binary)).rejects.toMatchObject({ signal: 'SIGSEGV' });
    const result = runOnEmulatedCpu(await loadCpuPlugin(), new Uint8Array(readFileSync(binary)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure).toMatch(/^fault vector=14 error=6 cr2=00000000 eip=0804/);
  });

  it('names the first differing line, its predecessor, and the first difference of each further form', () => {
    const host = 'add a=1 -> r=2\nsub a=1 -> r=0\nsub a=2 -> r=1\nneg a=1 -> r=-1\nend\n';
    const emulated = 'add a=1 -> r=2\nsub a=1 -> r=1\nsub a=2 -> r=2\nneg a=1 -> r=1\nend\n';
    expect(describeDifference(host, host)).toBeNull();
    expect(describeDifference(host, emulated)).toBe(
      [
        'first difference at line 2 of 6; 3 lines differ',
        '  previous: add a=1 -> r=2',
        '  host:     sub a=1 -> r=0',
        '  emulated: sub a=1 -> r=1',
        '  forms that differ (2): sub | neg',
        '  host:     neg a=1 -> r=-1',
        '  emulated: neg a=1 -> r=1',
      ].join('\n'),
    );
  });
});
