import { describe, expect, it } from 'vitest';
import { KernelPanic } from '../errors.js';
import { IoBus } from './io-bus.js';

describe('IoBus', () => {
  it('reads all ones where no device answers, as an undriven ISA bus', () => {
    const ports = new IoBus().portsFor('test', [{ first: 0x1f0, count: 8 }]);
    expect(ports.inb(0x1f7)).toBe(0xff);
    expect(ports.inw(0x1f0)).toBe(0xffff);
    expect(ports.inl(0x1f0)).toBe(0xffffffff);
  });

  it('routes accesses to the attached device, with their size', () => {
    const bus = new IoBus();
    const seen: string[] = [];
    bus.attach(
      { first: 0x3f8, count: 8 },
      {
        read: (port, size) => port + size,
        write: (port, size, value) => seen.push(`${port.toString(16)}/${size}=${value}`),
      },
    );
    const ports = bus.portsFor('uart', [{ first: 0x3f8, count: 8 }]);
    ports.outb(0x3f9, 7);
    ports.outw(0x3fa, 0x1234);
    expect(seen).toEqual(['3f9/1=7', '3fa/2=4660']);
    expect(ports.inb(0x3fd)).toBe(0x3fd + 1);
  });

  it('panics when a driver touches a port outside its claim, including a word straddling its end', () => {
    const ports = new IoBus().portsFor('ide', [{ first: 0x1f0, count: 8 }]);
    expect(() => ports.inb(0x3f8)).toThrow(KernelPanic);
    expect(() => ports.inw(0x1f7)).toThrow(/driver ide touched I\/O port 0x1f7/);
  });

  it('refuses two devices on one port', () => {
    const bus = new IoBus();
    const device = { read: () => 0, write: () => {} };
    bus.attach({ first: 0x60, count: 1 }, device);
    expect(() => bus.attach({ first: 0x60, count: 5 }, device)).toThrow(/two devices/);
  });
});
