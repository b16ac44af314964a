import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the public specifications the fakes check requests against (see SOURCES.md beside this file). */
export const specsDir = fileURLToPath(new URL('.', import.meta.url));

/** The path of one saved specification, e.g. `specPath('aws', 'ecs-2014-11-13.json')`. */
export function specPath(...parts: string[]): string {
  return path.join(specsDir, ...parts);
}
