/**
 * What the kernel knows about a signal when it is sent, as siginfo_t will carry it to an SA_SIGINFO handler:
 * who sent it (si_pid, si_uid), why (si_code), the faulting address, a child's status, a timer's id, value and
 * overruns. Layer: kernel proc.
 */
import { SI_QUEUE, SI_TIMER, siginfoLayout, signalfdSiginfoLayout } from '@kmos/abi-linux';

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

/** Faults carry si_addr; SIGCHLD carries pid, uid and status; the rest pid and uid. */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11]);
const SIGCHLD_NUMBER = 17;

/**
 * Where a record keeps each field of a signal (siginfo_t and struct signalfd_siginfo both carry them): the
 * offsets of SigInfo's fields, and the value's places (sival_int, and signalfd's ssi_ptr besides).
 */
type SignalRecord = Readonly<Record<Exclude<keyof SigInfo, 'value'>, number>> & {
  readonly sizeBytes: number;
  readonly value: readonly number[];
};

const F = siginfoLayout.fields;
const SIGINFO: SignalRecord = {
  sizeBytes: siginfoLayout.sizeBytes,
  signo: F.si_signo.offset,
  code: F.si_code.offset,
  pid: F.si_pid.offset,
  uid: F.si_uid.offset,
  status: F.si_status.offset,
  addr: F.si_addr.offset,
  timerId: F.si_tid.offset,
  overrun: F.si_overrun.offset,
  value: [F.si_value.offset],
};

const S = signalfdSiginfoLayout.fields;
const SIGNALFD_SIGINFO: SignalRecord = {
  sizeBytes: signalfdSiginfoLayout.sizeBytes,
  signo: S.ssi_signo.offset,
  code: S.ssi_code.offset,
  pid: S.ssi_pid.offset,
  uid: S.ssi_uid.offset,
  status: S.ssi_status.offset,
  addr: S.ssi_addr.offset,
  timerId: S.ssi_tid.offset,
  overrun: S.ssi_overrun.offset,
  value: [S.ssi_int.offset, S.ssi_ptr.offset],
};

function encode(info: SigInfo, record: SignalRecord): Uint8Array {
  const bytes = new Uint8Array(record.sizeBytes);
  const view = new DataView(bytes.buffer);
  view.setInt32(record.signo, info.signo, true);
  view.setInt32(record.code, info.code, true);
  if (FAULT_SIGNALS.has(info.signo) && info.code > 0) {
    view.setUint32(record.addr, info.addr >>> 0, true);
  } else if (info.code === SI_TIMER) {
    view.setInt32(record.timerId, info.timerId, true);
    view.setInt32(record.overrun, info.overrun, true);
    for (const at of record.value) view.setInt32(at, info.value, true);
  } else {
    view.setInt32(record.pid, info.pid, true);
    view.setUint32(record.uid, info.uid, true);
    if (info.signo === SIGCHLD_NUMBER) view.setInt32(record.status, info.status, true);
    else if (info.code === SI_QUEUE) for (const at of record.value) view.setInt32(at, info.value, true);
  }
  return bytes;
}

/** The 128-byte siginfo_t for `info`, as the i386 kernel lays it out. */
export function encodeSigInfo(info: SigInfo): Uint8Array {
  return encode(info, SIGINFO);
}

/** The 128-byte struct signalfd_siginfo a signalfd read gives for `info`: the fields siginfo_t would carry. */
export function encodeSignalfdSiginfo(info: SigInfo): Uint8Array {
  return encode(info, SIGNALFD_SIGINFO);
}
