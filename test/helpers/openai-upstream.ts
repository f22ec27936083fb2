/**
 * A tiny OpenAI-compatible upstream for gateway tests and the benchmark: /v1/chat/completions
 * answers "ok" with usage {prompt 3, completion 2, total 5}; with stream: true it sends `words`
 * content chunks (one per 5 ms when `slow`), then the usage chunk if include_usage, then [DONE].
 * The request's `model` field picks a behaviour: "fail" answers 500, "hang" never answers,
 * "no-usage" answers without usage, "huge" reports 10^9 tokens.
 */
import * as http from "node:http";
import { freePorts } from "./ports";

export interface Upstream {
  url: string;
  calls: number;
  close(): Promise<void>;
}

export async function startUpstream(opts: { words?: number; slow?: boolean } = {}): Promise<Upstream> {
  const [port] = await freePorts(1);
  const words = opts.words ?? 4;
  const state = { calls: 0 };
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d)).on("end", () => {
      state.calls++;
      const r = JSON.parse(body || "{}") as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
      if (r.model === "fail") {
        res.writeHead(500, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { message: "boom", type: "server_error" } }));
      }
      if (r.model === "hang") return void hanging.push(res);
      const usage = r.model === "huge" ? { prompt_tokens: 1e9, completion_tokens: 0, total_tokens: 1e9 } : { prompt_tokens: 3, completion_tokens: words, total_tokens: 3 + words };
      if (r.stream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        let i = 0;
        const next = () => {
          if (res.destroyed) return;
          if (i < words) {
            res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: `w${i} ` } }] })}\n\n`);
            i++;
            return opts.slow ? setTimeout(next, 5) : setImmediate(next);
          }
          if (r.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [], usage })}\n\n`);
          res.end("data: [DONE]\n\n");
        };
        return next();
      }
      res.writeHead(200, { "content-type": "application/json" });
      const answer: Record<string, unknown> = { id: "c", object: "chat.completion", model: r.model ?? "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] };
      if (r.model !== "no-usage") answer.usage = usage;
      res.end(JSON.stringify(answer));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
