/**
 * The system console as a character device (/dev/console): bytes written go to the console plugin; bytes the
 * console receives are queued until a reader takes them. No line discipline here: with the host terminal in
 * its own cooked mode, lines arrive already edited (the kernel's tty layer will take over with raw mode).
 * Layer: kernel devices, between the console plugin and devfs.
 */
import type { CharDevice, Console } from '@kmos/abi-driver';
import { POLLIN, POLLOUT } from '@kmos/abi-driver';

/** Linux's TTYAUX_MAJOR:1, the numbers of /dev/console. */
const CONSOLE_MAJOR = 5;
const CONSOLE_MINOR = 1;

export function consoleDevice(console: Console): CharDevice {
  const pending: Uint8Array[] = [];
  let notify: (() => void) | null = null;
  let listening = false;
  const listen = () => {
    if (listening) return;
    listening = true;
    console.onInput((bytes) => {
      pending.push(bytes.slice());
      notify?.();
    });
  };
  return {
    name: 'console',
    major: CONSOLE_MAJOR,
    minor: CONSOLE_MINOR,
    read(into) {
      listen();
      const chunk = pending[0];
      if (!chunk) return null;
      const n = Math.min(chunk.length, into.length);
      into.set(chunk.subarray(0, n));
      if (n === chunk.length) pending.shift();
      else pending[0] = chunk.subarray(n);
      return n;
    },
    write(from) {
      console.write(from);
      return from.length;
    },
    poll() {
      return (pending.length > 0 ? POLLIN : 0) | POLLOUT;
    },
    onReady(callback) {
      notify = callback;
      listen();
    },
  };
}
