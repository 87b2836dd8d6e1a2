#!/usr/bin/env node
// Write the published JSON Schema of the manifest formats from the zod schema (the single source
// of truth). Run after `pnpm build`: `node packages/core/scripts/write-schema.mjs [out-file]`.
// A test checks that the committed schema/push-manifest.schema.json equals this script's output.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manifestJsonSchema } from '../dist/manifest/schema.js';

const out = process.argv[2] ?? fileURLToPath(new URL('../schema/push-manifest.schema.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
