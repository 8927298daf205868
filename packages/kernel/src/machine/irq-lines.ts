/**
 * The sixteen ISA interrupt lines as the kernel routes them: a device model raises a line, the kernel runs
 * the handlers drivers registered for it unless the line is masked. Drivers see only the lines they claimed.
 * (The emulated 8259 PIC pair will sit between devices and this table once the PC devices exist.)
 * Layer: kernel machine.
 */
import type { IrqLines } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

export const IRQ_LINES = 16;

export class IrqTable {
  private readonly handlers: (() => void)[][] = Array.from({ length: IRQ_LINES }, () => []);
  private readonly masked = new Uint8Array(IRQ_LINES);

  raise(line: number): void {
    if (this.masked[line]) return;
    for (const handler of this.handlers[line]!) handler();
  }

  linesFor(driver: string, claimed: readonly number[]): IrqLines {
    const check = (line: number) => {
      if (!claimed.includes(line))
        throw new KernelPanic(`driver ${driver} used IRQ ${line} it did not claim`);
    };
    return {
      onIrq: (line, handler) => {
        check(line);
        this.handlers[line]!.push(handler);
      },
      setMasked: (line, masked) => {
        check(line);
        this.masked[line] = masked ? 1 : 0;
      },
    };
  }
}
