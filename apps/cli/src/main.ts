// The `kmos` executable: run the CLI on this process's arguments and exit with its status.
import { processIo } from './cli-io.js';
import { runCli } from './program.js';

const status = await runCli(process.argv.slice(2), processIo);
// Exit at once, once what was written has gone out: left to end by itself, Node waits for V8's background
// compiles (TurboFan tiering up regions and the decoded runner) to finish, ~50 ms of every short run.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))),
);
process.exit(status);
