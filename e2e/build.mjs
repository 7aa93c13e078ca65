// Bundles JsSIP (CommonJS, no browser build on npm) into build/jssip.js for the demo page: an IIFE that sets
// window.JsSIP. The launcher's demo page server serves it next to the page (DemoPageServer looks in e2e/build/).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildJsSip() {
  const version = JSON.parse(readFileSync(join(here, 'node_modules/jssip/package.json'), 'utf8')).version;
  const outfile = join(here, 'build', 'jssip.js');
  await build({
    entryPoints: [join(here, 'node_modules/jssip/lib/JsSIP.js')],
    outfile,
    bundle: true,
    format: 'iife',
    globalName: 'JsSIP',
    platform: 'browser',
    target: ['chrome110'],
    minify: true,
    sourcemap: true,
    legalComments: 'eof',
    banner: { js: `/* JsSIP ${version} bundled by esbuild for the SIP Edge demo phone */` },
    logLevel: 'warning',
  });
  return { outfile, version };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, version } = await buildJsSip();
  console.log(`JsSIP ${version} -> ${outfile}`);
}
