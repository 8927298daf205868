/**
 * Boot composition: the kernel builds the machine from the config manifest, layer by layer — arch, memory,
 * drivers, filesystems, console — loading each plugin by name, checking it (kind, ABI range, members,
 * options) and logging one line per plugin. Nothing here names a concrete plugin: the config does.
 * Layer: kernel core; above it the CLI, below it the plugins through @kmos/abi-driver.
 */
import { basename, dirname } from 'node:path';
import {
  ABI_VERSION,
  type Console,
  type Cpu,
  type DriverPlugin,
  type FilesystemPlugin,
  type Logger,
  type ObjectAllocator,
  PAGE_SIZE,
  type PageAllocator,
  type PhysicalMemory,
  type PluginContext,
  type PluginKind,
  type PluginOptions,
  type ProbeResult,
} from '@kmos/abi-driver';
import { type CpuIdentity, readCpuIdentity } from './arch/cpu-identity.js';
import type { LoadedConfig, PluginRef } from './config/types.js';
import { DeviceRegistry } from './devices/device-registry.js';
import { KernelPanic, PluginRefusedError } from './errors.js';
import { type KernelLine, MessageBuffer } from './kernel-log.js';
import { KernelLog } from './log.js';
import { IoBus } from './machine/io-bus.js';
import { IrqTable } from './machine/irq-lines.js';
import { createPhysicalMemory } from './machine/physical-memory.js';
import { CountingPageAllocator } from './mm/page-counter.js';
import { type LoadedPlugin, loadPlugin } from './plugins/load-plugin.js';

/** The first MiB of a PC holds the real-mode IVT, BIOS data, VGA memory and ROMs: never handed out as frames. */
export const RESERVED_LOW_BYTES = 0x100000;
export const MIB = 1024 * 1024;

export interface BootOptions {
  /** Folders searched for plugin packages after the config file's own folder (the embedder's, say). */
  readonly searchDirs?: readonly string[];
  /** Echo kernel messages to the console (default true). */
  readonly echo?: boolean;
  /** Told every kernel message as it is logged. */
  readonly onMessage?: (line: KernelLine) => void;
}

export interface BootedPlugin {
  readonly kind: PluginKind;
  readonly name: string;
  readonly version: string;
  readonly entry: string;
}

/** The composed machine: every layer the config asked for, ready for the process layer to run init. */
export interface Machine {
  readonly loaded: LoadedConfig;
  readonly memory: PhysicalMemory;
  readonly cpu: Cpu;
  /** What AT_HWCAP and /proc/cpuinfo say about the CPU: its CPUID answers, or the 1.0 fallback. */
  readonly cpuIdentity: CpuIdentity;
  readonly pages: PageAllocator;
  readonly objects: ObjectAllocator;
  readonly ioBus: IoBus;
  readonly irqs: IrqTable;
  readonly devices: DeviceRegistry;
  readonly filesystems: ReadonlyMap<string, FilesystemPlugin>;
  readonly console: Console;
  readonly plugins: readonly BootedPlugin[];
  readonly messages: MessageBuffer;
  readonly log: KernelLog;
}

