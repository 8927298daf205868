/**
 * syslog(2) (klogctl, what dmesg calls): the kernel message buffer, each line as `<level>[seconds] text`.
 * READ takes unread lines (waiting for one), READ_ALL the newest lines that fit, READ_CLEAR and CLEAR also
 * clear; SIZE_UNREAD and SIZE_BUFFER measure. Without CAP_SYSLOG only READ_ALL and SIZE_BUFFER are allowed,
 * as with dmesg_restrict 0. Layer: kernel syscall handlers, over kernel-log.ts's MessageBuffer.
 */
import { EINVAL, EPERM } from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { type KernelLine, type MessageBuffer, syslogLine } from '../../kernel-log.js';
import type { Thread } from '../../proc/thread.js';
import { sleepUntil } from '../../sched/sleep.js';
import type { SyscallImpl } from '../syscall-table.js';
import { signed, writeUser } from '../user-args.js';

const SYSLOG_ACTION_CLOSE = 0;
const SYSLOG_ACTION_OPEN = 1;
const SYSLOG_ACTION_READ = 2;
const SYSLOG_ACTION_READ_ALL = 3;
const SYSLOG_ACTION_READ_CLEAR = 4;
const SYSLOG_ACTION_CLEAR = 5;
const SYSLOG_ACTION_CONSOLE_OFF = 6;
const SYSLOG_ACTION_CONSOLE_ON = 7;
const SYSLOG_ACTION_CONSOLE_LEVEL = 8;
const SYSLOG_ACTION_SIZE_UNREAD = 9;
const SYSLOG_ACTION_SIZE_BUFFER = 10;
/** log_buf_len: 2^CONFIG_LOG_BUF_SHIFT (17). */
const LOG_BUFFER_BYTES = 1 << 17;

const encoder = new TextEncoder();

/** The newest of `lines` whose text fits in `room` bytes, oldest first. */
function newestThatFit(lines: readonly KernelLine[], room: number): Uint8Array {
  const texts: Uint8Array[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const text = encoder.encode(syslogLine(lines[i] as KernelLine));
    if (size + text.length > room) break;
    texts.unshift(text);
    size += text.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const text of texts) {
    out.set(text, at);
    at += text.length;
  }
  return out;
}

/** The oldest unread lines that fit in `room` bytes (at least none), marking them read. */
function takeUnread(buffer: MessageBuffer, room: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  let next = Math.max(buffer.readBefore, buffer.clearedBefore);
  while (next < buffer.lines.length) {
    const text = encoder.encode(syslogLine(buffer.lines[next] as KernelLine));
    if (size + text.length > room) break;
    parts.push(text);
    size += text.length;
    next++;
  }
  buffer.readBefore = next;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function syslog(k: Kernel, t: Thread, type: number, buf: number, length: number): Promise<number> {
  const buffer = k.machine.messages;
  const len = signed(length);
  const privileged = t.process.creds.euid === 0;
  if (!privileged && type !== SYSLOG_ACTION_READ_ALL && type !== SYSLOG_ACTION_SIZE_BUFFER) {
    throw new KernelError(EPERM);
  }
  switch (type) {
    case SYSLOG_ACTION_CLOSE:
    case SYSLOG_ACTION_OPEN:
    case SYSLOG_ACTION_CONSOLE_OFF:
    case SYSLOG_ACTION_CONSOLE_ON:
      return 0;
    case SYSLOG_ACTION_CONSOLE_LEVEL:
      if (len < 1 || len > 8) throw new KernelError(EINVAL);
      return 0;
    case SYSLOG_ACTION_READ: {
      if (buf === 0 || len < 0) throw new KernelError(EINVAL);
      if (len === 0) return 0;
      const unread = () => Math.max(buffer.readBefore, buffer.clearedBefore) < buffer.lines.length;
      await sleepUntil(t, k.clock, [buffer.logged], unread, null);
      const text = takeUnread(buffer, len);
      if (text.length > 0) writeUser(t, buf, text);
      return text.length;
    }
    case SYSLOG_ACTION_READ_ALL:
    case SYSLOG_ACTION_READ_CLEAR: {
      if (buf === 0 || len < 0) throw new KernelError(EINVAL);
      const text = newestThatFit(buffer.lines.slice(buffer.clearedBefore), len);
      if (text.length > 0) writeUser(t, buf, text);
      if (type === SYSLOG_ACTION_READ_CLEAR) buffer.clearedBefore = buffer.lines.length;
      return text.length;
    }
    case SYSLOG_ACTION_CLEAR:
      buffer.clearedBefore = buffer.lines.length;
      return 0;
    case SYSLOG_ACTION_SIZE_UNREAD: {
      let size = 0;
      for (let i = Math.max(buffer.readBefore, buffer.clearedBefore); i < buffer.lines.length; i++) {
        size += encoder.encode(syslogLine(buffer.lines[i] as KernelLine)).length;
      }
      return size;
    }
    case SYSLOG_ACTION_SIZE_BUFFER:
      return LOG_BUFFER_BYTES;
    default:
      throw new KernelError(EINVAL, 'syslog action');
  }
}

export function syslogSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return { syslog: { handler: (t, type, buf, len) => syslog(k, t, signed(type), buf, len) } };
}
