/**
 * Small syscalls programs make at start-up whose answer is simple: set_robust_list and get_robust_list
 * (the list is walked at exit: proc/robust-futexes.ts), sysinfo, reboot. Layer: kernel syscall handlers.
 */
import { EINVAL, EPERM, ESRCH, robustListHeadLayout, sysinfoLayout } from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { mayAccessProcess } from '../../proc/process-access.js';
import { KEEP_REGISTERS, type SyscallImpl } from '../syscall-table.js';
import { signed, struct, writeUser } from '../user-args.js';

// reboot(2) magic numbers and commands (linux/reboot.h).
const LINUX_REBOOT_MAGIC1 = 0xfee1dead;
const LINUX_REBOOT_MAGIC2S = [672274793, 85072278, 369367448, 537993216];
const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
const LINUX_REBOOT_CMD_HALT = 0xcdef0123;
const LINUX_REBOOT_CMD_RESTART = 0x01234567;
const LINUX_REBOOT_CMD_CAD_ON = 0x89abcdef;
const LINUX_REBOOT_CMD_CAD_OFF = 0x00000000;

export function miscSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    reboot: {
      handler: (t, magic1, magic2, cmd) => {
        if (t.process.creds.euid !== 0) throw new KernelError(EPERM);
        if (magic1 !== LINUX_REBOOT_MAGIC1 || !LINUX_REBOOT_MAGIC2S.includes(magic2))
          throw new KernelError(EINVAL);
        if (cmd === LINUX_REBOOT_CMD_CAD_ON || cmd === LINUX_REBOOT_CMD_CAD_OFF) return 0;
        if (
          cmd === LINUX_REBOOT_CMD_POWER_OFF ||
          cmd === LINUX_REBOOT_CMD_HALT ||
          cmd === LINUX_REBOOT_CMD_RESTART
        ) {
          k.powerOff();
          return KEEP_REGISTERS;
        }
        throw new KernelError(EINVAL);
      },
      status: 'partial',
      note: 'restart powers off too (kmos has no reset); Ctrl-Alt-Del settings are accepted and ignored',
    },
    set_robust_list: {
      handler: (t, head, len) => {
        if (len !== robustListHeadLayout.sizeBytes) throw new KernelError(EINVAL);
        t.robustList = head;
        return 0;
      },
    },
    get_robust_list: {
      handler: (t, tid, headPtr, lenPtr) => {
        const target = signed(tid) === 0 ? t : k.processes.threads.get(signed(tid));
        if (!target) throw new KernelError(ESRCH);
        if (!mayAccessProcess(t.process, target.process)) throw new KernelError(EPERM);
        const { bytes, view } = struct(4);
        view.setUint32(0, robustListHeadLayout.sizeBytes, true);
        writeUser(t, lenPtr, bytes);
        const head = struct(4);
        head.view.setUint32(0, target.robustList, true);
        writeUser(t, headPtr, head.bytes);
        return 0;
      },
    },
    sysinfo: {
      handler: (t, ptr) => {
        const F = sysinfoLayout.fields;
        const { bytes, view } = struct(sysinfoLayout.sizeBytes);
        const stats = k.machine.pages.stats();
        view.setInt32(F.uptime.offset, Math.floor(k.clock.nowNs() / 1e9), true);
        view.setUint32(F.totalram.offset, stats.totalPages, true);
        view.setUint32(F.freeram.offset, stats.freePages, true);
        view.setUint16(F.procs.offset, k.processes.processes.size, true);
        view.setUint32(F.mem_unit.offset, 4096, true);
        writeUser(t, ptr, bytes);
        return 0;
      },
    },
  };
}
