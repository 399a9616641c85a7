/* Generated from shared_schemas/json/protocol.schema.json by client/generate-types.mjs.
 * Do not edit: change the pydantic models in shared_schemas/ and run `make generate`. */

export interface PromptweightProtocol {
  CheckReport?: CheckReport;
  CountSelectionParams?: CountSelectionParams;
  CountSelectionResult?: CountSelectionResult;
  DatasetReport?: DatasetReport;
  DocumentStats?: DocumentStats;
  ExportDatasetParams?: ExportDatasetParams;
  ExportDatasetResult?: ExportDatasetResult;
  InitializationOptions?: InitializationOptions;
}
/**
 * The whole output of `promptweight check --format json`.
 */
export interface CheckReport {
  files: FileReport[];
  /**
   * Files given that are not prompts (other JSON or YAML).
   */
  skipped?: SkippedFile[];
}
/**
 * One prompt file in `promptweight check --format json`.
 */
export interface FileReport {
  breakdown?: TokenBreakdown | null;
  budgetTokens?: number | null;
  callsPerDay?: number | null;
  contextWindow?: number | null;
  /**
   * (inputTokens + budgetTokens) at input price + maxOutputTokens.
   */
  costPerCallUsd?: number | null;
  /**
   * 30 days of calls.
   */
  costPerMonthUsd?: number | null;
  diagnostics: ReportDiagnostic[];
  /**
   * The tokenizer that counted.
   */
  encoding: string;
  /**
   * False when the tokenizer only approximates the model's.
   */
  exact: boolean;
  fewShotExamples: ExampleReport[];
  fewShotTokens?: number | null;
  format: "prompty" | "dotprompt" | "prompt-md" | "chat-json" | "chat-yaml" | "markdown";
  /**
   * promptTokens + overheadTokens + toolTokens.
   */
  inputTokens?: number | null;
  maxOutputTokens?: number | null;
  messages: MessageReport[];
  /**
   * The model the file names, or null.
   */
  model: string | null;
  /**
   * The catalog entry that prices it.
   */
  modelId?: string | null;
  /**
   * Chat framing: 3 per message, 1 per name, 3 reply priming.
   */
  overheadTokens?: number | null;
  path: string;
  /**
   * Tokens of all message contents; null when the file was not counted.
   */
  promptTokens: number | null;
  /**
   * (inputTokens + maxOutputTokens + budgetTokens) / contextWindow.
   */
  saturation?: number | null;
  /**
   * Tool definitions and output schema, as compact JSON.
   */
  toolTokens?: number | null;
  variables: VariableReport[];
}
/**
 * Where a prompt's input tokens go; the parts add up to `inputTokens`.
 */
export interface TokenBreakdown {
  examples: number;
  /**
   * Every other message token.
   */
  instructions: number;
  overhead: number;
  system: number;
  tools: number;
}
export interface ReportDiagnostic {
  /**
   * Stable identifier of the kind of problem.
   */
  code: string;
  message: string;
  range: Range;
  severity: "error" | "warning" | "information" | "hint";
}
export interface Range {
  end: Position;
  start: Position;
}
/**
 * An LSP position: 0-based line, UTF-16 code-unit column.
 */
export interface Position {
  character: number;
  line: number;
}
export interface ExampleReport {
  input: string;
  inputTokens: number;
  kind: "chat-pair" | "example-block" | "input-output" | "q-a";
  output: string;
  outputTokens: number;
  range: Range;
}
export interface MessageReport {
  /**
   * Tokens of the message's content (its text, stripped).
   */
  contentTokens: number;
  name?: string | null;
  range: Range1;
  role: "system" | "user" | "assistant" | "tool";
}
/**
 * The message's source: its role marker to the next one.
 */
export interface Range1 {
  end: Position;
  start: Position;
}
export interface VariableReport {
  name: string;
  range: Range;
}
export interface SkippedFile {
  path: string;
  reason: string;
}
/**
 * Request `promptweight/countSelection`, client to server.
 */
