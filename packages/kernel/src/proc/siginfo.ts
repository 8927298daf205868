/**
 * What the kernel knows about a signal when it is sent, as siginfo_t will carry it to an SA_SIGINFO handler:
 * who sent it (si_pid, si_uid), why (si_code), the faulting address, a child's status, a timer's id, value and
 * overruns. Layer: kernel proc.
 */
import { SI_TIMER, siginfoLayout } from '@kmos/abi-linux';

export interface SigInfo {
  readonly signo: number;
  readonly code: number;
  /** si_pid / si_uid for signals from a process, si_pid and si_status for SIGCHLD. */
  readonly pid: number;
  readonly uid: number;
  readonly status: number;
  /** si_addr for SIGSEGV/SIGBUS/SIGILL/SIGFPE. */
  readonly addr: number;
  /** SI_TIMER: the timer's id and sigev_value, and its overruns while this signal was pending. */
  readonly timerId: number;
  readonly value: number;
  overrun: number;
}

export function sigInfo(
  signo: number,
  code: number,
  fields: Partial<Omit<SigInfo, 'signo' | 'code'>> = {},
): SigInfo {
  return {
    signo,
    code,
    pid: fields.pid ?? 0,
    uid: fields.uid ?? 0,
    status: fields.status ?? 0,
    addr: fields.addr ?? 0,
    timerId: fields.timerId ?? 0,
    value: fields.value ?? 0,
    overrun: fields.overrun ?? 0,
  };
}

const F = siginfoLayout.fields;
/** Faults carry si_addr; SIGCHLD carries pid, uid and status; the rest pid and uid. */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11]);
const SIGCHLD_NUMBER = 17;

/** The 128-byte siginfo_t for `info`, as the i386 kernel lays it out. */
export function encodeSigInfo(info: SigInfo): Uint8Array {
  const bytes = new Uint8Array(siginfoLayout.sizeBytes);
  const view = new DataView(bytes.buffer);
  view.setInt32(F.si_signo.offset, info.signo, true);
  view.setInt32(F.si_code.offset, info.code, true);
  if (FAULT_SIGNALS.has(info.signo) && info.code > 0) {
    view.setUint32(F.si_addr.offset, info.addr >>> 0, true);
  } else if (info.code === SI_TIMER) {
    view.setInt32(F.si_tid.offset, info.timerId, true);
    view.setInt32(F.si_overrun.offset, info.overrun, true);
    view.setInt32(F.si_value.offset, info.value, true);
  } else {
    view.setInt32(F.si_pid.offset, info.pid, true);
    view.setUint32(F.si_uid.offset, info.uid, true);
    if (info.signo === SIGCHLD_NUMBER) view.setInt32(F.si_status.offset, info.status, true);
  }
  return bytes;
}
