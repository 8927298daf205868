/**
 * The swap area the config names (`memory.swap`): its host file opened as a block device of the kernel's
 * block layer, formatted as mkswap would, and swapped on for the kernel's memory manager. Layer: kernel core,
 * called by kernel-setup.ts for both `kmos boot` and `kmos run`. A problem with the file is a ConfigError
 * naming the field, as any other config mistake.
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { HostFileBlockDevice } from './block/host-file-device.js';
import type { LoadedConfig } from './config/types.js';
import { ConfigError } from './errors.js';
import type { Kernel } from './kernel.js';
import { KernelError } from './kernel-error.js';
import { SwapArea } from './mm/swap-area.js';
import { swapOn } from './mm/swapon.js';

const MIB = 1024 * 1024;
const KIB_PER_PAGE = 4;

/** Turns on the configured swap area, if there is one. */
export function enableConfiguredSwap(k: Kernel): void {
  const loaded = k.machine.loaded;
  const swap = loaded.config.memory.swap;
  if (swap === undefined) return;
  const path = resolve(dirname(loaded.file), swap.file);
  refuseForeignFile(loaded, path);
  const device = openOrFail(loaded, path, swap.sizeMiB * MIB);
  let area: SwapArea;
  try {
    area = SwapArea.format(device, path, 'file');
  } catch (e) {
    device.close();
    if (e instanceof KernelError) throw fieldError(loaded, 'sizeMiB', e.message.replace(/^errno \d+: /, ''));
    throw e;
  }
  swapOn(k.mm, area);
  const kb = area.totalPages * KIB_PER_PAGE;
  // Linux's swapon line, so a boot log reads the same.
  k.log.info(`Adding ${kb}k swap on ${path}.  Priority:-2 extents:1 across:${kb}k FS`);
}

/** Formatting destroys what the file holds: only a missing or empty file, or an old swap area, may be taken. */
function refuseForeignFile(loaded: LoadedConfig, path: string): void {
  let sizeBytes: number;
  try {
    sizeBytes = statSync(path).size;
  } catch {
    return; // Missing (or unreachable, which the open below reports).
  }
  if (sizeBytes === 0) return;
  let existing: HostFileBlockDevice;
  try {
    existing = HostFileBlockDevice.open(path, { name: basename(path), readOnly: true });
  } catch (e) {
    throw fieldError(
      loaded,
      'file',
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  try {
    if (!SwapArea.isSwap(existing)) {
      throw fieldError(
        loaded,
        'file',
        `${path} is not a swap area (no mkswap signature); not overwriting it`,
      );
    }
  } finally {
    existing.close();
  }
}

function openOrFail(loaded: LoadedConfig, path: string, sizeBytes: number): HostFileBlockDevice {
  try {
    return HostFileBlockDevice.open(path, { name: basename(path), sizeBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw fieldError(loaded, 'file', `cannot open ${path} (${code})`);
  }
}

function fieldError(loaded: LoadedConfig, field: string, problem: string): ConfigError {
  const line = loaded.lineOf(`/memory/swap/${field}`);
  return new ConfigError(
    basename(loaded.file),
    `memory.swap.${field}${line ? ` (line ${line})` : ''}`,
    problem,
  );
}