export interface CountSelectionParams {
  /**
   * @maxItems 1000
   */
  ranges: Range[];
  uri: string;
}
export interface CountSelectionResult {
  encoding: string;
  exact: boolean;
  /**
   * null when the document is not open or not counted.
   */
  tokens: number | null;
}
/**
 * The whole output of `promptweight validate --format json`.
 */
export interface DatasetReport {
  /**
   * Error-severity problems, omitted ones included.
   */
  errorCount: number;
  /**
   * Problems found beyond maxProblems.
   */
  omittedProblems: number;
  path: string | null;
  /**
   * In line order, at most maxProblems.
   */
  problems: DatasetProblem[];
  summary: DatasetSummary;
  /**
   * Warnings, omitted ones included.
   */
  warningCount: number;
}
/**
 * One problem on one line of a `.jsonl` dataset; columns are UTF-16 code units.
 */
export interface DatasetProblem {
  /**
   * Stable identifier of the kind of problem.
   */
  code: string;
  endCharacter: number;
  /**
   * 0-based line of the file.
   */
  line: number;
  message: string;
  severity: "error" | "warning" | "information" | "hint";
  startCharacter: number;
}
/**
 * What the valid examples add up to, counted with the training model's tokenizer.
 */
export interface DatasetSummary {
  /**
   * Assistant tokens per example; null without examples.
   */
  assistantTokens: TokenDistribution | null;
  /**
   * Tokens of the assistant messages trained on (weight 0 excluded).
   */
  assistantTokensTotal: number;
  epochs: number;
  /**
   * epochs times the examples' tokens, each counted at most maxSequenceTokens.
   */
  estimatedTrainingTokens: number;
  /**
   * Tokens per example (the OpenAI cookbook estimate); null without examples.
   */
  exampleTokens: TokenDistribution | null;
  /**
   * Records without errors: what a trainer would accept.
   */
  examples: number;
  /**
   * Whether the number of examples is enough to fine-tune.
   */
  guidance: string;
  maxSequenceTokens: number;
  /**
   * Examples without a system (or developer) message.
   */
  missingSystem: number;
  /**
   * Examples without a user message.
   */
  missingUser: number;
  /**
   * Non-blank lines.
   */
  records: number;
  /**
   * Examples over maxSequenceTokens, which trainers truncate.
   */
  tooLong: number;
}
/**
 * How token counts spread over the examples; median and p90 interpolate linearly.
 */
export interface TokenDistribution {
  max: number;
  median: number;
  min: number;
  p90: number;
}
/**
 * Notification `promptweight/documentStats`, server to client, after each debounced change.
 */
export interface DocumentStats {
  breakdown?: TokenBreakdown | null;
  budgetTokens?: number | null;
  callsPerDay?: number | null;
  contextWindow?: number | null;
  /**
   * (inputTokens + budgetTokens) at input price + maxOutputTokens.
   */
  costPerCallUsd?: number | null;
  /**
   * 30 days of calls.
   */
  costPerMonthUsd?: number | null;
  encoding: string;
  /**
   * False when the tokenizer only approximates the model's.
   */
  exact: boolean;
  fewShotTokens?: number | null;
  /**
   * null when the document is JSON or YAML that is not a prompt.
   */
  format: ("prompty" | "dotprompt" | "prompt-md" | "chat-json" | "chat-yaml" | "markdown") | null;
  /**
   * promptTokens + overheadTokens + toolTokens.
   */
  inputTokens?: number | null;
  maxOutputTokens?: number | null;
  model: string;
  /**
   * The catalog entry that prices it.
   */
  modelId?: string | null;
  /**
   * Why a count is approximate, if it is.
   */
  note?: string | null;
  /**
   * Chat framing: 3 per message, 1 per name, 3 reply priming.
   */
  overheadTokens?: number | null;
  /**
   * Tokens of all message contents; null when not counted (see skippedReason).
   */
  promptTokens: number | null;
  /**
   * (inputTokens + maxOutputTokens + budgetTokens) / contextWindow.
   */
  saturation?: number | null;
  skippedReason?: string | null;
  /**
   * Tool definitions and output schema, as compact JSON.
   */
  toolTokens?: number | null;
  uri: string;
  version: number;
}
/**
 * Command `promptweight.exportDataset`, client to server.
 */
