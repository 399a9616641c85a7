// Generates client/src/generated/protocol.ts from shared_schemas' JSON Schema.
// With --check it writes nothing and exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { compile } from "json-schema-to-typescript";

const schemaPath = "shared_schemas/json/protocol.schema.json";
const outPath = "client/src/generated/protocol.ts";

const { "x-methods": methods, "x-settings": settings, ...schema } = JSON.parse(readFileSync(schemaPath, "utf8"));
const types = await compile(schema, "PromptweightProtocol", {
  bannerComment:
    "/* Generated from shared_schemas/json/protocol.schema.json by client/generate-types.mjs.\n" +
    " * Do not edit: change the pydantic models in shared_schemas/ and run `make generate`. */",
  additionalProperties: false,
  format: true,
});

// The method registry (shared_schemas/methods.py): names on the wire, and their payload types.
const methodLines = Object.entries(methods).map(
  ([key, m]) => `  ${key}: { name: ${JSON.stringify(m.name)}, kind: ${JSON.stringify(m.kind)} },`,
);
const payloadLines = Object.values(methods).map(
  (m) => `  ${JSON.stringify(m.name)}: { params: ${m.params}; result: ${m.result ?? "void"} };`,
);
// The settings the server reads (shared_schemas/settings.py), with their VS Code scope.
// Keys as on the wire (the models' aliases, camelCase or dotted like `training.python`).
const settingLines = Object.entries(settings).map(
  ([key, scope]) => `  ${JSON.stringify(key)}: ${JSON.stringify(scope)},`,
);
const generated =
  types +
  "\n/** Every custom method, from shared_schemas/methods.py. */\n" +
  `export const METHODS = {\n${methodLines.join("\n")}\n} as const;\n` +
  "\n/** Each method's params and result types, by wire name. */\n" +
  `export interface MethodPayloads {\n${payloadLines.join("\n")}\n}\n` +
  "\n/** Every setting the server reads (`promptweight.<key>`), with its VS Code scope. */\n" +
  `export const SETTINGS = {\n${settingLines.join("\n")}\n} as const;\n` +
  "\nexport type SettingKey = keyof typeof SETTINGS;\n";

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
