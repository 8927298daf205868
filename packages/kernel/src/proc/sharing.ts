/**
 * Resources several processes may share (clone with CLONE_VM or CLONE_FILES without CLONE_THREAD, vfork):
 * how many processes use each, so the last one out frees it. Threads of one process share through the
 * process object itself and are not counted here. Layer: kernel proc.
 */
import type { AddressSpace } from '../mm/address-space.js';
import type { FdTable } from './fd-table.js';

const users = new WeakMap<AddressSpace | FdTable, number>();

export function share<T extends AddressSpace | FdTable>(resource: T): T {
  users.set(resource, (users.get(resource) ?? 1) + 1);
  return resource;
}

/** Whether another process uses `resource` too. */
export function isShared(resource: AddressSpace | FdTable): boolean {
  return (users.get(resource) ?? 1) > 1;
}

/** Drops one user; true when it was the last (the caller frees the resource). */
export function release(resource: AddressSpace | FdTable): boolean {
  const count = users.get(resource) ?? 1;
  if (count <= 1) {
    users.delete(resource);
    return true;
  }
  users.set(resource, count - 1);
  return false;
}
