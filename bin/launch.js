import { existsSync } from 'node:fs';

/**
 * Runs an entry point of the bot without a build step in a checkout, and without dev dependencies in production
 * (README "Set up"): a checkout with its dev dependencies runs `src/<name>.ts` through tsx, so what runs is what is
 * checked out; an install without them (the Docker image, `npm ci --omit=dev`) runs the build in `dist/<name>.js`.
 */
export async function launch(name) {
  const source = new URL(`../src/${name}.ts`, import.meta.url);
  const built = new URL(`../dist/${name}.js`, import.meta.url);
  if (existsSync(source) && tsxInstalled()) {
    const { register } = await import('tsx/esm/api');
    register();
    await import(source.href);
  } else if (existsSync(built)) {
    await import(built.href);
  } else {
    process.stderr.write(`rollback-bot: found neither dist/${name}.js nor src/${name}.ts with dev dependencies: run npm run build, or npm ci\n`);
    process.exit(2);
  }
}

function tsxInstalled() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ERR_MODULE_NOT_FOUND') return false;
    throw err;
  }
}
