import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SQLITE_FILE_NAME } from '../adapters/store/open-store.js';
import { StartupError } from './load-settings.js';

/** DATA_DIR, or an SQLite file in it, cannot be created or written by the user the bot runs as. */
export class DataDirNotWritableError extends StartupError {
  readonly code = 'DATA_DIR_NOT_WRITABLE';
}

// What the system answers a user who may not write there; other errors keep their own words.
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Stops start-up with one line naming DATA_DIR, the uid and the fix when the SQLite store could not be written,
 * instead of SQLite's "unable to open database file" (README "Docker": a `/data` mount owned by root).
 */
export function checkDataDirWritable(dataDir: string): void {
  const uid = process.getuid?.();
  const user = uid === undefined ? 'the user the bot runs as' : `uid ${uid}, the user the bot runs as`;
  const owner = uid === undefined ? 'that user' : `uid ${uid}`;
  const attempt = (problem: string, fix: string, step: () => void) => {
    try {
      step();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === undefined || !NOT_WRITABLE.has(code)) {
        throw new StartupError([`DATA_DIR ${dataDir}: ${err instanceof Error ? err.message : String(err)}`], 1);
      }
      throw new DataDirNotWritableError([`DATA_DIR ${dataDir}: ${problem} by ${user} (${code}); fix: ${fix}, or set DATABASE_URL`], 2);
    }
  };
  if (!existsSync(dataDir)) {
    attempt('the folder cannot be created', `create it owned by ${owner}`, () => mkdirSync(dataDir, { recursive: true }));
  }
  const chown = `chown -R ${uid ?? '<that user>'} ${dataDir} or mount a volume ${owner} owns`;
  attempt('the folder is not writable', chown, () => accessSync(dataDir, constants.W_OK | constants.X_OK));
  for (const file of ['', '-wal', '-shm'].map((suffix) => join(dataDir, SQLITE_FILE_NAME + suffix))) {
    if (existsSync(file)) attempt(`${file} is not writable`, chown, () => accessSync(file, constants.R_OK | constants.W_OK));
  }
}
