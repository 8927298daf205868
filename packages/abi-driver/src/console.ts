/**
 * The console plugin: where the kernel's messages and the system console's bytes go, and where keyboard
 * input comes from (the host terminal, a serial port, the VGA screen and PS/2 keyboard, a browser pane).
 * Layer: the ABI; imports nothing.
 */
import type { PluginContext, PluginManifest } from './plugin.js';

export interface ConsoleSize {
  readonly rows: number;
  readonly cols: number;
}

export interface Console {
  write(bytes: Uint8Array): void;
  /** Delivers input bytes as they arrive. Replaces any earlier handler. */
  onInput(handler: (bytes: Uint8Array) => void): void;
  /** The window size, or null when the console has none. */
  size(): ConsoleSize | null;
  /** Restores whatever the console changed (terminal modes) and stops reading input. */
  close(): void;
}

export interface ConsoleContext extends PluginContext {}

export interface ConsolePlugin extends PluginManifest {
  readonly kind: 'console';
  create(ctx: ConsoleContext): Console;
}
