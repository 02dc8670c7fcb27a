/**
 * Choosing the chat format. A model that carries a chat template in its GGUF header is prompted with
 * that template (node-llama-cpp matches it to a built-in wrapper or runs it as Jinja). A model without
 * one gets the documented fallback, `general` ("### Human:" / "### Assistant:" turns), unless the
 * operator names a wrapper for it.
 * @module
 */
import {
  type ChatWrapper,
  GeneralChatWrapper,
  type LlamaModel,
  resolveChatWrapper,
  type ResolveChatWrapperWithModelOptions,
  specializedChatWrapperTypeNames,
} from "node-llama-cpp";

/** Short names accepted besides node-llama-cpp's own wrapper type names. */
const ALIASES: Readonly<Record<string, string>> = {
  llama2: "llama2Chat",
  chatml: "chatML",
  alpaca: "alpacaChat",
  falcon: "falconChat",
  deepseek: "deepSeek",
  template: "jinjaTemplate",
};

/**
 * A chat format: `"auto"` (the model's template, else `general`), a wrapper name (`"general"`,
 * `"llama2"`, `"chatml"`, `"llama3"`, `"llama3.1"`, `"mistral"`, `"qwen"`, `"gemma"`, `"alpaca"`,
 * `"falcon"`, `"deepseek"`, `"template"` = the model's own Jinja template, or any node-llama-cpp type
 * name), or a `ChatWrapper` instance.
 */
export type ChatWrapperOption = string | ChatWrapper;

/** Where the chosen chat format came from. */
export type ChatWrapperSource = "model_template" | "fallback" | "explicit";

/** All accepted wrapper names. */
export const CHAT_WRAPPER_NAMES: readonly string[] = [
  "auto",
  ...Object.keys(ALIASES),
  ...specializedChatWrapperTypeNames,
  "jinjaTemplate",
];

/**
 * Resolves a chat wrapper for `model`.
 * @throws {TypeError} for an unknown wrapper name, or `"template"` on a model without a template.
 */
export function selectChatWrapper(
  model: LlamaModel,
  option: ChatWrapperOption = "auto",
): { wrapper: ChatWrapper; source: ChatWrapperSource } {
  if (typeof option !== "string") return { wrapper: option, source: "explicit" };
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  const hasTemplate = typeof template === "string" && template.length > 0;
  if (option === "auto") {
    if (!hasTemplate) return { wrapper: new GeneralChatWrapper(), source: "fallback" };
    return {
      wrapper: resolveChatWrapper(model, { type: "auto", warningLogs: false }),
      source: "model_template",
    };
  }
  const type = ALIASES[option] ?? option;
  if (!(specializedChatWrapperTypeNames as readonly string[]).includes(type) && type !== "jinjaTemplate") {
    throw new TypeError(`unknown chat wrapper "${option}"; expected one of ${CHAT_WRAPPER_NAMES.join(", ")}`);
  }
  if (type === "jinjaTemplate" && !hasTemplate)
    throw new TypeError(`chat wrapper "${option}" needs a chat template, and this model has none`);
  const wrapper = resolveChatWrapper(model, {
    type: type as NonNullable<ResolveChatWrapperWithModelOptions["type"]>,
    warningLogs: false,
    fallbackToOtherWrappersOnJinjaError: false,
  });
  return { wrapper, source: "explicit" };
}
