// Generates client/src/generated/protocol.ts from shared_schemas' JSON Schema.
// With --check it writes nothing and exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { compile } from "json-schema-to-typescript";

const schemaPath = "shared_schemas/json/protocol.schema.json";
const outPath = "client/src/generated/protocol.ts";

const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
const generated = await compile(schema, "PromptweightProtocol", {
  bannerComment:
    "/* Generated from shared_schemas/json/protocol.schema.json by client/generate-types.mjs.\n" +
    " * Do not edit: change the pydantic models in shared_schemas/ and run `make generate`. */",
  additionalProperties: false,
  format: true,
});

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(outPath, "utf8");
  } catch {}
  if (current !== generated) {
    console.error(`${outPath} is stale: run \`make generate\``);
    process.exit(1);
  }
} else {
  writeFileSync(outPath, generated);
}
