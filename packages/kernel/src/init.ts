/**
 * What the kernel does after composing the machine: mount the root filesystem and run init. Until the VFS and
 * the process layer exist, it says exactly that and stops with the panic Linux gives when it finds no init,
 * rather than pretending to reach a prompt. Layer: kernel core.
 */
import type { Machine } from './boot.js';
import { KernelPanic } from './errors.js';

export function startInit(machine: Machine): never {
  const { root, init } = machine.loaded.config;
  const log = machine.log.logger('init');
  log.error(
    `cannot mount root (${root.type} from ${root.source}): the kernel has no VFS yet ` +
      '(it arrives with the process and syscall layer)',
  );
  log.error(`cannot run ${init.path}: the kernel has no process layer yet (ELF loader, syscalls, scheduler)`);
  throw new KernelPanic(`No working init found. Tried ${init.path}; this kernel cannot run programs yet.`);
}
