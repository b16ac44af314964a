import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Folder of the public Slack specifications, shared by every checkout next to the repo (never edited). */
export const slackSpecsDir = path.resolve(repoRoot, '..', 'shared', 'specs', 'slack');
