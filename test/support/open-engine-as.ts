/**
 * `node --import tsx test/support/open-engine-as.ts <uid>`: validates the settings in the environment as the
 * current user, becomes `uid` (when started as root), then creates the engine as the bot would and prints what
 * main.ts prints on a StartupError, with its exit code. Lets a test run as root see what the image's user sees.
 */
import { createEngine } from '../../src/composition/create-engine.js';
import { loadSettings, StartupError } from '../../src/composition/load-settings.js';

const uid = Number(process.argv[2]);
// Everything the engine reads from the repo is read before this point, so the other user needs no access to it.
const settings = await loadSettings(process.env);
if (process.getuid?.() === 0 && uid !== 0) {
  process.setgroups?.([]);
  process.setgid?.(uid);
  process.setuid?.(uid);
}
try {
  const engine = await createEngine(settings);
  await engine.close();
  process.stdout.write('engine created\n');
} catch (err) {
  if (!(err instanceof StartupError)) throw err;
  for (const line of err.lines) process.stderr.write(`rollback-bot: ${line}\n`);
  process.exitCode = err.exitCode;
}
