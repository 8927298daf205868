/**
 * The driver plugin: a real driver for an emulated PC device. It reaches the hardware only through the port
 * ranges, IRQ lines and memory windows it claimed — never by calling a device model — and registers the
 * block and character devices it finds. Layer: the ABI; imports nothing.
 */
import type { BlockDevice, CharDevice } from './devices.js';
import type { PhysicalMemory } from './memory.js';
import type { MaybePromise, PluginContext, PluginManifest, PluginOptions } from './plugin.js';

/** An inclusive-exclusive range of I/O ports: [first, first + count). */
export interface PortRange {
  readonly first: number;
  readonly count: number;
}

/** A range of physical memory the driver maps (VGA text memory at 0xB8000, say). */
export interface MemoryWindow {
  readonly first: number;
  readonly sizeBytes: number;
}

export interface ResourceClaim {
  readonly ports: readonly PortRange[];
  readonly irqs: readonly number[];
  readonly memory: readonly MemoryWindow[];
}

/** Port I/O restricted to the driver's claim; an access outside it throws (a driver bug, caught at once). */
export interface PortIo {
  inb(port: number): number;
  inw(port: number): number;
  inl(port: number): number;
  outb(port: number, value: number): void;
  outw(port: number, value: number): void;
  outl(port: number, value: number): void;
}

export interface IrqLines {
  /** Runs `handler` each time `line` is raised (after the kernel acknowledged the PIC). */
  onIrq(line: number, handler: () => void): void;
  /** Masks or unmasks the line at the interrupt controller. */
  setMasked(line: number, masked: boolean): void;
}

export interface DriverContext extends PluginContext {
  readonly ports: PortIo;
  readonly irqs: IrqLines;
  /** Physical memory; the driver touches only the windows it claimed. */
  readonly memory: PhysicalMemory;
  registerBlock(device: BlockDevice): void;
  registerChar(device: CharDevice): void;
}

/** `bound` when the hardware answered and devices were registered; `absent` when there is nothing to drive. */
export type ProbeResult = 'bound' | 'absent';

export interface DriverPlugin extends PluginManifest {
  readonly kind: 'driver';
  /** What the driver needs, given its options; the kernel grants it or refuses the driver at boot. */
  claim(options: PluginOptions): ResourceClaim;
  probe(ctx: DriverContext): MaybePromise<ProbeResult>;
}
