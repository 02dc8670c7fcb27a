/**
 * What the OpenAI-compatible routes answer, with the node's `x_tirami` extension: the cost in TRM, the
 * trade that paid for the answer (null when served locally to the node's own operator) and who served it.
 * @module
 */

/** The node's extension of every answer. */
export interface XTirami {
  trm_cost: number;
  effective_balance: number | null;
  trade_id: string | null;
  provider: string;
  price_trm_per_token?: number;
  route?: unknown;
  [field: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolCallOut {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCallOut[] };
    finish_reason: string | null;
  }>;
  usage: Usage;
  x_tirami: XTirami;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string;
      tool_calls?: Array<Partial<ToolCallOut> & { index: number }>;
    };
    finish_reason: string | null;
  }>;
  usage?: Usage;
  /** On the last chunk. */
  x_tirami?: XTirami;
}

export interface Completion {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: string | null }>;
  usage: Usage;
  x_tirami: XTirami;
}

export interface CompletionChunk {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: string | null }>;
  usage?: Usage;
  x_tirami?: XTirami;
}

export interface EmbeddingsResponse {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  x_tirami: XTirami;
}

/** A Responses API object (text output items and function calls). */
export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: string;
  model: string;
  output: Array<Record<string, unknown>>;
  output_text?: string;
  usage?: Record<string, unknown>;
  x_tirami?: XTirami;
  [field: string]: unknown;
}

/** One event of a streamed response (`response.output_text.delta`, `response.completed`, …). */
export interface ResponseStreamEvent {
  type: string;
  [field: string]: unknown;
}
