/**
 * What the kernel tells programs about the CPU: the vendor, signature, model name and feature bits that
 * AT_HWCAP and /proc/cpuinfo carry, read once from the arch plugin's `Cpu.cpuid` (driver ABI 1.1), so they
 * agree with what the guest's own `cpuid` instruction answers. A CPU built for ABI 1.0 has no `cpuid`: the
 * kernel then describes the i686 kmOS has always described (FPU, TSC, CX8, CMOV, MMX, FXSR, SSE, SSE2)
 * under the plugin's `modelName`. Layer: kernel arch glue; read by exec (AT_HWCAP) and procfs (cpuinfo).
 */
import type { Cpu, CpuidResult } from '@kmos/abi-driver';

/** CPUID.1:EDX of the fallback i686: FPU (0), TSC (4), CX8 (8), CMOV (15), MMX (23), FXSR (24), SSE (25), SSE2 (26). */
export const I686_HWCAP =
  (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
const FALLBACK_VENDOR = 'kmOSkmOSkmOS';
/** Family 6, model 1, stepping 0, as /proc/cpuinfo showed before CPUs reported CPUID. */
const FALLBACK_SIGNATURE = 0x610;
const LEAF_VENDOR = 0;
const LEAF_FEATURES = 1;
const LEAF_MAX_EXTENDED = 0x80000000;
const LEAF_BRAND_FIRST = 0x80000002;
const LEAF_BRAND_LAST = 0x80000004;

/**
 * Linux's names for the bits of CPUID.1:EDX and CPUID.1:ECX (arch/x86/include/asm/cpufeatures.h, words 0
 * and 4), index = bit; '' for bits Linux does not show.
 */
const EDX_FLAGS = [
  'fpu',
  'vme',
  'de',
  'pse',
  'tsc',
  'msr',
  'pae',
  'mce',
  'cx8',
  'apic',
  '',
  'sep',
  'mtrr',
  'pge',
  'mca',
  'cmov',
  'pat',
  'pse36',
  'pn',
  'clflush',
  '',
  'dts',
  'acpi',
  'mmx',
  'fxsr',
  'sse',
  'sse2',
  'ss',
  'ht',
  'tm',
  'ia64',
  'pbe',
];
const ECX_FLAGS = [
  'pni',
  'pclmulqdq',
  'dtes64',
  'monitor',
  'ds_cpl',
  'vmx',
  'smx',
  'est',
  'tm2',
  'ssse3',
  'cid',
  'sdbg',
  'fma',
  'cx16',
  'xtpr',
  'pdcm',
  '',
  'pcid',
  'dca',
  'sse4_1',
  'sse4_2',
  'x2apic',
  'movbe',
  'popcnt',
  'tsc_deadline_timer',
  'aes',
  'xsave',
  '',
  'avx',
  'f16c',
  'rdrand',
  'hypervisor',
];

export interface CpuIdentity {
  readonly vendor: string;
  /** CPUID.0:EAX, the highest basic leaf (/proc/cpuinfo's "cpuid level"). */
  readonly maxLeaf: number;
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
  readonly modelName: string;
  /** CPUID.1:EDX, which is also i386 Linux's AT_HWCAP. */
  readonly featuresEdx: number;
  readonly featuresEcx: number;
  /** The features by Linux's names, in Linux's order (EDX bits, then ECX bits). */
  readonly flags: readonly string[];
}

/** Reads the identity from `cpu.cpuid` when the CPU has it; `modelName` is the plugin's, for the fallback. */
export function readCpuIdentity(cpu: Cpu, modelName: string): CpuIdentity {
  if (typeof cpu.cpuid !== 'function') return fallbackIdentity(modelName);
  const query = cpu.cpuid.bind(cpu);
  const vendorLeaf = query(LEAF_VENDOR, 0);
  const features = vendorLeaf.eax >= LEAF_FEATURES ? query(LEAF_FEATURES, 0) : null;
  const brand = readBrand(query);
  return identity(
    registersText([vendorLeaf.ebx, vendorLeaf.edx, vendorLeaf.ecx]),
    vendorLeaf.eax >>> 0,
    features?.eax ?? 0,
    brand === '' ? modelName : brand,
    features?.edx ?? 0,
    features?.ecx ?? 0,
  );
}

function fallbackIdentity(modelName: string): CpuIdentity {
  return identity(FALLBACK_VENDOR, LEAF_FEATURES, FALLBACK_SIGNATURE, modelName, I686_HWCAP, 0);
}

function identity(
  vendor: string,
  maxLeaf: number,
  signature: number,
  modelName: string,
  edx: number,
  ecx: number,
): CpuIdentity {
  const baseFamily = (signature >>> 8) & 0xf;
  const extFamily = (signature >>> 20) & 0xff;
  // The extended model counts for families 6 and 15, the extended family for 15 only (SDM vol. 2, CPUID).
  const extModel = baseFamily === 6 || baseFamily === 15 ? ((signature >>> 16) & 0xf) << 4 : 0;
  return {
    vendor,
    maxLeaf,
    family: baseFamily === 15 ? baseFamily + extFamily : baseFamily,
    model: ((signature >>> 4) & 0xf) | extModel,
    stepping: signature & 0xf,
    modelName,
    featuresEdx: edx >>> 0,
    featuresEcx: ecx >>> 0,
    flags: [...flagNames(edx, EDX_FLAGS), ...flagNames(ecx, ECX_FLAGS)],
  };
}

function flagNames(bits: number, names: readonly string[]): string[] {
  return names.filter((name, bit) => name !== '' && ((bits >>> bit) & 1) === 1);
}

/** The brand string of leaves 0x80000002..4, trimmed as Linux trims it; '' when the CPU has none. */
function readBrand(query: (leaf: number, subleaf: number) => CpuidResult): string {
  if (query(LEAF_MAX_EXTENDED, 0).eax >>> 0 < LEAF_BRAND_LAST) return '';
  const words: number[] = [];
  for (let leaf = LEAF_BRAND_FIRST; leaf <= LEAF_BRAND_LAST; leaf++) {
    const r = query(leaf, 0);
    words.push(r.eax, r.ebx, r.ecx, r.edx);
  }
  return registersText(words).trim();
}

/** Little-endian ASCII of each register in turn, up to the first NUL. */
function registersText(words: readonly number[]): string {
  let text = '';
  for (const w of words) for (let i = 0; i < 4; i++) text += String.fromCharCode((w >>> (8 * i)) & 0xff);
  const end = text.indexOf('\0');
  return end < 0 ? text : text.slice(0, end);
}
