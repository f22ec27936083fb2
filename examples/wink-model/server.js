#!/usr/bin/env node
/**
 * An OpenAI-compatible model server around a real small model that ships inside an npm package:
 * wink-nlp with wink-eng-lite-web-model (English tokenizer, sentence boundaries, named entities,
 * sentiment). No network, no downloads. It "answers" a chat with an analysis of the last user
 * message: its sentiment, the entities it names, and its sentence and token counts.
 *
 *   node examples/wink-model/server.js [--listen 127.0.0.1:8000]
 *
 * Routes: POST /v1/chat/completions (stream: true supported, with stream_options.include_usage),
 * POST /v1/completions, POST /v1/embeddings, GET /v1/models. Usage is honest: prompt_tokens are
 * the model's own tokens of every message (or prompt / input), completion_tokens the tokens of
 * the answer, total_tokens their sum; a stream sends one completion token per chunk.
 */
"use strict";
const http = require("node:http");
const winkNLP = require("wink-nlp");
const model = require("wink-eng-lite-web-model");

const nlp = winkNLP(model);
const its = nlp.its;
const MODEL_ID = "wink-eng-lite-sentiment-ner";
const MAX_BODY = 1 << 20;

const tokensOf = (text) => (text ? nlp.readDoc(String(text)).tokens().out() : []);
const countTokens = (text) => tokensOf(text).length;

/** The analysis of one text, as a short English answer. */
function analyse(text) {
  const doc = nlp.readDoc(String(text));
  const score = doc.out(its.sentiment);
  const label = score > 0.05 ? "positive" : score < -0.05 ? "negative" : "neutral";
  const entities = doc.entities().out(its.detail).map((e) => `${e.value} (${e.type})`);
  return `Sentiment: ${label} (${score.toFixed(2)}). Entities: ${entities.length ? entities.join(", ") : "none"}. Sentences: ${doc.sentences().length()}, tokens: ${doc.tokens().length()}.`;
}

/** The answer's tokens with the whitespace that follows each, so that their concatenation is the answer. */
function pieces(answer) {
  const doc = nlp.readDoc(answer);
  const toks = doc.tokens().out();
  const spaces = doc.tokens().out(its.precedingSpaces);
  return toks.map((t, i) => (i === 0 ? spaces[0] : "") + t + (spaces[i + 1] ?? ""));
}

function messageText(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p.text === "string" ? p.text : "")).join(" ");
  return "";
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const error = (res, status, code, message) => send(res, status, { error: { message, type: "invalid_request_error", code, param: null } });

let counter = 0;
const id = (prefix) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

function chat(req, res, body) {
  if (!Array.isArray(body.messages) || body.messages.length === 0) return error(res, 400, "invalid_messages", "messages must be a non-empty array");
  const texts = body.messages.map((m) => messageText(m && m.content));
  const lastUser = [...body.messages].reverse().find((m) => m && m.role === "user");
  const answer = analyse(lastUser ? messageText(lastUser.content) : texts[texts.length - 1]);
  const prompt = texts.reduce((n, t) => n + countTokens(t), 0);
  let parts = pieces(answer);
  const max = Number.isSafeInteger(body.max_tokens) && body.max_tokens > 0 ? body.max_tokens : Number.isSafeInteger(body.max_completion_tokens) && body.max_completion_tokens > 0 ? body.max_completion_tokens : Infinity;
  const truncated = parts.length > max;
  if (truncated) parts = parts.slice(0, max);
  const content = parts.join("");
  const usage = { prompt_tokens: prompt, completion_tokens: parts.length, total_tokens: prompt + parts.length };
  const finish = truncated ? "length" : "stop";
  const created = Math.floor(Date.now() / 1000);
  const cid = id("chatcmpl");
  if (body.stream === true) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (choices, extra = {}) => `data: ${JSON.stringify({ id: cid, object: "chat.completion.chunk", created, model: MODEL_ID, choices, ...extra })}\n\n`;
    res.write(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i < parts.length) {
        res.write(chunk([{ index: 0, delta: { content: parts[i++] }, finish_reason: null }]));
        return setImmediate(next);
      }
      res.write(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
      if (body.stream_options && body.stream_options.include_usage) res.write(chunk([], { usage }));
      res.end("data: [DONE]\n\n");
    };
    return next();
  }
  send(res, 200, { id: cid, object: "chat.completion", created, model: MODEL_ID, choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finish }], usage });
}

function completions(req, res, body) {
  const prompt = Array.isArray(body.prompt) ? body.prompt.join(" ") : body.prompt;
  if (typeof prompt !== "string") return error(res, 400, "invalid_prompt", "prompt must be a string");
  const parts = pieces(analyse(prompt));
  const p = countTokens(prompt);
  send(res, 200, { id: id("cmpl"), object: "text_completion", created: Math.floor(Date.now() / 1000), model: MODEL_ID, choices: [{ index: 0, text: parts.join(""), finish_reason: "stop" }], usage: { prompt_tokens: p, completion_tokens: parts.length, total_tokens: p + parts.length } });
}

/** A 64-dimension hashed bag of lemmas, L2-normalised: a real (small) embedding of the text. */
function embed(text) {
  const v = new Array(64).fill(0);
  nlp.readDoc(String(text)).tokens().filter((t) => t.out(its.type) === "word").each((t) => {
    const w = t.out(its.lemma).toLowerCase();
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619) >>> 0;
    v[h % 64] += 1;
  });
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function embeddings(req, res, body) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  if (inputs.length === 0 || inputs.some((t) => typeof t !== "string")) return error(res, 400, "invalid_input", "input must be a string or an array of strings");
  const tokens = inputs.reduce((n, t) => n + countTokens(t), 0);
  send(res, 200, { object: "list", model: MODEL_ID, data: inputs.map((t, index) => ({ object: "embedding", index, embedding: embed(t) })), usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function createServer() {
  return http.createServer((req, res) => {
    const path = (req.url || "/").split("?")[0];
    if (req.method === "GET" && path === "/v1/models") return send(res, 200, { object: "list", data: [{ id: MODEL_ID, object: "model", owned_by: "wink-nlp" }] });
    const route = { "/v1/chat/completions": chat, "/v1/completions": completions, "/v1/embeddings": embeddings }[path];
    if (!route) return error(res, 404, "not_found", `no route ${req.method} ${path}`);
    if (req.method !== "POST") return error(res, 405, "method_not_allowed", `${path} takes POST`);
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return error(res, 400, "invalid_json", "the body is not JSON");
      }
      if (!body || typeof body !== "object") return error(res, 400, "invalid_json", "the body must be a JSON object");
      try {
        route(req, res, body);
      } catch (e) {
        send(res, 500, { error: { message: e.message, type: "server_error", code: "internal_error", param: null } });
      }
    });
  });
}

module.exports = { createServer, analyse, countTokens, MODEL_ID };

if (require.main === module) {
  const i = process.argv.indexOf("--listen");
  const listen = i > 0 ? process.argv[i + 1] : "127.0.0.1:8000";
  const m = /^(.+):([0-9]+)$/.exec(listen || "");
  if (!m) {
    console.error(`--listen must be HOST:PORT, got "${listen}"`);
    process.exit(2);
  }
  const server = createServer();
  server.listen(Number(m[2]), m[1], () => console.error(`${MODEL_ID}: OpenAI-compatible server on http://${m[1]}:${m[2]}/v1`));
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