export interface ExportDatasetParams {
  /**
   * Dataset file URI; null: `<stem>.train.jsonl` of the first.
   */
  target?: string | null;
  /**
   * Prompt files to export.
   *
   * @minItems 1
   * @maxItems 1000
   */
  uris: [string, ...string[]];
}
export interface ExportDatasetResult {
  applied: boolean;
  message: string;
  written?: number;
}
/**
 * Sent by the client in `initialize`; the client restarts the server when these change.
 */
export interface InitializationOptions {
  /**
   * Room for runtime content (retrieved documents, history) per call.
   */
  budgetTokens?: number;
  callsPerDay?: number;
  /**
   * Folder for exported datasets, relative to the workspace; empty: beside the prompt.
   */
  datasetFolder?: string;
  /**
   * Delay after the last edit before a document is recounted.
   */
  debounceMs?: number;
  exportFormat?: "openai" | "prompt-completion" | "alpaca" | "sharegpt";
  /**
   * The system message of exported records: the prompt's system text without its examples, as written, or none.
   */
  exportSystem?: "strip" | "keep" | "omit";
  /**
   * Share of the prompt in few-shot examples that suggests fine-tuning.
   */
  fewShotShareInfo?: number;
  /**
   * Larger documents are not counted.
   */
  maxDocumentCharacters?: number;
  /**
   * Expected output per call, for files that declare none.
   */
  maxOutputTokens?: number;
  /**
   * Dataset examples longer than this (in the training model's tokens) warn.
   */
  maxSequenceTokens?: number;
  /**
   * Model for files that do not name their own.
   */
  model?: string;
  /**
   * Models to add, or catalog facts to override, by name.
   */
  models?: {
    [k: string]: ModelOverride;
  };
  /**
   * Share of the context window that draws a warning.
   */
  saturationWarning?: number;
  /**
   * Model whose tokenizer measures dataset examples against the sequence limit.
   */
  trainingModel?: string;
}
/**
 * One entry of the `promptweight.models` setting. For a catalog model, the fields given
 * replace the catalog's; any other name adds a model, which then needs `contextWindow`,
 * `inputUsdPerMillion` and `outputUsdPerMillion`.
 */
export interface ModelOverride {
  /**
   * US dollars per million input tokens read from the cache.
   */
  cachedInputUsdPerMillion?: number | null;
  /**
   * Most input tokens the model accepts.
   */
  contextWindow?: number | null;
  /**
   * The input price of the model's fine-tunes (`ft:` names).
   */
  fineTunedInputUsdPerMillion?: number | null;
  /**
   * The output price of the model's fine-tunes (`ft:` names).
   */
  fineTunedOutputUsdPerMillion?: number | null;
  /**
   * US dollars per million input tokens.
   */
  inputUsdPerMillion?: number | null;
  /**
   * Most tokens one reply may have.
   */
  maxOutputTokens?: number | null;
  /**
   * US dollars per million output tokens.
   */
  outputUsdPerMillion?: number | null;
  /**
   * Who makes the model; added models: custom.
   */
  provider?: string | null;
  /**
   * What counts its tokens; an added model without one is estimated with o200k_base.
   */
  tokenizer?: (TiktokenTokenizer | HuggingFaceTokenizer | EstimateTokenizer) | null;
  /**
   * A local tokenizer.json that counts this model's tokens exactly.
   */
  tokenizerPath?: string | null;
}
/**
 * Counted exactly by one of the bundled tiktoken encodings.
 */
export interface TiktokenTokenizer {
  encoding: string;
  kind?: "tiktoken";
}
/**
 * The model's own `tokenizer.json`, from this Hugging Face repository.
 */
export interface HuggingFaceTokenizer {
  kind?: "huggingface";
  /**
   * For example Qwen/Qwen3-32B.
   */
  repo: string;
}
/**
 * No public tokenizer: counted approximately with a tiktoken encoding.
 */
export interface EstimateTokenizer {
  encoding: string;
  kind?: "estimate";
}
