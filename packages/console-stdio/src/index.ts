/**
 * @kmos/console-stdio: the system console on the host's standard streams. Output bytes go to stdout as they
 * are; input is read from stdin only once the kernel asks for it, so a kernel that never reads does not hold
 * the host process open. The terminal's raw mode belongs to the kernel's tty layer, not here.
 * Layer: a console plugin; imports only the driver ABI.
 */
import type { Console, ConsoleContext, ConsolePlugin } from '@kmos/abi-driver';
import manifest from '../package.json' with { type: 'json' };

export interface StdioStreams {
  readonly input: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown };
  readonly output: NodeJS.WritableStream & { columns?: number; rows?: number };
}

/** A console over any pair of streams; the plugin uses the process's own. */
export function createStdioConsole(streams: StdioStreams): Console {
  let listener: ((chunk: Buffer) => void) | null = null;
  const stopReading = () => {
    if (!listener) return;
    streams.input.off('data', listener);
    streams.input.pause();
    listener = null;
  };
  return {
    write(bytes) {
      streams.output.write(bytes);
    },
    onInput(handler) {
      stopReading();
      listener = (chunk) => handler(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      streams.input.on('data', listener);
      streams.input.resume();
    },
    size() {
      const { columns, rows } = streams.output;
      return columns && rows ? { rows, cols: columns } : null;
    },
    close: stopReading,
  };
}

export const plugin: ConsolePlugin = {
  kind: 'console',
  name: manifest.name,
  version: manifest.version,
  abi: '^1.0.0',
  create(_ctx: ConsoleContext) {
    return createStdioConsole({ input: process.stdin, output: process.stdout });
  },
};

export default plugin;
