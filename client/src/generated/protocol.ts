/* Generated from shared_schemas/json/protocol.schema.json by client/generate-types.mjs.
 * Do not edit: change the pydantic models in shared_schemas/ and run `make generate`. */

export interface PromptweightProtocol {
  AdviceParams?: AdviceParams;
  AdviceReport?: AdviceReport;
  AdviceResult?: AdviceResult;
  CancelTrainingParams?: CancelTrainingParams;
  CancelTrainingResult?: CancelTrainingResult;
  CheckReport?: CheckReport;
  Checkpoint?: Checkpoint;
  CompareAdapterParams?: CompareAdapterParams;
  CountSelectionParams?: CountSelectionParams;
  CountSelectionResult?: CountSelectionResult;
  CreateTrainingConfigParams?: CreateTrainingConfigParams;
  CreateTrainingConfigResult?: CreateTrainingConfigResult;
  DatasetReport?: DatasetReport;
  DoctorReport?: DoctorReport;
  DocumentStats?: DocumentStats;
  Eval?: Eval;
  EvalReport?: EvalReport;
  EvalResult?: EvalResult;
  ExportActionData?: ExportActionData;
  ExportDatasetParams?: ExportDatasetParams;
  ExportDatasetResult?: ExportDatasetResult;
  Failed?: Failed;
  Finished?: Finished;
  InitializationOptions?: InitializationOptions;
  InstallTrainingExtraParams?: InstallTrainingExtraParams;
  InstallTrainingExtraResult?: InstallTrainingExtraResult;
  Log?: Log;
  MemoryEstimate?: MemoryEstimate;
  ModelsParams?: ModelsParams;
  ModelsResult?: ModelsResult;
  ServerStatus?: ServerStatus;
  ServerStatusParams?: ServerStatusParams;
  Settings?: Settings;
  StartTrainingParams?: StartTrainingParams;
  StartTrainingResult?: StartTrainingResult;
  Started?: Started;
  Step?: Step;
  TokenReportParams?: TokenReportParams;
  TokenReportResult?: TokenReportResult;
  TrainingChoices?: TrainingChoices;
  TrainingChoicesParams?: TrainingChoicesParams;
  TrainingConfig?: TrainingConfig;
  TrainingEnvironment?: TrainingEnvironment;
  TrainingEnvironmentParams?: TrainingEnvironmentParams;
  TrainingHistory?: TrainingHistory;
  TrainingHistoryParams?: TrainingHistoryParams;
  TrainingNotification?: TrainingNotification;
  TrainingPlan?: TrainingPlan;
  TrainingPlanParams?: TrainingPlanParams;
  TrainingRuns?: TrainingRuns;
  TrainingRunsParams?: TrainingRunsParams;
  TryAdapterParams?: TryAdapterParams;
  TryAdapterResult?: TryAdapterResult;
  ValidateDatasetParams?: ValidateDatasetParams;
  ValidateDatasetResult?: ValidateDatasetResult;
  ValidateReport?: ValidateReport;
}
/**
 * Request `promptweight/advice`: the advice of an open prompt.
 */
export interface AdviceParams {
  uri: string;
}
/**
 * `promptweight advise --format json`.
 */
export interface AdviceReport {
  files: FileAdvice[];
}
export interface FileAdvice {
  /**
   * Null when the prompt has no prices.
   */
  breakEven: BreakEven | null;
  conditions: Condition[];
  /**
   * What would change the verdict.
   */
  flips: Flip[];
  /**
   * What could not be measured, and why.
   */
  notMeasured?: string[];
  path: string;
  /**
   * After a fine-tune and its eval.
   */
  proof?: Proof | null;
  /**
   * Why this verdict, in order.
   */
  reasons: string[];
  /**
   * One line: `Fine-tune · 4 of 6 conditions · break-even …`.
   */
  summary: string;
  verdict: "keep-prompting" | "fine-tune" | "combine";
}
export interface BreakEven {
  /**
   * The volume at which the training cost pays back within `advisor.paybackDays`; null when a fine-tune never saves money per call.
   */
  breakEvenCallsPerDay: number | null;
  /**
   * What caching alone saves, at the file's volume.
   */
  cachingSavingPerMonthUsd?: number | null;
  /**
   * The volume the verdict was made at.
   */
  callsPerDay: number;
  /**
   * The `name` of the cheaper option.
   */
  cheapestFineTuned: string | null;
  /**
   * Costs from 10 calls/day to ten times the larger of the file's volume and the break-even, for a chart.
   */
  curve?: CurvePoint[];
  /**
   * Local QLoRA first, then an API fine-tune.
   */
  fineTuned: CostOption[];
  /**
   * What the figures assume or lack: estimated training tokens, an unknown training price, a provider's end of fine-tuning.
   */
  notes?: string[];
  /**
   * At the file's volume; null: never.
   */
  paybackDays: number | null;
  prompting: CostOption1;
  /**
   * With the static prefix cached at `advisor.cacheHitRate`; null when the model has no cached price or the prefix is below its cache minimum.
   */
  promptingCached: CostOption | null;
  /**
   * Against the prompting figure the verdict uses; negative: it costs more.
   */
  savingPerCallUsd: number | null;
  /**
   * Few-shot examples and declared output format a fine-tune removes, measured.
   */
  tokensSavedPerCall: number;
}
/**
 * Monthly costs at one volume: prompting (the figure the verdict uses) and each fine-tuned
 * option, its training paid back over `advisor.paybackDays`.
 */
export interface CurvePoint {
  callsPerDay: number;
  /**
   * By option name.
   */
  fineTunedUsdPerMonth: {
    [k: string]: number;
  };
  promptingUsdPerMonth: number;
}
/**
 * One way to serve the task, per call and per month at the file's call volume.
 */
export interface CostOption {
  costPerCallUsd: number;
  costPerMonthUsd: number;
  /**
   * Prompt tokens sent per call.
   */
  inputTokens: number;
  /**
   * e.g. `prompting (cached)`, `local QLoRA`, `API fine-tune`.
   */
  name: string;
  /**
   * One-off, before the first call.
   */
  trainingCostUsd?: number;
}
/**
 * One way to serve the task, per call and per month at the file's call volume.
 */
