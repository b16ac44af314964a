#!/usr/bin/env node
import { main } from './cli/main.js';

/** The `rollback-bot` executable: the only place the command line reads process.env and argv. */
main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`rollback-bot: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
