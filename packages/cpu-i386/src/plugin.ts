/**
 * The arch plugin manifest: what the kernel loads by name from the config and asks for a CPU. Layer: arch
 * plugin (cpu-i386); the only file the kernel sees besides the ABI types.
 *
 * Options: `{ "jitThreshold": n, "decodeBlocks": b, "compiler": "js" | "wasm", "compileBudget": { "burst": n,
 * "insnsPerRegion": n } }` — runs of a block before its region is compiled (default DEFAULT_JIT_THRESHOLD; 0
 * compiles nothing), whether code not compiled runs as decoded blocks (default true) or through the plain
 * interpreter, whether regions become JS functions or WebAssembly (the default; JS when the kernel gives no
 * WebAssembly RAM), and how many regions a program may have compiled by how far it has run (cpu.ts
 * CompileBudget; default DEFAULT_COMPILE_BUDGET, `insnsPerRegion` 0 for no limit).
 */
import type { ArchContext, ArchPlugin, Cpu } from '@kmos/abi-driver';
import {
  type CompileBudget,
  DEFAULT_COMPILE_BUDGET,
  DEFAULT_JIT_THRESHOLD,
  DEFAULT_REGION_COMPILER,
  I386Cpu,
} from './cpu.js';
import { createX87 } from './fpu-factory.js';
import { BRAND } from './system-ops.js';
import { ARCH_STATE_BYTES } from './wasm/arch-state.js';

export const PACKAGE_NAME = '@kmos/cpu-i386';
export const PACKAGE_VERSION = '0.1.0';
/** The same name the CPUID brand-string leaves spell. */
export const MODEL_NAME = BRAND;

export const plugin: ArchPlugin = {
  kind: 'arch',
  name: PACKAGE_NAME,
  version: PACKAGE_VERSION,
  abi: '^1.2.0',
  modelName: MODEL_NAME,
  stateBytes: ARCH_STATE_BYTES,
  optionsSchema: {
    type: 'object',
    properties: {
      jitThreshold: { type: 'integer', minimum: 0 },
      decodeBlocks: { type: 'boolean' },
      compiler: { enum: ['js', 'wasm'] },
      compileBudget: {
        type: 'object',
        properties: {
          burst: { type: 'integer', minimum: 0 },
          insnsPerRegion: { type: 'integer', minimum: 0 },
        },
        required: ['burst', 'insnsPerRegion'],
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  createCpu(ctx: ArchContext): Cpu {
    const { jitThreshold, decodeBlocks, compiler, compileBudget } = ctx.options;
    return new I386Cpu(
      ctx.memory,
      createX87,
      typeof jitThreshold === 'number' ? jitThreshold : DEFAULT_JIT_THRESHOLD,
      decodeBlocks !== false,
      compiler === 'js' || compiler === 'wasm' ? compiler : DEFAULT_REGION_COMPILER,
      (compileBudget as CompileBudget | undefined) ?? DEFAULT_COMPILE_BUDGET,
    );
  },
};