export async function boot(loaded: LoadedConfig, options: BootOptions = {}): Promise<Machine> {
  const { config } = loaded;
  let cpu: Cpu | null = null;
  const messages = new MessageBuffer(
    () => (cpu ? cpu.insns : 0),
    options.echo ?? true,
    options.onMessage ?? null,
  );
  const log = new KernelLog(config.log, messages.sink);
  const bootLog = log.logger('boot');
  const composer = new Composer(loaded, options, log, bootLog);
  bootLog.info(`kmOS kernel, driver ABI ${ABI_VERSION}, config ${basename(loaded.file)}`);

  const arch = await composer.load(config.machine.cpu, 'arch', '/machine/cpu');
  const memory = createPhysicalMemory(config.machine.memoryMiB * MIB, arch.plugin.stateBytes ?? 0);
  cpu = arch.plugin.createCpu({ ...composer.context('cpu', arch.options), memory });
  const cpuIdentity = readCpuIdentity(cpu, arch.plugin.modelName);
  composer.announce(arch, `${arch.plugin.modelName}, ${config.machine.memoryMiB} MiB RAM`);

  const pagesPlugin = await composer.load(config.memory.pages, 'page-allocator', '/memory/pages');
  const firstFrame = RESERVED_LOW_BYTES / PAGE_SIZE;
  // Counted, so the fault path can compare free frames with the reclaim watermarks cheaply (mm/page-counter.ts).
  const pages = new CountingPageAllocator(
    pagesPlugin.plugin.create({
      ...composer.context('mm', pagesPlugin.options),
      memory,
      firstFrame,
      frameCount: memory.sizeBytes / PAGE_SIZE - firstFrame,
    }),
  );
  composer.announce(pagesPlugin, `${pages.stats().freePages} free pages`);

  const objectsPlugin = await composer.load(config.memory.objects, 'object-allocator', '/memory/objects');
  const objects = objectsPlugin.plugin.create({
    ...composer.context('mm', objectsPlugin.options),
    memory,
    pages,
  });
  composer.announce(objectsPlugin, objects.stats().design);

  const ioBus = new IoBus();
  const irqs = new IrqTable();
  const devices = new DeviceRegistry();
  for (const [index, ref] of config.drivers.entries()) {
    const driver = await composer.load(ref, 'driver', `/drivers/${index}`);
    const result = await probeDriver(driver, { memory, ioBus, irqs, devices }, composer);
    composer.announce(driver, result);
  }

  const filesystems = new Map<string, FilesystemPlugin>();
  for (const [index, ref] of config.filesystems.entries()) {
    const fs = await composer.load(ref, 'filesystem', `/filesystems/${index}`);
    if (filesystems.has(fs.plugin.fsType)) {
      throw new PluginRefusedError(fs.plugin.name, `filesystem type ${fs.plugin.fsType} is already provided`);
    }
    filesystems.set(fs.plugin.fsType, fs.plugin);
    composer.announce(fs, `type ${fs.plugin.fsType}`);
  }

  const consolePlugin = await composer.load(config.console, 'console', '/console');
  const console = consolePlugin.plugin.create(composer.context('console', consolePlugin.options));
  messages.attachConsole(console);
  composer.announce(consolePlugin, `${config.machine.console} console`);

  return {
    loaded,
    memory,
    cpu,
    cpuIdentity,
    pages,
    objects,
    ioBus,
    irqs,
    devices,
    filesystems,
    console,
    plugins: composer.booted,
    messages,
    log,
  };
}

interface Hardware {
  readonly memory: PhysicalMemory;
  readonly ioBus: IoBus;
  readonly irqs: IrqTable;
  readonly devices: DeviceRegistry;
}

async function probeDriver(
  driver: LoadedPlugin<DriverPlugin>,
  hw: Hardware,
  composer: Composer,
): Promise<ProbeResult> {
  const name = driver.plugin.name;
  const claim = driver.plugin.claim(driver.options);
  return driver.plugin.probe({
    ...composer.context(name, driver.options),
    memory: hw.memory,
    ports: hw.ioBus.portsFor(name, claim.ports),
    irqs: hw.irqs.linesFor(name, claim.irqs),
    registerBlock: (device) => hw.devices.registerBlock(device, name),
    registerChar: (device) => hw.devices.registerChar(device, name),
  });
}

/** Loads plugins for the config's slots and keeps the boot record; one instance per boot. */
class Composer {
  readonly booted: BootedPlugin[] = [];
  private readonly searchDirs: readonly string[];

  constructor(
    private readonly loaded: LoadedConfig,
    options: BootOptions,
    private readonly log: KernelLog,
    private readonly bootLog: Logger,
  ) {
    this.searchDirs = [dirname(loaded.file), process.cwd(), ...(options.searchDirs ?? [])];
  }

  async load<K extends PluginKind>(ref: PluginRef, kind: K, pointer: string) {
    const line = this.loaded.lineOf(pointer);
    const where = `${pointer
      .slice(1)
      .replace(/\/(\d+)/g, '[$1]')
      .replace(/\//g, '.')} in ${basename(this.loaded.file)}${line ? `, line ${line}` : ''}`;
    return loadPlugin(ref, kind, { baseDirs: this.searchDirs }, where);
  }

  context(subsystem: string, options: PluginOptions): PluginContext {
    return {
      log: this.log.logger(subsystem),
      options,
      panic: (message: string): never => {
        throw new KernelPanic(`${subsystem}: ${message}`);
      },
    };
  }

  announce(loaded: LoadedPlugin, detail: string): void {
    const { kind, name, version } = loaded.plugin;
    this.booted.push({ kind, name, version, entry: loaded.entry });
    this.bootLog.info(`${kind.padEnd(16)} ${name}@${version} (${detail})`);
  }
}
