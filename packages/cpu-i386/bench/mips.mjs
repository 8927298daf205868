// Measures the interpreter's speed on a CPU-bound freestanding C program (cpu-bound.c): builds it with
// gcc -m32 -O2, loads the ELF into fresh RAM with real page tables, runs it on @kmos/cpu-i386 (from dist/;
// run `pnpm --filter @kmos/cpu-i386 build` first) and prints instructions, seconds and MIPS. The exit code
// is compared with the same program run natively on the host. Not a test: timings never fail anything.
// JIT_THRESHOLD=0 measures the interpreter alone (default 16, the plugin default).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import plugin from '../dist/index.js';

const here = new URL('.', import.meta.url).pathname;
const elfPath = join(tmpdir(), 'kmos-cpu-bound.elf');
execFileSync('gcc', [
  '-m32',
  '-O2',
  '-ffreestanding',
  '-nostdlib',
  '-static',
  '-fno-pie',
  '-no-pie',
  '-o',
  elfPath,
  join(here, process.argv[2] ?? 'cpu-bound.c'),
]);
const nativeExit = spawnSync(elfPath).status;

const RAM = 64 << 20;
const buffer = new ArrayBuffer(RAM);
const memory = {
  sizeBytes: RAM,
  buffer,
  u8: new Uint8Array(buffer),
  u16: new Uint16Array(buffer),
  u32: new Uint32Array(buffer),
  i32: new Int32Array(buffer),
};
let nextFrame = 0x100000;
const alloc = () => {
  const f = nextFrame;
  nextFrame += 4096;
  return f;
};
const PD = alloc();
function map(va) {
  const pdi = (PD >>> 2) + (va >>> 22);
  if ((memory.u32[pdi] & 1) === 0) memory.u32[pdi] = alloc() | 7;
  const pti = ((memory.u32[pdi] & ~0xfff) >>> 2) + ((va >>> 12) & 0x3ff);
  if ((memory.u32[pti] & 1) === 0) memory.u32[pti] = alloc() | 7;
  return (memory.u32[pti] & ~0xfff) >>> 0;
}
const elf = new Uint8Array(readFileSync(elfPath));
const dv = new DataView(elf.buffer);
const entry = dv.getUint32(24, true);
const phoff = dv.getUint32(28, true);
const phnum = dv.getUint16(44, true);
for (let i = 0; i < phnum; i++) {
  const ph = phoff + i * 32;
  if (dv.getUint32(ph, true) !== 1) continue;
  const off = dv.getUint32(ph + 4, true);
  const vaddr = dv.getUint32(ph + 8, true);
  const filesz = dv.getUint32(ph + 16, true);
  const memsz = dv.getUint32(ph + 20, true);
  for (let b = 0; b < memsz; b++) {
    const va = vaddr + b;
    const phys = map(va) + (va & 0xfff);
    if (b < filesz) memory.u8[phys] = elf[off + b];
  }
}
for (let va = 0xbff00000; va < 0xc0000000; va += 4096) map(va);

const log = { debugEnabled: false, debug() {}, info() {}, warn() {}, error() {} };
const jitThreshold = Number(process.env.JIT_THRESHOLD ?? 16);
const cpu = plugin.createCpu({
  memory,
  log,
  options: { jitThreshold },
  panic: (m) => {
    throw new Error(m);
  },
});
cpu.setCr3(PD);
cpu.setReg(4, 0xbffffff0);
cpu.eip = entry;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
let exit;
for (;;) {
  exit = cpu.run(10_000_000);
  if (exit !== 0) break;
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const used = process.cpuUsage(cpu0);
const cpuSeconds = (used.user + used.system) / 1e6;
if (exit !== 1)
  throw new Error(`stopped with exit ${exit}, fault ${JSON.stringify(cpu.fault)} at ${cpu.eip.toString(16)}`);
const code = cpu.getReg(3) & 0xff;
console.log(`program        ${process.argv[2] ?? 'cpu-bound.c'} (jitThreshold ${jitThreshold})`);
console.log(`exit code      ${code} (native ${nativeExit}) ${code === nativeExit ? 'same' : 'DIFFERENT'}`);
console.log(`instructions   ${cpu.insns}`);
console.log(`wall seconds   ${seconds.toFixed(3)}  (MIPS ${(cpu.insns / seconds / 1e6).toFixed(1)})`);
console.log(`cpu seconds    ${cpuSeconds.toFixed(3)}  (MIPS ${(cpu.insns / cpuSeconds / 1e6).toFixed(1)})`);
// A baseline from the same run: a plain JS loop, so numbers from a loaded machine can be compared.
const b0 = process.cpuUsage();
let acc = 0;
const arr = new Int32Array(1024);
for (let i = 0; i < 200_000_000; i++) acc = (acc + arr[i & 1023] + i) | 0;
const bu = process.cpuUsage(b0);
console.log(
  `baseline       ${(200 / ((bu.user + bu.system) / 1e6)).toFixed(0)} M simple JS loop iterations per cpu second (${acc & 1})`,
);
