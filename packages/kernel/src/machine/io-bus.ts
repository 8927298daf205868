/**
 * The I/O-port bus of the emulated PC: device models attach handlers to port ranges; drivers reach them only
 * through a PortIo limited to the ranges they claimed. A port with no device reads as all ones, as an
 * undriven ISA bus does, so a driver probing for absent hardware sees it is absent. Layer: kernel machine.
 */
import type { PortIo, PortRange } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

/** What a device model answers on its ports; `sizeBytes` is 1, 2 or 4. */
export interface PortHandler {
  read(port: number, sizeBytes: number): number;
  write(port: number, sizeBytes: number, value: number): void;
}

const PORT_COUNT = 0x10000;
const FLOATING = [0, 0xff, 0xffff, 0, 0xffffffff];

export class IoBus {
  private readonly handlers: (PortHandler | undefined)[] = new Array(PORT_COUNT);

  attach(range: PortRange, handler: PortHandler): void {
    for (let port = range.first; port < range.first + range.count; port++) {
      if (this.handlers[port]) throw new KernelPanic(`I/O port 0x${port.toString(16)} has two devices`);
      this.handlers[port] = handler;
    }
  }

  read(port: number, sizeBytes: number): number {
    const handler = this.handlers[port & 0xffff];
    return handler ? handler.read(port, sizeBytes) : FLOATING[sizeBytes]!;
  }

  write(port: number, sizeBytes: number, value: number): void {
    this.handlers[port & 0xffff]?.write(port, sizeBytes, value);
  }

  /** Port I/O for one driver: an access outside `claims` is a driver bug and panics with the driver's name. */
  portsFor(driver: string, claims: readonly PortRange[]): PortIo {
    const check = (port: number, sizeBytes: number) => {
      if (!claims.some((r) => port >= r.first && port + sizeBytes <= r.first + r.count)) {
        throw new KernelPanic(`driver ${driver} touched I/O port 0x${port.toString(16)} it did not claim`);
      }
    };
    const reader = (sizeBytes: number) => (port: number) => {
      check(port, sizeBytes);
      return this.read(port, sizeBytes);
    };
    const writer = (sizeBytes: number) => (port: number, value: number) => {
      check(port, sizeBytes);
      this.write(port, sizeBytes, value);
    };
    return {
      inb: reader(1),
      inw: reader(2),
      inl: reader(4),
      outb: writer(1),
      outw: writer(2),
      outl: writer(4),
    };
  }
}
