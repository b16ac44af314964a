#!/usr/bin/env node
// The package's `bin`: the command line, from source in a checkout or from dist/ in production (see launch.js).
import { launch } from './launch.js';

await launch('cli');
