/**
 * Test support: a client for host_oracle.py, one python3 process per test file (it starts slowly), one
 * request per line. Each request names a host directory and phases of operations; the answer is the host
 * kernel's results per phase. Layer: kernel VFS tests only.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface OracleCred {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

export interface OraclePhase<Op> {
  readonly cred: OracleCred | null;
  readonly ops: readonly Op[];
}

export class HostOracle {
  private readonly child = spawn('python3', [fileURLToPath(new URL('./host_oracle.py', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  private readonly replies = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();

  /** Runs the phases in `root`, with a tmpfs (mode 755) mounted over each of `mounts` (made by the oracle). */
  async run<Op>(
    root: string,
    phases: readonly OraclePhase<Op>[],
    mounts: readonly string[] = [],
  ): Promise<unknown[][]> {
    this.child.stdin.write(`${JSON.stringify({ root, phases, mounts })}\n`);
    const reply = await this.replies.next();
    if (reply.done) throw new Error('host oracle exited');
    return JSON.parse(reply.value);
  }

  close(): void {
    this.child.stdin.end();
  }
}
