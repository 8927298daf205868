/**
 * What every plugin package exports: a manifest naming its kind, its own version and the ABI range it was
 * built for. The kernel loads plugins by package name (or path) from the config manifest and checks all
 * three before using any other member. Layer: the ABI; imports nothing.
 */

/** The kinds of plugin the kernel composes at boot, in the order it composes them. */
export const PLUGIN_KINDS = [
  'arch',
  'page-allocator',
  'object-allocator',
  'driver',
  'filesystem',
  'console',
] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

export interface PluginManifest {
  readonly kind: PluginKind;
  /** The npm name of the package, e.g. `@kmos/mm-buddy`. */
  readonly name: string;
  /** The package's own semver version. */
  readonly version: string;
  /** The semver range of ABI_VERSION this plugin was built against, e.g. `^1.0.0`. */
  readonly abi: string;
  /**
   * A JSON Schema (draft 2020-12) for the options object the config may give this plugin
   * (`["@kmos/drivers-ide", { ... }]`). The kernel validates options against it before the plugin sees them.
   */
  readonly optionsSchema?: object;
}

/** Options a plugin receives from the config; validated against `optionsSchema` when the plugin has one. */
export type PluginOptions = Readonly<Record<string, unknown>>;

/** A value or a promise of it: synchronous where the hardware allows, asynchronous where it must wait. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Plugins report a user-visible failure by throwing an Error carrying a positive Linux errno (`EIO`, `ENOENT`,
 * ...). The kernel turns it into `-errno` for the guest. Anything else thrown is a bug in the plugin.
 */
export interface ErrnoError extends Error {
  readonly errno: number;
}

/** Log lines go through one logger per subsystem, free when the subsystem is switched off. */
export interface Logger {
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Given to every plugin: its logger, its options, and the way to stop the machine on a broken invariant. */
export interface PluginContext {
  readonly log: Logger;
  readonly options: PluginOptions;
  /** A broken kernel invariant (a double free, a corrupt free list): stops the machine with this message. */
  panic(message: string): never;
}
