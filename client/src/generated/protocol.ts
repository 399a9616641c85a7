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
}
/**
 * One file in `promptweight check --format json`.
 */
export interface FileReport {
  diagnostics: ReportDiagnostic[];
  encoding: string;
  exact: boolean;
  model: string;
  path: string;
  promptTokens: number | null;
}
export interface ReportDiagnostic {
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
  model: string;
  /**
   * Why a count is approximate, if it is.
   */
  note?: string | null;
  /**
   * Tokens of the whole document text; null when not counted (see skippedReason).
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
