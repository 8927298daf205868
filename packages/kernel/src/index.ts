// @kmos/kernel: composes the machine from a config manifest. Re-exports only; boot.ts explains the layering.
export { type BootedPlugin, type BootOptions, boot, type Machine, MIB, RESERVED_LOW_BYTES } from './boot.js';
export { pointerToPath } from './config/json-path.js';
export { configSchema, loadConfigFile, parseConfigText } from './config/load-config.js';
export type { KmosConfig, LoadedConfig, PluginRef } from './config/types.js';
export { BootError, ConfigError, KernelPanic, PluginRefusedError } from './errors.js';
export { startInit } from './init.js';
export { KernelError } from './kernel-error.js';
export { formatLine, type KernelLine, MessageBuffer } from './kernel-log.js';
export { KernelLog, type LogLevel, type LogSettings, type LogSink } from './log.js';
export { createPhysicalMemory } from './machine/physical-memory.js';
export { checkPlugin } from './plugins/check-plugin.js';
export { type DiscoveredPlugin, discoverPlugins, PLUGIN_KEYWORD } from './plugins/discover-plugins.js';
export { type LoadedPlugin, loadPlugin } from './plugins/load-plugin.js';
export { resolvePlugin } from './plugins/resolve-plugin.js';
