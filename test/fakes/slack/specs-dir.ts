import { specPath } from '../../specs/specs.js';

/** Folder of the public Slack specifications saved in the repo (never edited; see test/specs/SOURCES.md). */
export const slackSpecsDir = specPath('slack');