export interface CostOption1 {
  costPerCallUsd: number;
  costPerMonthUsd: number;
  /**
   * Prompt tokens sent per call.
   */
  inputTokens: number;
  /**
   * e.g. `prompting (cached)`, `local QLoRA`, `API fine-tune`.
   */
  name: string;
  /**
   * One-off, before the first call.
   */
  trainingCostUsd?: number;
}
export interface Condition {
  evidence?: Evidence[];
  id:
    | "format-stability"
    | "requirements-settled"
    | "labelled-examples"
    | "volume"
    | "ceilings"
    | "knowledge-in-context"
    | "task-diversity";
  /**
   * What is asked, e.g. `Output format is stable`.
   */
  label: string;
  /**
   * The number behind `value`; null: not measured.
   */
  measured: number | null;
  /**
   * Why not measured, or what it means.
   */
  note?: string | null;
  /**
   * Whether it favours fine-tuning; null when it could not be measured.
   */
  pass: boolean | null;
  /**
   * What passes, e.g. `≥ 90%`; each is a setting.
   */
  threshold: string;
  /**
   * The measured value as shown, e.g. `6 of 6 (100%)`.
   */
  value: string;
}
/**
 * Where a measurement comes from: a range of lines in the prompt, or another file.
 */
export interface Evidence {
  endLine?: number | null;
  /**
   * Another file; null: the prompt itself.
   */
  path?: string | null;
  /**
   * 1-based, like the CLI's.
   */
  startLine?: number | null;
  text: string;
}
export interface Flip {
  condition:
    | "format-stability"
    | "requirements-settled"
    | "labelled-examples"
    | "volume"
    | "ceilings"
    | "knowledge-in-context"
    | "task-diversity";
  /**
   * e.g. `at 12,400 calls/day or more`.
   */
  text: string;
}
/**
 * The newest fine-tune of this prompt, compared with the prompt (`promptweight eval`).
 */
export interface Proof {
  device: string;
  /**
   * Held-out examples both were asked.
   */
  examples: number;
  matchRateFull: number;
  matchRateShort: number;
  promptTokensFull: number;
  promptTokensShort: number;
  runDir: string;
  savingPerMonthUsd: number | null;
  secondsPerCallShort: number;
  /**
   * Measured on a GPU and used for the local model's costs; null on a CPU.
   */
  servingTokensPerSecond: number | null;
  /**
   * The base model with the full prompt.
   */
  validRateFull: number | null;
  /**
   * The adapter with the short prompt.
   */
  validRateShort: number | null;
}
export interface AdviceResult {
  /**
   * Null when the document is no prompt.
   */
  advice: FileAdvice | null;
}
/**
 * Command `promptweight.server.cancelTraining`: the run of this config, or the only one.
 */
