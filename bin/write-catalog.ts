/** `npm run catalog`: writes one JSON Schema per event of the catalog into lib/catalog/schemas/. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogSchemaFiles, schemaDirectory } from '../lib/catalog/json-schemas';

mkdirSync(schemaDirectory, { recursive: true });
const files = catalogSchemaFiles();
for (const stale of readdirSync(schemaDirectory).filter((file) => !files.has(file))) {
  rmSync(join(schemaDirectory, stale));
}
for (const [file, text] of files) writeFileSync(join(schemaDirectory, file), text);
console.log(`wrote ${files.size} event schemas to ${schemaDirectory}`);
