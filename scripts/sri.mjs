// After the build: writes dist/sri.json with the Subresource Integrity hash of each script-tag
// file, and prints them, for people who load crumbtrail from a CDN:
// <script src="https://cdn…/crumbtrail.min.js" integrity="sha384-…" crossorigin="anonymous">
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { scriptBuilds } from '../rollup.config.mjs';

const sri = {};
for (const file of Object.keys(scriptBuilds)) {
  sri[file] = 'sha384-' + createHash('sha384').update(readFileSync(`dist/${file}`)).digest('base64');
  console.log(`${file.padEnd(24)} ${sri[file]}`);
}
writeFileSync('dist/sri.json', JSON.stringify(sri, null, 2) + '\n');
