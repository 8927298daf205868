// The `kmos` executable: run the CLI on this process's arguments and exit with its status.
import { processIo } from './cli-io.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIo);
