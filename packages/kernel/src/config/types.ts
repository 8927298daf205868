/**
 * The config manifest as the kernel sees it after validation, defaults filled in. The JSON Schema in
 * packages/kernel/schema/kmos-config.schema.json is the one definition of fields and defaults; these types
 * mirror it for the compiler. Layer: kernel config.
 */
import type { PluginOptions } from '@kmos/abi-driver';
import type { LogSettings } from '../log.js';

/** A plugin as the config names it: a package name or path, or [name, options]. */
export type PluginRef = string | readonly [string, PluginOptions];

export interface DiskConfig {
  readonly image: string;
  readonly channel: 'primary' | 'secondary';
  readonly position: 'master' | 'slave';
  readonly readOnly: boolean;
}

/** memory.swap: a host file used as the swap area. */
export interface SwapConfig {
  readonly file: string;
  readonly sizeMiB: number;
}

export interface SerialPortConfig {
  readonly port: 'COM1' | 'COM2' | 'COM3' | 'COM4';
  readonly backend: 'stdio' | 'null' | 'file';
  readonly file?: string;
}

export interface KmosConfig {
  readonly $schema?: string;
  readonly machine: {
    readonly cpu: PluginRef;
    readonly memoryMiB: number;
    readonly disks: readonly DiskConfig[];
    readonly serialPorts: readonly SerialPortConfig[];
    readonly console: 'serial' | 'vga';
    readonly seed: number;
    readonly clock: 'virtual' | 'realtime';
  };
  readonly memory: {
    readonly pages: PluginRef;
    readonly objects: PluginRef;
    readonly swap?: SwapConfig;
  };
  readonly drivers: readonly PluginRef[];
  readonly filesystems: readonly PluginRef[];
  readonly console: PluginRef;
  readonly root: { readonly type: string; readonly source: string; readonly readOnly: boolean };
  readonly init: {
    readonly path: string;
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
  };
  readonly cmdline: string;
  readonly log: LogSettings;
}

/** A loaded config: the values, the file they came from, and where each JSON pointer sits in it. */
export interface LoadedConfig {
  readonly config: KmosConfig;
  /** The config file's path; plugins named by relative path resolve from its folder. */
  readonly file: string;
  /** Line (1-based) of each JSON pointer in the file, for messages about plugins it names. */
  readonly lineOf: (pointer: string) => number | null;
}
