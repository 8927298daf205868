/**
 * Which task a kernel operation runs for, across its awaits: /proc/self must mean the caller even when its
 * path walk resumes after another thread ran. The dispatcher enters the calling thread into an
 * AsyncLocalStorage, which follows the promise chain of the syscall. Layer: kernel core.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Thread } from '../proc/thread.js';

export const taskContext = new AsyncLocalStorage<Thread>();

export function currentTask(): Thread | null {
  return taskContext.getStore() ?? null;
}
