// A CPU built for driver ABI 1.0 next to one built for 1.1: the kernel accepts both, describes the 1.1 CPU
// from its own CPUID answers and the 1.0 CPU with the i686 fallback, and classifies traps for both. The
// oracle is cpu-i386's CPUID instruction and the fault/trap table of the Intel SDM (vol. 3, 6.15).
import { type Cpu, type FaultInfo, Vector } from '@kmos/abi-driver';
import { plugin as cpuPlugin } from '@kmos/cpu-i386';
import { describe, expect, it } from 'vitest';
import { createPhysicalMemory } from '../machine/physical-memory.js';
import { checkPlugin } from '../plugins/check-plugin.js';
import { I686_HWCAP, readCpuIdentity } from './cpu-identity.js';
import { isTrap } from './fault-class.js';

const MIB = 1 << 20;

function newCpu(): Cpu {
  return cpuPlugin.createCpu({
    memory: createPhysicalMemory(4 * MIB),
    options: {},
    log: null as never,
    panic: null as never,
  });
}

/** The same CPU as a plugin built for 1.0 would give it: no cpuid, no stats. */
function asBuiltFor10(cpu: Cpu): Cpu {
  return new Proxy(cpu, {
    get: (target, key) => (key === 'cpuid' || key === 'stats' ? undefined : Reflect.get(target, key, target)),
  });
}

describe('the CPU identity', () => {
  it('comes from the CPU’s CPUID: vendor, signature, brand and every EDX bit as a flag', () => {
    const cpu = newCpu();
    const id = readCpuIdentity(cpu, 'unused');
    const leaf1 = cpu.cpuid?.(1, 0);
    expect(id.featuresEdx).toBe(leaf1?.edx);
    expect(id).toMatchObject({ vendor: 'kmOSkmOSkmOS', family: 6, modelName: cpuPlugin.modelName });
    expect(id.flags).toEqual(['fpu', 'tsc', 'cx8', 'cmov', 'mmx', 'fxsr', 'sse', 'sse2']);
  });

  it('falls back to the i686 for a CPU built for ABI 1.0, which the kernel still accepts', () => {
    const plugin10 = { ...cpuPlugin, abi: '^1.0.0', createCpu: () => asBuiltFor10(newCpu()) };
    expect(checkPlugin(plugin10, 'arch', 'test')).toBe(plugin10);
    const id = readCpuIdentity(plugin10.createCpu(), 'a 1.0 CPU');
    expect(id).toMatchObject({ featuresEdx: I686_HWCAP, modelName: 'a 1.0 CPU', family: 6, model: 1 });
    expect(id.flags).toEqual(['fpu', 'tsc', 'cx8', 'cmov', 'mmx', 'fxsr', 'sse', 'sse2']);
  });
});

describe('trap or fault', () => {
  const fault = (vector: number, trap?: boolean): FaultInfo => ({ vector, errorCode: -1, cr2: 0, trap });
  it('believes FaultInfo.trap when the CPU sets it', () => {
    expect(isTrap(fault(Vector.DB, false))).toBe(false);
    expect(isTrap(fault(Vector.GP, true))).toBe(true);
  });

  it('classifies by vector for a 1.0 CPU: #BP, #OF, #DB are traps, the rest faults', () => {
    for (const v of [Vector.BP, Vector.OF, Vector.DB]) expect(isTrap(fault(v))).toBe(true);
    for (const v of [Vector.DE, Vector.UD, Vector.GP, Vector.PF]) expect(isTrap(fault(v))).toBe(false);
  });
});
