/**
 * The machine-wide /proc files the kernel fills: meminfo, buddyinfo and slabinfo read the allocator plugins'
 * stats() (so swapping allocators in the config shows here), meminfo, swaps and vmstat read the swap area's,
 * cpuinfo describes the arch plugin's CPU from its CPUID (arch/cpu-identity.ts), kmos/cpu shows its counters, and cmdline/version/uptime come from the kernel. Formats are Linux's, so free, ps and top parse them.
 * Layer: kernel procfs content.
 */

import { AF_INET, AF_INET6 } from '@kmos/abi-linux';
import { procLocks } from '../fs/file-locks.js';
import type { Procfs } from '../fs/procfs.js';
import { procSysvMsg, procSysvSem, procSysvShm } from '../ipc/proc-sysvipc.js';
import type { Kernel } from '../kernel.js';
import { procNetIfInet6 } from '../net/interfaces.js';

const KIB_PER_PAGE = 4;

function kb(label: string, kib: number): string {
  return `${`${label}:`.padEnd(16)}${String(kib).padStart(8)} kB`;
}

function meminfo(k: Kernel): string {
  const pages = k.machine.pages.stats();
  const objects = k.machine.objects.stats();
  const swap = k.mm.swap?.stats() ?? null;
  const total = pages.totalPages * KIB_PER_PAGE;
  const free = pages.freePages * KIB_PER_PAGE;
  const slab = objects.pagesHeld * KIB_PER_PAGE;
  return `${[
    kb('MemTotal', total),
    kb('MemFree', free),
    kb('MemAvailable', free),
    kb('Buffers', 0),
    kb('Cached', 0),
    kb('SwapCached', (swap?.cachedPages ?? 0) * KIB_PER_PAGE),
    kb('Active', 0),
    kb('Inactive', 0),
    kb('SwapTotal', (swap?.totalPages ?? 0) * KIB_PER_PAGE),
    kb('SwapFree', (swap?.freePages ?? 0) * KIB_PER_PAGE),
    kb('Slab', slab),
    kb('SReclaimable', 0),
    kb('SUnreclaim', slab),
  ].join('\n')}\n`;
}

/** /proc/swaps: Linux's header and one line per area (name padded to 40 columns, sizes in KiB). */
function swaps(k: Kernel): string {
  const header = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
  const swap = k.mm.swap;
  if (swap === null) return header;
  const { path, kind } = swap.area;
  const { totalPages, freePages } = swap.stats();
  const size = totalPages * KIB_PER_PAGE;
  const used = (totalPages - freePages) * KIB_PER_PAGE;
  // Linux tabs twice after numbers below 10^7 so the columns line up.
  const tab = (n: number) => (n < 10_000_000 ? '\t\t' : '\t');
  const pad = ' '.repeat(path.length < 40 ? 40 - path.length : 1);
  return `${header}${path}${pad}${kind}\t${size}${tab(size)}${used}${tab(used)}-2\n`;
}

/** /proc/vmstat: the counters of Linux's that kmOS keeps, by Linux's names (reclaim runs in the faulting task: "direct"). */
function vmstat(k: Kernel): string {
  const swap = k.mm.swap?.stats();
  const reclaim = k.mm.reclaim?.stats();
  return [
    `nr_free_pages ${k.machine.pages.stats().freePages}`,
    `pswpin ${swap?.pagesIn ?? 0}`,
    `pswpout ${swap?.pagesOut ?? 0}`,
    `pgscan_direct ${reclaim?.scanned ?? 0}`,
    `pgsteal_direct ${reclaim?.evicted ?? 0}`,
    '',
  ].join('\n');
}

function buddyinfo(k: Kernel): string {
  return k.machine.pages
    .stats()
    .zones.map(
      (z) =>
        `Node 0, zone ${z.zone.padStart(8)} ${z.freeBlocks.map((n) => String(n).padStart(6)).join(' ')} `,
    )
    .join('\n')
    .concat('\n');
}

function slabinfo(k: Kernel): string {
  const header = [
    'slabinfo - version: 2.1',
    '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
  ];
  const rows = k.machine.objects
    .stats()
    .caches.map(
      (c) =>
        `${c.name.padEnd(17)} ${String(c.activeObjs).padStart(6)} ${String(c.numObjs).padStart(6)} ${String(c.objSizeBytes).padStart(6)} ` +
        `${String(c.objsPerSlab).padStart(4)} ${String(c.pagesPerSlab).padStart(4)} : tunables    0    0    0 : slabdata ` +
        `${String(c.activeSlabs).padStart(6)} ${String(c.numSlabs).padStart(6)}      0`,
    );
  return `${[...header, ...rows].join('\n')}\n`;
}

