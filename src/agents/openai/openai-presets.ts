/** Well-known OpenAI-compatible endpoints. Keys come from the named environment variable, never from files. */
export interface OpenAiPreset {
  baseUrl: string;
  /** Absent for local servers that need no key. */
  apiKeyEnv?: string;
}

export const openAiPresetNames = ['openai', 'huggingface', 'openrouter', 'ollama', 'vllm'] as const;

export const openAiPresets: Record<(typeof openAiPresetNames)[number], OpenAiPreset> = {
  openai: { baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
  huggingface: { baseUrl: 'https://router.huggingface.co/v1', apiKeyEnv: 'HF_TOKEN' },
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY' },
  ollama: { baseUrl: 'http://127.0.0.1:11434/v1' },
  vllm: { baseUrl: 'http://127.0.0.1:8000/v1' },
};
