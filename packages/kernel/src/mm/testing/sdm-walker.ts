/**
 * Test-only oracle: a page walk written straight from the Intel SDM (vol. 3, 4.3, "32-bit paging"), sharing no
 * code with page-table.ts. It reads raw dwords of physical memory and applies the user-mode access rules:
 * an access is allowed when P is set at both levels, U/S is set at both levels, and for a write R/W is set at
 * both levels (CR0.WP is irrelevant for user-mode accesses).
 */
import type { PhysicalMemory } from '@kmos/abi-driver';

export interface Walk {
  /** The physical address `va` translates to, or -1 when not present. */
  readonly phys: number;
  readonly userRead: boolean;
  readonly userWrite: boolean;
  readonly pte: number;
}

export function sdmWalk(memory: PhysicalMemory, cr3: number, va: number): Walk {
  const dv = new DataView(memory.buffer);
  const pde = dv.getUint32((cr3 & 0xfffff000) + ((va >>> 22) << 2), true);
  if (!(pde & 1)) return { phys: -1, userRead: false, userWrite: false, pte: 0 };
  if (pde & 0x80) {
    const phys = ((pde & 0xffc00000) >>> 0) + (va & 0x3fffff);
    return { phys, userRead: (pde & 4) !== 0, userWrite: (pde & 6) === 6, pte: pde };
  }
  const pte = dv.getUint32((pde & 0xfffff000) + (((va >>> 12) & 0x3ff) << 2), true);
  if (!(pte & 1)) return { phys: -1, userRead: false, userWrite: false, pte };
  const phys = ((pte & 0xfffff000) >>> 0) + (va & 0xfff);
  const user = (pde & 4) !== 0 && (pte & 4) !== 0;
  return { phys, userRead: user, userWrite: user && (pde & 2) !== 0 && (pte & 2) !== 0, pte };
}