export interface CancelTrainingParams {
  config?: string | null;
}
export interface CancelTrainingResult {
  cancelled: boolean;
  message: string;
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
export interface Checkpoint {
  path: string;
  step: number;
  type?: "checkpoint";
}
/**
 * Command `promptweight.server.compareAdapter`: the newest fine-tune of this prompt
 * against the prompt itself, on the run's held-out examples.
 */
export interface CompareAdapterParams {
  batchSize?: number;
  maxNewTokens?: number;
  /**
   * The prompt's URI.
   */
  prompt: string;
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
 * Command `promptweight.server.createTrainingConfig`: writes a plan's text, atomically, to
 * its URI, refusing a file that exists.
 */
export interface CreateTrainingConfigParams {
  text: string;
  uri: string;
}
export interface CreateTrainingConfigResult {
  message: string;
  written: boolean;
}
/**
 * The validator's report; positions are LSP's (0-based), as the editor uses them.
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
 * One problem on one line of a `.jsonl` dataset, as an LSP position: 0-based line, columns
 * in UTF-16 code units from 0, the end exclusive.
 */
export interface DatasetProblem {
  /**
   * Stable identifier of the kind of problem.
   */
  code: string;
  /**
   * 0-based UTF-16 column just past the last one.
   */
  endCharacter: number;
  /**
   * 0-based line of the file.
   */
  line: number;
  message: string;
  severity: "error" | "warning" | "information" | "hint";
  /**
   * 0-based UTF-16 column of the first character.
   */
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
  /**
   * The epochs assumed for estimatedTrainingTokens.
   */
  epochs: number;
  /**
   * Where epochs came from: the CLI's --epochs (flag), a setting, or the default.
   */
  epochsSource: "flag" | "setting" | "default";
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
  /**
   * The maximum example length assumed, in tokens.
   */
  maxSequenceTokens: number;
  /**
   * Where maxSequenceTokens came from: the CLI's --max-sequence-tokens (flag), the promptweight.maxSequenceTokens setting (setting), or the default.
   */
  maxSequenceTokensSource: "flag" | "setting" | "default";
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
 * `promptweight doctor --json`: whether this interpreter can train, and whether the
 * configured run fits.
 */
export interface DoctorReport {
  /**
   * What to do, in order.
   */
  advice?: string[];
  bitsandbytes?: string | null;
  /**
   * The CUDA version torch was built with.
   */
  cuda?: string | null;
  /**
   * Where a run would train.
   */
  device?: string;
  /**
   * The configured run's peak memory, when a config was given.
   */
  estimate?: MemoryEstimate | null;
  /**
   * Whether the estimate fits the GPU's free memory.
   */
  fits?: boolean | null;
  fourBitError?: string | null;
  /**
   * A 4-bit NF4 layer ran forward and backward on the device.
   */
  fourBitWorks?: boolean;
  gpus?: GpuInfo[];
  /**
   * Training libraries this interpreter lacks.
   */
  missing: string[];
  /**
   * The training interpreter's executable.
   */
  python: string;
  pythonVersion: string;
  torch?: string | null;
}
/**
 * The pre-flight estimate of a run's peak accelerator memory, in bytes (see
 * `server/core/training/memory_estimate.py` for the formula).
 */
export interface MemoryEstimate {
  /**
   * At the configured batch and sequence length.
   */
  activations: number;
  activationsWithoutCheckpointing: number;
  /**
   * 4-bit linear layers with their quantisation constants.
   */
  baseWeights: number;
  /**
   * Output logits, their fp32 loss copy and its gradient.
   */
  logits: number;
  loraGradients: number;
  loraWeights: number;
  optimizerState: number;
  /**
   * Embeddings, norms, output layer: not quantised.
   */
  otherWeights: number;
  total: number;
}
export interface GpuInfo {
  /**
   * Whether it computes in bfloat16.
   */
  bf16: boolean;
  freeBytes: number;
  index: number;
  name: string;
  totalBytes: number;
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
   * For a short prompt (`<name>.tuned.<ext>`): the original beside it.
   */
  original?: OriginalPrompt | null;
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
 * The prompt a short prompt (`<name>.tuned.<ext>`) was written from, beside it.
 */
export interface OriginalPrompt {
  /**
   * Its input tokens per call, as on disk.
   */
  inputTokens: number;
  uri: string;
}
export interface Eval {
  loss: number;
  step: number;
  type?: "eval";
}
export interface EvalReport {
  baseModel: string;
  batchSize: number;
  /**
   * Where it generated: `cuda` or `cpu`.
   */
  device?: string;
  examples: EvalExample[];
  /**
   * What a valid format is, from the expected outputs; empty: not checked.
   */
  formatRule: string;
  full: EvalTotals;
  maxNewTokens: number;
  /**
   * The prompt whose few-shot examples the run learned.
   */
  promptPath: string;
  runDir: string;
  /**
   * Added by the CLI; null from the trainer process.
   */
  saving?: ProjectedSaving | null;
  short: EvalTotals1;
}
/**
 * One held-out example, answered both ways.
 */
export interface EvalExample {
  /**
   * The base model's answer to the full few-shot prompt.
   */
  answerFull: string;
  /**
   * The adapter's answer to the short prompt.
   */
  answerShort: string;
  /**
   * The example was one of the prompt's own and was left out of its full prompt, so that the base model cannot copy the answer.
   */
  exampleLeftOut: boolean;
  expected: string;
  /**
   * False when the run held nothing out (a training example).
   */
  heldOut: boolean;
  /**
   * The held-out user turn, the same in both prompts.
   */
  input: string;
  /**
   * The answer equals the expected output (JSON: its value).
   */
  matchFull: boolean;
  matchShort: boolean;
  /**
   * The base model's tokenizer, with its chat template and generation prompt.
   */
  promptTokensFull: number;
  promptTokensShort: number;
  /**
   * Whether the answer has the expected outputs' format; null: they share none.
   */
  validFull: boolean | null;
  validShort: boolean | null;
}
/**
 * The base model with the full few-shot prompt.
 */
export interface EvalTotals {
  answerTokensPerCall: number;
  matchRate: number;
  matches: number;
  /**
   * Mean, with the base model's tokenizer.
   */
  promptTokensPerCall: number;
  /**
   * Generation time over the number of examples, in batches of `batchSize`.
   */
  secondsPerCall: number;
  /**
   * Answers with the expected format; null: not checked.
   */
  valid: number | null;
  validRate: number | null;
}
/**
 * What the short prompt saves at the prompt's call volume, counted with the prompt
 * model's own tokenizer (the tokens it is billed for), at its catalog input price.
 */
export interface ProjectedSaving {
  callsPerDay: number;
  /**
   * False when that counter is an estimate.
   */
  exactCounts: boolean;
  inputPricePerMillion: number;
  /**
   * The prompt's model, whose counter and price these are.
   */
  model: string;
  /**
   * Mean tokens per call: the messages' contents plus the chat framing.
   */
  promptTokensFull: number;
  promptTokensShort: number;
  /**
   * Tokens saved per call, times calls per day, 30 days and the input price.
   */
  savingPerMonthUsd: number;
  tokensSavedPerCall: number;
}
/**
 * The base model with the adapter, the short prompt.
 */
export interface EvalTotals1 {
  answerTokensPerCall: number;
  matchRate: number;
  matches: number;
  /**
   * Mean, with the base model's tokenizer.
   */
  promptTokensPerCall: number;
  /**
   * Generation time over the number of examples, in batches of `batchSize`.
   */
  secondsPerCall: number;
  /**
   * Answers with the expected format; null: not checked.
   */
  valid: number | null;
  validRate: number | null;
}
/**
 * The trainer process's one line: a report, or why there is none.
 */
export interface EvalResult {
  error?: string | null;
  report: EvalReport | null;
}
/**
 * The `data` of the export code action: what `codeAction/resolve` needs to build its edit
 * (the client keeps it opaque and sends it back).
 */
export interface ExportActionData {
  /**
   * Offered as a fine-tuning quick fix.
   */
  quickFix?: boolean;
  /**
   * The prompt the action was offered on.
   */
  uri: string;
  /**
   * The document version the action was offered for.
   */
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
export interface Failed {
  error: string;
  hint?: string | null;
  type?: "failed";
}
export interface Finished {
  adapterPath: string;
  cancelled?: boolean;
  evalLoss: number | null;
  steps: number;
  stoppedEarly?: boolean;
  trainLoss: number | null;
  type?: "finished";
}
/**
 * Sent by the client in `initialize`: the settings of the whole window, and of each
 * workspace folder. The client restarts the server when any of them changes.
 */
export interface InitializationOptions {
  /**
   * Share of calls whose static prompt prefix is a provider cache hit.
   */
  "advisor.cacheHitRate"?: number;
  /**
   * Labelled examples to recommend fine-tuning with confidence.
   */
  "advisor.confidentExamples"?: number;
  /**
   * Share of examples whose outputs share one format for it to count as stable.
   */
  "advisor.formatConsistency"?: number;
  /**
   * US dollars per GPU-hour for the advisor's local QLoRA model: training it, and serving it (an on-demand RTX 4090 or L40S costs about $0.35 to $1.10 in 2026).
   */
  "advisor.gpuHourUsd"?: number;
  /**
   * Prompt tokens per call (prefill) from which latency is a ceiling reached.
   */
  "advisor.longPromptTokens"?: number;
  /**
   * Above this share of distinct outputs among the examples, the task is too varied for a fine-tune to generalise.
   */
  "advisor.maxDiversity"?: number;
  /**
   * Commits touching the prompt in the last 30 days above which its requirements still evolve.
   */
  "advisor.maxRecentCommits"?: number;
  /**
   * Days since the prompt's first commit below which it is too new to settle.
   */
  "advisor.minAgeDays"?: number;
  /**
   * Labelled examples (few-shot plus exported datasets) to consider fine-tuning.
   */
  "advisor.minExamples"?: number;
  /**
   * Monthly cost of the prompt from which cost is a ceiling reached.
   */
  "advisor.monthlyCostUsd"?: number;
  /**
   * A fine-tune must pay its training cost back within this many days.
   */
  "advisor.paybackDays"?: number;
  /**
   * Tokens per second one GPU serves the fine-tuned 7-8B model at (vLLM on an RTX 4090 does about 1,000 at 32 concurrent requests).
   */
  "advisor.servingTokensPerSecond"?: number;
  /**
   * Tokens per second QLoRA training processes, for the one-off training cost.
   */
  "advisor.trainingTokensPerSecond"?: number;
  /**
   * Room reserved per call for runtime content such as retrieved documents or chat history; a file's frontmatter `promptweight.budget` overrides it.
   */
  budgetTokens?: number;
  /**
   * Calls per day, for the monthly cost; a file's frontmatter `promptweight.callsPerDay` overrides it.
   */
  callsPerDay?: number;
  /**
   * Folder for exported datasets, relative to the workspace folder (it must stay inside it). Empty: beside the prompt, as `<prompt>.train.jsonl`.
   */
  datasetFolder?: string;
  /**
   * Delay after the last edit before a prompt file is recounted, in milliseconds.
   */
  debounceMs?: number;
  /**
   * Record format of exported datasets: OpenAI chat fine-tuning (also Hugging Face's conversational format), prompt-completion, Alpaca or ShareGPT.
   */
  exportFormat?: "openai" | "prompt-completion" | "alpaca" | "sharegpt";
  /**
   * The system message of exported records.
   */
  exportSystem?: "strip" | "keep" | "omit";
  /**
   * Share of the prompt spent on few-shot examples above which the file is flagged as a fine-tuning candidate.
   */
  fewShotShareInfo?: number;
  /**
   * Per workspace folder; a document takes the settings of the folder that holds it, and the window's otherwise.
   */
  folders?: FolderSettings[];
  /**
   * Documents longer than this are not counted.
   */
  maxDocumentCharacters?: number;
  /**
   * Expected output tokens per call, for files that declare none (Prompty `max_tokens`, Dotprompt `config.maxOutputTokens`). Used for cost and context saturation.
   */
  maxOutputTokens?: number;
  /**
   * Dataset examples longer than this, in the training model's tokens, draw a warning.
   */
  maxSequenceTokens?: number;
  /**
   * Model for prompt files that do not name their own (in their frontmatter). OpenAI models count exactly; open-weight models exactly when their `tokenizer.json` is found locally; others are estimated and shown with `≈`.
   */
  model?: string;
  /**
   * Models to add, or catalog facts to override, by name: `{"my-model": {"contextWindow": 32768, "inputUsdPerMillion": 0.2, "outputUsdPerMillion": 0.6, "tokenizer": {"kind": "huggingface", "repo": "org/name"}, "tokenizerPath": "tokenizers/my-model.json"}}`. `tokenizerPath` is relative to the workspace folder and must stay inside it.
   */
  models?: {
    [k: string]: ModelOverride;
  };
  /**
   * Share of the context window (prompt + output + budget) at which a warning is shown; over 100% is an error.
   */
  saturationWarning?: number;
  /**
   * Python interpreter that runs QLoRA training (it needs the `[train]` extra: torch, transformers, peft, bitsandbytes, accelerate). Empty: the language server's. Only a user or machine setting: a workspace cannot choose what runs.
   */
  "training.python"?: string;
  /**
   * Model whose tokenizer measures `.jsonl` dataset examples against `promptweight.maxSequenceTokens`.
   */
  trainingModel?: string;
  /**
   * Whether the editor trusts the workspace: training, which runs code, is refused otherwise.
   */
  workspaceTrusted?: boolean;
}
/**
 * One workspace folder's settings, as VS Code resolves them for that folder.
 */
export interface FolderSettings {
  /**
   * Settings keys (as in `Settings`) with this folder's values; each is validated on its own, like the top-level ones.
   */
  settings?: {
    [k: string]: unknown;
  };
  /**
   * The workspace folder's URI.
   */
  uri: string;
}
/**
 * One entry of the `promptweight.models` setting. For a catalog model, the fields given
 * replace the catalog's; any other name adds a model, which then needs `contextWindow`,
 * `inputUsdPerMillion` and `outputUsdPerMillion`.
 */
export interface ModelOverride {
  /**
   * The shortest prompt prefix the provider caches.
   */
  cacheMinimumTokens?: number | null;
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
/**
 * Command `promptweight.server.installTrainingExtra`: pip-installs the `[train]` extra into
 * the folder's training interpreter, as cancellable work-done progress.
 */
export interface InstallTrainingExtraParams {
  /**
   * The extension's wheelhouse: where pip finds Promptweight's own wheel.
   */
  findLinks?: string | null;
  /**
   * A workspace folder URI.
   */
  folder?: string | null;
}
export interface InstallTrainingExtraResult {
  installed: boolean;
  /**
   * What happened; on failure, the command to run by hand.
   */
  message: string;
}
export interface Log {
  level?: "info" | "warning" | "error";
  message: string;
  type?: "log";
}
export interface ModelsParams {
  /**
   * The document the picker was opened for: its workspace folder's settings (`promptweight.models`, `promptweight.model`) apply, and its own model is reported.
   */
  uri?: string | null;
}
export interface ModelsResult {
  /**
   * The model the document's own frontmatter names, which wins over the setting for that file.
   */
  fileModel?: string | null;
  /**
   * The listed model the document's own model resolves to; null: none, or a name nothing knows (counted as the setting's model).
   */
  fileModelId?: string | null;
  /**
   * The workspace folder whose settings apply; null: the window's.
   */
  folder?: string | null;
  /**
   * The catalog with the folder's `promptweight.models` applied (patched entries and added ones), by provider, its own names before hosts' prefixed ones, then by id.
   */
  models: ModelListing[];
  /**
   * `promptweight.model` as the document's folder sets it.
   */
  setting: string;
  /**
   * The listed model the setting resolves to; null: a name nothing knows (the server then counts with gpt-4o-mini).
   */
  settingId: string | null;
}
/**
 * One model the settings can name, with what the picker shows of it.
 */
export interface ModelListing {
  contextWindow: number;
  /**
   * Whether its tokens are counted exactly on this machine.
   */
  exact: boolean;
  /**
   * The name to write into `promptweight.model`.
   */
  id: string;
  inputUsdPerMillion: number;
  maxOutputTokens: number | null;
  outputUsdPerMillion: number;
  provider: string;
  /**
   * What counts its tokens, or why they are estimated.
   */
  tokenizer: string;
}
/**
 * What the server holds: one entry per open document, for logs and tests.
 */
export interface ServerStatus {
  documents: DocumentStatus[];
  folders: string[];
  positionEncoding: string;
}
export interface DocumentStatus {
  /**
   * The version of the kept analysis.
   */
  analysedVersion: number | null;
  /**
   * Analyses started for this document since it opened.
   */
  analyses: number;
  /**
   * The version being analysed now.
   */
  analysingVersion: number | null;
  /**
   * The workspace folder it belongs to, if any.
   */
  folder: string | null;
  uri: string;
  /**
   * The newest version the server holds.
   */
  version: number;
}
/**
 * Request `promptweight/serverStatus`, client to server: no parameters.
 */
export interface ServerStatusParams {}
/**
 * Every setting the server reads, with its VS Code scope and documentation.
 */
export interface Settings {
  /**
   * Share of calls whose static prompt prefix is a provider cache hit.
   */
  "advisor.cacheHitRate"?: number;
  /**
   * Labelled examples to recommend fine-tuning with confidence.
   */
  "advisor.confidentExamples"?: number;
  /**
   * Share of examples whose outputs share one format for it to count as stable.
   */
  "advisor.formatConsistency"?: number;
  /**
   * US dollars per GPU-hour for the advisor's local QLoRA model: training it, and serving it (an on-demand RTX 4090 or L40S costs about $0.35 to $1.10 in 2026).
   */
  "advisor.gpuHourUsd"?: number;
  /**
   * Prompt tokens per call (prefill) from which latency is a ceiling reached.
   */
  "advisor.longPromptTokens"?: number;
  /**
   * Above this share of distinct outputs among the examples, the task is too varied for a fine-tune to generalise.
   */
  "advisor.maxDiversity"?: number;
  /**
   * Commits touching the prompt in the last 30 days above which its requirements still evolve.
   */
  "advisor.maxRecentCommits"?: number;
  /**
   * Days since the prompt's first commit below which it is too new to settle.
   */
  "advisor.minAgeDays"?: number;
  /**
   * Labelled examples (few-shot plus exported datasets) to consider fine-tuning.
   */
  "advisor.minExamples"?: number;
  /**
   * Monthly cost of the prompt from which cost is a ceiling reached.
   */
  "advisor.monthlyCostUsd"?: number;
  /**
   * A fine-tune must pay its training cost back within this many days.
   */
  "advisor.paybackDays"?: number;
  /**
   * Tokens per second one GPU serves the fine-tuned 7-8B model at (vLLM on an RTX 4090 does about 1,000 at 32 concurrent requests).
   */
  "advisor.servingTokensPerSecond"?: number;
  /**
   * Tokens per second QLoRA training processes, for the one-off training cost.
   */
  "advisor.trainingTokensPerSecond"?: number;
  /**
   * Room reserved per call for runtime content such as retrieved documents or chat history; a file's frontmatter `promptweight.budget` overrides it.
   */
  budgetTokens?: number;
  /**
   * Calls per day, for the monthly cost; a file's frontmatter `promptweight.callsPerDay` overrides it.
   */
  callsPerDay?: number;
  /**
   * Folder for exported datasets, relative to the workspace folder (it must stay inside it). Empty: beside the prompt, as `<prompt>.train.jsonl`.
   */
  datasetFolder?: string;
  /**
   * Delay after the last edit before a prompt file is recounted, in milliseconds.
   */
  debounceMs?: number;
  /**
   * Record format of exported datasets: OpenAI chat fine-tuning (also Hugging Face's conversational format), prompt-completion, Alpaca or ShareGPT.
   */
  exportFormat?: "openai" | "prompt-completion" | "alpaca" | "sharegpt";
  /**
   * The system message of exported records.
   */
  exportSystem?: "strip" | "keep" | "omit";
  /**
   * Share of the prompt spent on few-shot examples above which the file is flagged as a fine-tuning candidate.
   */
  fewShotShareInfo?: number;
  /**
   * Documents longer than this are not counted.
   */
  maxDocumentCharacters?: number;
  /**
   * Expected output tokens per call, for files that declare none (Prompty `max_tokens`, Dotprompt `config.maxOutputTokens`). Used for cost and context saturation.
   */
  maxOutputTokens?: number;
  /**
   * Dataset examples longer than this, in the training model's tokens, draw a warning.
   */
  maxSequenceTokens?: number;
  /**
   * Model for prompt files that do not name their own (in their frontmatter). OpenAI models count exactly; open-weight models exactly when their `tokenizer.json` is found locally; others are estimated and shown with `≈`.
   */
  model?: string;
  /**
   * Models to add, or catalog facts to override, by name: `{"my-model": {"contextWindow": 32768, "inputUsdPerMillion": 0.2, "outputUsdPerMillion": 0.6, "tokenizer": {"kind": "huggingface", "repo": "org/name"}, "tokenizerPath": "tokenizers/my-model.json"}}`. `tokenizerPath` is relative to the workspace folder and must stay inside it.
   */
  models?: {
    [k: string]: ModelOverride;
  };
  /**
   * Share of the context window (prompt + output + budget) at which a warning is shown; over 100% is an error.
   */
  saturationWarning?: number;
  /**
   * Python interpreter that runs QLoRA training (it needs the `[train]` extra: torch, transformers, peft, bitsandbytes, accelerate). Empty: the language server's. Only a user or machine setting: a workspace cannot choose what runs.
   */
  "training.python"?: string;
  /**
   * Model whose tokenizer measures `.jsonl` dataset examples against `promptweight.maxSequenceTokens`.
   */
  trainingModel?: string;
}
/**
 * Command `promptweight.server.startTraining`, client to server.
 */
export interface StartTrainingParams {
  /**
   * The URI of the run's `promptweight.train.yaml`.
   */
  config: string;
  /**
   * Overrides the config's.
   */
  maxSteps?: number | null;
}
export interface StartTrainingResult {
  message: string;
  /**
   * The run's work-done progress.
   */
  progressToken?: string | null;
  started: boolean;
}
export interface Started {
  baseModel: string;
  device: string;
  evalExamples: number;
  /**
   * Training processes (data parallel).
   */
  processes?: number;
  /**
   * e.g. `nf4, double quantisation, bfloat16 compute`.
   */
  quantization: string;
  resumedFromStep?: number;
  runDir: string;
  totalParameters: number;
  totalSteps: number;
  trainExamples: number;
  trainableParameters: number;
  type?: "started";
}
export interface Step {
  epoch: number;
  gradNorm?: number | null;
  learningRate: number;
  loss: number;
  /**
   * Peak accelerator memory so far; null on CPU.
   */
  memoryBytes: number | null;
  step: number;
  tokensPerSecond: number;
  totalSteps: number;
  type?: "step";
}
/**
 * Request `promptweight/tokenReport`, client to server: the report of an open prompt.
 */
export interface TokenReportParams {
  uri: string;
}
export interface TokenReportResult {
  /**
   * Why there is no report.
   */
  reason?: string | null;
  /**
   * null when the document is not open, not a prompt, or was not counted.
   */
  report: TokenReport | null;
}
/**
 * Where one prompt's tokens go, as of `version`: per message, per example, and the money.
 */
export interface TokenReport {
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
  /**
   * In file order; the first 500.
   */
  fewShotExamples: ExampleTokens[];
  fewShotTokens?: number | null;
  format: "prompty" | "dotprompt" | "prompt-md" | "chat-json" | "chat-yaml" | "markdown";
  /**
   * promptTokens + overheadTokens + toolTokens.
   */
  inputTokens?: number | null;
  maxOutputTokens?: number | null;
  /**
   * In file order; the first 500.
   */
  messages: MessageReport[];
  model: string;
  /**
   * The catalog entry that prices it.
   */
  modelId?: string | null;
  /**
   * Why counts are approximate, if they are.
   */
  note?: string | null;
  /**
   * Examples after the first 500.
   */
  omittedExamples?: number;
  /**
   * Messages after the first 500.
   */
  omittedMessages?: number;
  /**
   * Chat framing: 3 per message, 1 per name, 3 reply priming.
   */
  overheadTokens?: number | null;
  promptTokens: number;
  /**
   * (inputTokens + maxOutputTokens + budgetTokens) / contextWindow.
   */
  saturation?: number | null;
  /**
   * Tool definitions and output schema, as compact JSON.
   */
  toolTokens?: number | null;
  uri: string;
  version: number;
  /**
   * Cost per month at 1k, 10k and 100k calls/day and the configured volume.
   */
  volumes: VolumeCost[];
}
/**
 * One few-shot example's weight; its texts stay in the file (a label is enough to chart).
 */
export interface ExampleTokens {
  inputTokens: number;
  kind: "chat-pair" | "example-block" | "input-output" | "q-a";
  /**
   * The start of its input, on one line, for the chart's axis.
   */
  label: string;
  outputTokens: number;
  range: Range;
}
export interface VolumeCost {
  callsPerDay: number;
  /**
   * The volume the settings or the file configure.
   */
  configured: boolean;
  /**
   * 30 days at this volume.
   */
  costPerMonthUsd: number;
}
export interface TrainingChoices {
  baseModels: BaseModelChoice[];
  /**
   * URIs of the folder's `*.train.yaml` files.
   */
  configs: string[];
  /**
   * `.jsonl` files, relative to the folder.
   */
  datasets: string[];
}
export interface BaseModelChoice {
  /**
   * The architecture and size, when its config says.
   */
  detail: string;
  /**
   * As `baseModel` takes it: a relative folder or a hub id.
   */
  id: string;
  source: "folder" | "cache";
}
/**
 * Request `promptweight/trainingChoices`: what the wizard can offer in a folder.
 */
export interface TrainingChoicesParams {
  /**
   * A workspace folder URI.
   */
  folder: string;
}
/**
 * `promptweight.train.yaml`: one QLoRA run. Paths are relative to the config's folder.
 */
export interface TrainingConfig {
  /**
   * An `accelerate config` file (DeepSpeed, FSDP) passed to `accelerate launch`.
   */
  accelerateConfig?: string | null;
  /**
   * Let the base model download from the Hugging Face hub.
   */
  allowDownload?: boolean;
  /**
   * A local model folder, or a Hugging Face id already in the local cache.
   */
  baseModel: string;
  /**
   * Packed sequences per step.
   */
  batchSize?: number;
  /**
   * auto: bfloat16 where supported, else float16.
   */
  computeDtype?: "auto" | "bfloat16" | "float16" | "float32";
  /**
   * `.jsonl` chat datasets to train on.
   *
   * @minItems 1
   */
  datasets: [string, ...string[]];
  /**
   * Quantise the 4-bit blocks' scales too (NF4 either way).
   */
  doubleQuantization?: boolean;
  /**
   * Evaluations without a better eval loss before stopping.
   */
  earlyStoppingPatience?: number | null;
  epochs?: number;
  /**
   * Share of the examples held out for eval loss.
   */
  evalSplit?: number;
  evalSteps?: number;
  gradientAccumulation?: number;
  gradientCheckpointing?: boolean;
  /**
   * accelerate: `processes` data-parallel copies under `accelerate launch`.
   */
  launcher?: "none" | "accelerate";
  learningRate?: number;
  lora?: LoraSettings;
  lrScheduler?: "cosine" | "linear" | "constant";
  maxSequenceTokens?: number;
  /**
   * Overrides epochs when set.
   */
  maxSteps?: number | null;
  name?: string;
  /**
   * Runs go to `<outputDir>/<time>-<name>/`.
   */
  outputDir?: string;
  /**
   * Pack short examples into full sequences, each attending only to itself.
   */
  packing?: boolean;
  /**
   * Processes to launch, one per GPU (accelerate).
   */
  processes?: number;
  /**
   * Steps between checkpoints.
   */
  saveSteps?: number;
  /**
   * Checkpoints kept; the oldest is deleted once a newer one is complete.
   */
  saveTotalLimit?: number;
  seed?: number;
  /**
   * Run the model repository's own Python code (off: safe).
   */
  trustRemoteCode?: boolean;
  warmupRatio?: number;
}
export interface LoraSettings {
  /**
   * Scaling: the update is alpha/rank.
   */
  alpha?: number;
  dropout?: number;
  rank?: number;
  /**
   * Module names to adapt; default every linear layer.
   */
  targetModules?: string[] | "all-linear";
}
export interface TrainingEnvironment {
  /**
   * Why it did not answer.
   */
  error?: string | null;
  /**
   * How to add the missing libraries, when some are missing.
   */
  install?: InstallPlan | null;
  /**
   * The training interpreter.
   */
  python: string;
  /**
   * Null when the interpreter did not answer.
   */
  report: DoctorReport | null;
}
/**
 * What installing the training libraries runs: an argument list, never a shell.
 */
export interface InstallPlan {
  /**
   * The executable first, then its arguments.
   */
  command: string[];
  /**
   * The same, quoted for a terminal: to run by hand.
   */
  commandLine: string;
}
/**
 * Request `promptweight/trainingEnvironment`: the training interpreter of the folder that
 * holds `config` (or of `folder`), checked with that config's run when one is given.
 */
export interface TrainingEnvironmentParams {
  /**
   * A `*.train.yaml` URI.
   */
  config?: string | null;
  /**
   * A workspace folder URI.
   */
  folder?: string | null;
}
export interface TrainingHistory {
  /**
   * null when the config or the run is not found.
   */
  run: RunSummary | null;
}
/**
 * One run folder, as its files tell it.
 */
export interface RunSummary {
  /**
   * The adapter, once written.
   */
  adapterPath: string | null;
  evalLoss: number | null;
  /**
   * Its history, for curves (the last 10,000).
   */
  events: (Started | Step | Eval | Checkpoint | Finished | Failed | Log)[];
  lastLoss: number | null;
  name: string;
  runDir: string;
  /**
   * interrupted: it ended without a last event (resume it with `--resume`).
   */
  state: "running" | "finished" | "stopped" | "failed" | "interrupted";
  steps: number;
  totalSteps: number | null;
}
/**
 * Request `promptweight/trainingHistory`, client to server: one run's events so far.
 */
export interface TrainingHistoryParams {
  /**
   * The URI of the run's `promptweight.train.yaml`.
   */
  config: string;
  /**
   * A run folder under the config's outputDir; null: the newest.
   */
  runDir?: string | null;
}
/**
 * Notification `promptweight/training`, server to client: one event of a run.
 */
export interface TrainingNotification {
  /**
   * The URI of the run's config.
   */
  config: string;
  event: Started | Step | Eval | Checkpoint | Finished | Failed | Log;
  /**
   * Set only on a `started` event sent again by a server that found the run going (after a window reload or a server restart): the step the run had reached. Its history is in `promptweight/trainingHistory`; live events follow this one.
   */
  reattachedAtStep?: number | null;
}
export interface TrainingPlan {
  /**
   * Null when the base model is unreadable.
   */
  estimate: MemoryEstimate | null;
  /**
   * Why there is no estimate.
   */
  estimateNote?: string | null;
  /**
   * The YAML it would hold.
   */
  text: string;
  /**
   * Where the config would be written: a file that does not exist.
   */
  uri: string;
}
/**
 * Request `promptweight/planTraining`: the config file a run would be, without writing it.
 */
export interface TrainingPlanParams {
  config: TrainingConfig;
  /**
   * A workspace folder URI.
   */
  folder: string;
}
export interface TrainingRuns {
  /**
   * Newest first.
   */
  runs: RunSummary[];
}
/**
 * Request `promptweight/trainingRuns`, client to server: the runs of one config.
 */
export interface TrainingRunsParams {
  /**
   * The URI of a `promptweight.train.yaml`.
   */
  config: string;
}
/**
 * Command `promptweight.server.tryAdapter`: one held-out example answered by the run's
 * adapter on its 4-bit base model.
 */
export interface TryAdapterParams {
  maxNewTokens?: number;
  /**
   * The run folder (a path).
   */
  runDir: string;
}
export interface TryAdapterResult {
  error?: string | null;
  trial: AdapterTrial | null;
}
export interface AdapterTrial {
  answer: string;
  answerTokens: number;
  baseModel: string;
  expected: string;
  /**
   * False when the run held nothing out (a training example).
   */
  heldOut: boolean;
  /**
   * The messages before the expected answer.
   */
  prompt: {
    [k: string]: string;
  }[];
  promptTokens: number;
  runDir: string;
  seconds: number;
}
export interface ValidateDatasetParams {
  /**
   * A `.jsonl` file: open in the editor, or on disk.
   */
  uri: string;
}
export interface ValidateDatasetResult {
  /**
   * Why the file was not validated.
   */
  error?: string | null;
  /**
   * Whether that tokenizer is the model's own.
   */
  exact: boolean;
  /**
   * The validator's report (as `promptweight validate` makes it); null with `error`.
   */
  report: DatasetReport | null;
  /**
   * Whether the editor's text (unsaved changes included) or the file on disk was read.
   */
  source: "editor" | "disk";
  /**
   * The tokenizer that counted.
   */
  tokenizer: string;
  /**
   * `promptweight.trainingModel`: whose tokens count.
   */
  trainingModel: string;
}
/**
 * The whole output of `promptweight validate --format json`: lines and columns 1-based.
 */
export interface ValidateReport {
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
  problems: ValidateProblem[];
  summary: DatasetSummary;
  /**
   * Warnings, omitted ones included.
   */
  warningCount: number;
}
/**
 * One problem on one line of a `.jsonl` dataset, counted from 1 as in the text output.
 */
export interface ValidateProblem {
  /**
   * Stable identifier of the kind of problem.
   */
  code: string;
  /**
   * 1-based column of the problem's first character, in UTF-16 code units.
   */
  column: number;
  /**
   * 1-based column just past the problem's last character (exclusive), in UTF-16 code units; equal to column for an empty span, such as the end of a cut-off line.
   */
  endColumn: number;
  /**
   * 1-based line of the file.
   */
  line: number;
  message: string;
  severity: "error" | "warning" | "information" | "hint";
}

/** Every custom method, from shared_schemas/methods.py. */
export const METHODS = {
  advice: { name: "promptweight/advice", kind: "request" },
  cancelTraining: { name: "promptweight.server.cancelTraining", kind: "command" },
  compareAdapter: { name: "promptweight.server.compareAdapter", kind: "command" },
  countSelection: { name: "promptweight/countSelection", kind: "request" },
  createTrainingConfig: { name: "promptweight.server.createTrainingConfig", kind: "command" },
  documentStats: { name: "promptweight/documentStats", kind: "notification" },
  exportDataset: { name: "promptweight.server.exportDataset", kind: "command" },
  installTrainingExtra: { name: "promptweight.server.installTrainingExtra", kind: "command" },
  models: { name: "promptweight/models", kind: "request" },
  planTraining: { name: "promptweight/planTraining", kind: "request" },
  serverStatus: { name: "promptweight/serverStatus", kind: "request" },
  startTraining: { name: "promptweight.server.startTraining", kind: "command" },
  tokenReport: { name: "promptweight/tokenReport", kind: "request" },
  training: { name: "promptweight/training", kind: "notification" },
  trainingChoices: { name: "promptweight/trainingChoices", kind: "request" },
  trainingEnvironment: { name: "promptweight/trainingEnvironment", kind: "request" },
  trainingHistory: { name: "promptweight/trainingHistory", kind: "request" },
  trainingRuns: { name: "promptweight/trainingRuns", kind: "request" },
  tryAdapter: { name: "promptweight.server.tryAdapter", kind: "command" },
  validateDataset: { name: "promptweight/validateDataset", kind: "request" },
} as const;

/** Each method's params and result types, by wire name. */
export interface MethodPayloads {
  "promptweight/advice": { params: AdviceParams; result: AdviceResult };
  "promptweight.server.cancelTraining": { params: CancelTrainingParams; result: CancelTrainingResult };
  "promptweight.server.compareAdapter": { params: CompareAdapterParams; result: EvalResult };
  "promptweight/countSelection": { params: CountSelectionParams; result: CountSelectionResult };
  "promptweight.server.createTrainingConfig": { params: CreateTrainingConfigParams; result: CreateTrainingConfigResult };
  "promptweight/documentStats": { params: DocumentStats; result: void };
  "promptweight.server.exportDataset": { params: ExportDatasetParams; result: ExportDatasetResult };
  "promptweight.server.installTrainingExtra": { params: InstallTrainingExtraParams; result: InstallTrainingExtraResult };
  "promptweight/models": { params: ModelsParams; result: ModelsResult };
  "promptweight/planTraining": { params: TrainingPlanParams; result: TrainingPlan };
  "promptweight/serverStatus": { params: ServerStatusParams; result: ServerStatus };
  "promptweight.server.startTraining": { params: StartTrainingParams; result: StartTrainingResult };
  "promptweight/tokenReport": { params: TokenReportParams; result: TokenReportResult };
  "promptweight/training": { params: TrainingNotification; result: void };
  "promptweight/trainingChoices": { params: TrainingChoicesParams; result: TrainingChoices };
  "promptweight/trainingEnvironment": { params: TrainingEnvironmentParams; result: TrainingEnvironment };
  "promptweight/trainingHistory": { params: TrainingHistoryParams; result: TrainingHistory };
  "promptweight/trainingRuns": { params: TrainingRunsParams; result: TrainingRuns };
  "promptweight.server.tryAdapter": { params: TryAdapterParams; result: TryAdapterResult };
  "promptweight/validateDataset": { params: ValidateDatasetParams; result: ValidateDatasetResult };
}

/** Every setting the server reads (`promptweight.<key>`), with its VS Code scope. */
export const SETTINGS = {
  "advisor.cacheHitRate": "resource",
  "advisor.confidentExamples": "resource",
  "advisor.formatConsistency": "resource",
  "advisor.gpuHourUsd": "resource",
  "advisor.longPromptTokens": "resource",
  "advisor.maxDiversity": "resource",
  "advisor.maxRecentCommits": "resource",
  "advisor.minAgeDays": "resource",
  "advisor.minExamples": "resource",
  "advisor.monthlyCostUsd": "resource",
  "advisor.paybackDays": "resource",
  "advisor.servingTokensPerSecond": "resource",
  "advisor.trainingTokensPerSecond": "resource",
  "budgetTokens": "resource",
  "callsPerDay": "resource",
  "datasetFolder": "resource",
  "debounceMs": "window",
  "exportFormat": "resource",
  "exportSystem": "resource",
  "fewShotShareInfo": "resource",
  "maxDocumentCharacters": "resource",
  "maxOutputTokens": "resource",
  "maxSequenceTokens": "resource",
  "model": "resource",
  "models": "machine-overridable",
  "saturationWarning": "resource",
  "training.python": "machine",
  "trainingModel": "resource",
} as const;

export type SettingKey = keyof typeof SETTINGS;
