/* Generated from shared_schemas/json/protocol.schema.json by client/generate-types.mjs.
 * Do not edit: change the pydantic models in shared_schemas/ and run `make generate`. */

export interface PromptweightProtocol {
  CheckReport?: CheckReport;
  CountSelectionParams?: CountSelectionParams;
  CountSelectionResult?: CountSelectionResult;
  DocumentStats?: DocumentStats;
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
  format: "prompty" | "dotprompt" | "prompt-md" | "chat-json" | "chat-yaml" | "markdown";
  messages: MessageReport[];
  /**
   * The model the file names, or null.
   */
  model: string | null;
  path: string;
  /**
   * Tokens of all message contents; null when the file was not counted.
   */
  promptTokens: number | null;
  variables: VariableReport[];
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
 * Notification `promptweight/documentStats`, server to client, after each debounced change.
 */
export interface DocumentStats {
  encoding: string;
  /**
   * False when the tokenizer only approximates the model's.
   */
  exact: boolean;
  /**
   * null when the document is JSON or YAML that is not a prompt.
   */
  format: ("prompty" | "dotprompt" | "prompt-md" | "chat-json" | "chat-yaml" | "markdown") | null;
  model: string;
  /**
   * Why a count is approximate, if it is.
   */
  note?: string | null;
  /**
   * Tokens of all message contents; null when not counted (see skippedReason).
   */
  promptTokens: number | null;
  skippedReason?: string | null;
  uri: string;
  version: number;
}
/**
 * Sent by the client in `initialize`; the client restarts the server when these change.
 */
export interface InitializationOptions {
  /**
   * Delay after the last edit before a document is recounted.
   */
  debounceMs?: number;
  /**
   * Larger documents are not counted.
   */
  maxDocumentCharacters?: number;
  /**
   * Model whose tokenizer counts.
   */
  model?: string;
}
