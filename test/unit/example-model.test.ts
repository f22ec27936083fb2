/**
 * The example model (examples/wink-model/server.js): OpenAI-compatible answers from wink-nlp's
 * English model, and honest usage: prompt tokens are the model's own tokens of the messages,
 * completion tokens are the answer's, a stream sends exactly one content chunk per completion
 * token and the same usage in its final chunk.
 */
import type { AddressInfo } from "node:net";
import type * as http from "node:http";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const example = require("../../examples/wink-model/server.js") as { createServer(): http.Server; countTokens(t: string): number; analyse(t: string): string };

describe("examples/wink-model", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = example.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const post = (path: string, body: unknown) => fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  test("chat: sentiment and entities, usage counted with the model's tokenizer", async () => {
    const content = "I love this wonderful city. We arrive on 5 May 2025!";
    const r = (await (await post("/chat/completions", { model: "x", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }] })).json()) as any;
    const answer = r.choices[0].message.content as string;
    expect(answer).toMatch(/^Sentiment: positive/);
    expect(answer).toContain("DATE");
    expect(r.usage.prompt_tokens).toBe(example.countTokens("Be brief.") + example.countTokens(content));
    expect(r.usage.completion_tokens).toBe(example.countTokens(answer));
    expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens + r.usage.completion_tokens);
  });

  test("stream: one content chunk per completion token, usage in the final chunk, same text", async () => {
    const messages = [{ role: "user", content: "The food was terrible." }];
    const whole = (await (await post("/chat/completions", { messages })).json()) as any;
    const text = await (await post("/chat/completions", { messages, stream: true, stream_options: { include_usage: true } })).text();
    const events = text.split("\n\n").filter((e) => e.startsWith("data: ") && !e.includes("[DONE]")).map((e) => JSON.parse(e.slice(6)));
    const content = events.filter((e) => e.choices.length > 0 && e.choices[0].delta.content).map((e) => e.choices[0].delta.content as string);
    expect(content.join("")).toBe(whole.choices[0].message.content);
    expect(content.length).toBe(whole.usage.completion_tokens);
    expect(events[events.length - 1].usage).toEqual(whole.usage);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  test("max_tokens truncates with finish_reason length; embeddings and completions report usage; bad input is a JSON 400", async () => {
    const r = (await (await post("/chat/completions", { messages: [{ role: "user", content: "Nice." }], max_tokens: 3 })).json()) as any;
    expect([r.usage.completion_tokens, r.choices[0].finish_reason]).toEqual([3, "length"]);
    const e = (await (await post("/embeddings", { input: ["hello world", "good day"] })).json()) as any;
    expect(e.data).toHaveLength(2);
    expect(e.data[0].embedding).toHaveLength(64);
    expect(e.usage.total_tokens).toBe(example.countTokens("hello world") + example.countTokens("good day"));
    const c = (await (await post("/completions", { prompt: "Awful." })).json()) as any;
    expect(c.usage.prompt_tokens).toBe(example.countTokens("Awful."));
    const bad = await post("/chat/completions", { messages: [] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe("invalid_messages");
  });
});
