/**
 * Trap or fault: whether the instruction behind a `RunExit.Fault` completed (a trap, EIP past it) or is to
 * be restarted (a fault, EIP on it). CPUs built for driver ABI 1.1 say so in `FaultInfo.trap`; a 1.0 CPU
 * does not, and reports #BP, #OF and #DB as traps (INT3, INTO and INT1 are the only ways ring 3 raises
 * them without debug registers), which is the classification used for it. Layer: kernel arch glue; read by
 * the signal code.
 */
import { type FaultInfo, Vector } from '@kmos/abi-driver';

export function isTrap(fault: FaultInfo): boolean {
  if (fault.trap !== undefined) return fault.trap;
  return fault.vector === Vector.BP || fault.vector === Vector.OF || fault.vector === Vector.DB;
}
