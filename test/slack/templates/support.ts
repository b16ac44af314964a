import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATES_DIR } from '../../../src/slack/render/templates.js';

/** The checkout's root. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** The templates that ship. */
export const templatesDir = TEMPLATES_DIR;

/** A copy of templates/ in a temporary folder with some files replaced (a string) or removed (null). */
export async function templatesWith(changes: Record<string, string | null>): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rollback-templates-'));
  await cp(templatesDir, dir, { recursive: true });
  for (const [file, content] of Object.entries(changes)) {
    if (content === null) await rm(path.join(dir, file));
    else await writeFile(path.join(dir, file), content);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Every string in a rendered message, for looking at what a reader could see. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(allStrings);
  return [];
}