/** /proc/cpuinfo from the CPU's identity (arch/cpu-identity.ts), in Linux's layout for one i386 CPU. */
function cpuinfo(k: Kernel): string {
  const id = k.machine.cpuIdentity;
  const has = (flag: string) => (id.flags.includes(flag) ? 'yes' : 'no');
  return [
    'processor\t: 0',
    `vendor_id\t: ${id.vendor}`,
    `cpu family\t: ${id.family}`,
    `model\t\t: ${id.model}`,
    `model name\t: ${id.modelName}`,
    `stepping\t: ${id.stepping}`,
    `fpu\t\t: ${has('fpu')}`,
    `fpu_exception\t: ${has('fpu')}`,
    `cpuid level\t: ${id.maxLeaf}`,
    'wp\t\t: yes',
    `flags\t\t: ${id.flags.join(' ')}`,
    'bogomips\t: 100.00',
    '',
    '',
  ].join('\n');
}

/**
 * /proc/kmos/cpu: the guest clock and the counters the arch plugin shows (`Cpu.stats`, ABI 1.1), one
 * `name value` per line like /proc/vmstat. kmOS's own files live under /proc/kmos so no Linux name is
 * taken or shadowed (a program parsing /proc/cpuinfo or /proc/stat sees Linux's format only), and a CPU
 * built for ABI 1.0 still gets the file, with the instruction count alone.
 */
function kmosCpu(k: Kernel): string {
  const counters = { insns: k.cpu.insns, ...(k.cpu.stats?.() ?? {}) };
  return Object.entries(counters)
    .map(([name, value]) => `${name} ${value}\n`)
    .join('');
}

/** /proc/stat: CPU time in USER_HZ ticks (all of it user time: the guest never runs in kernel mode on the CPU). */
function stat(k: Kernel): string {
  const USER_HZ = 100;
  const busy = Math.floor((k.cpu.insns * USER_HZ) / 1e9);
  const idle = Math.max(0, Math.floor((k.clock.nowNs() * USER_HZ) / 1e9) - busy);
  const cpu = `${busy} 0 0 ${idle} 0 0 0 0 0 0`;
  const running = [...k.processes.threads.values()].filter((t) => t.state === 0).length;
  return [
    `cpu  ${cpu}`,
    `cpu0 ${cpu}`,
    'intr 0',
    'ctxt 0',
    `btime ${Math.floor((k.clock.epochNs() - k.clock.nowNs()) / 1e9)}`,
    `processes ${k.processes.lastId}`,
    `procs_running ${running}`,
    'procs_blocked 0',
    '',
  ].join('\n');
}

export function registerSystemEntries(k: Kernel, procfs: Procfs): void {
  procfs.registerFile('stat', () => stat(k));
  procfs.registerFile('meminfo', () => meminfo(k));
  procfs.registerFile('swaps', () => swaps(k));
  procfs.registerFile('vmstat', () => vmstat(k));
  procfs.registerFile('buddyinfo', () => buddyinfo(k));
  procfs.registerFile('slabinfo', () => slabinfo(k), 0o400);
  procfs.registerFile('cpuinfo', () => cpuinfo(k));
  procfs.registerFile('kmos/cpu', () => kmosCpu(k));
  procfs.registerFile('cmdline', () => `${k.machine.loaded.config.cmdline}\n`);
  procfs.registerFile('net/unix', () => k.sockets.unixTable());
  procfs.registerFile('locks', procLocks);
  procfs.registerFile('net/tcp', () => k.sockets.tcpTable(AF_INET));
  procfs.registerFile('net/udp', () => k.sockets.udpTable(AF_INET));
  procfs.registerFile('net/tcp6', () => k.sockets.tcpTable(AF_INET6));
  procfs.registerFile('net/udp6', () => k.sockets.udpTable(AF_INET6));
  procfs.registerFile('net/dev', () => k.sockets.devTable());
  procfs.registerFile('net/if_inet6', procNetIfInet6);
  procfs.registerFile('sysvipc/shm', () => procSysvShm(k.shm));
  procfs.registerFile('sysvipc/sem', () => procSysvSem(k.sem));
  procfs.registerFile('sysvipc/msg', () => procSysvMsg(k.msg));
}
