// Tool calls and the Responses API through the official OpenAI Node SDK, unmodified, against Tandem:
// tool_choice "required" and a named function (chat, streamed and not, zodFunction + parse), a whole
// agent loop (call -> tool result -> answer) through chat completions and through responses, the
// Responses API streamed, and bad tool input. Prints one JSON line of what it saw; NodeSdkToolsTest checks it.
import OpenAI from "openai";
import { zodFunction, zodTextFormat } from "openai/helpers/zod";
import { z } from "zod";

const client = new OpenAI({ baseURL: process.argv[2], apiKey: "unused", maxRetries: 0 });
const model = (await client.models.list()).data[0].id;
const weatherParams = {
  type: "object",
  properties: { city: { type: "string", minLength: 2, maxLength: 16 }, days: { type: "integer", minimum: 1, maximum: 7 } },
  required: ["city", "days"], additionalProperties: false,
};
const tools = [
  { type: "function", function: { name: "get_weather", description: "The forecast for a city", parameters: weatherParams } },
  { type: "function", function: { name: "get_time", description: "The time in a timezone",
    parameters: { type: "object", properties: { timezone: { type: "string", enum: ["UTC", "Europe/Paris"] } }, required: ["timezone"] } } },
];
const ask = [{ role: "user", content: "What is the weather in Paris for the next three days?" }];
const seen = { model };
const runTool = (name, args) => name === "get_weather" ? `${args.city}: sunny, 21 C for ${args.days} days` : `12:00 in ${args.timezone}`;

// 1. required, not streamed
const required = await client.chat.completions.create({ model, messages: ask, tools, tool_choice: "required", max_tokens: 300, seed: 1 });
seen.required = { finish: required.choices[0].finish_reason, content: required.choices[0].message.content,
  calls: required.choices[0].message.tool_calls.map(c => ({ id: c.id, type: c.type, name: c.function.name, arguments: c.function.arguments })) };

// 2. a named function, streamed: the SDK's stream helper puts the deltas together
const stream = client.chat.completions.stream({ model, messages: ask, tools, max_tokens: 300, seed: 2,
  tool_choice: { type: "function", function: { name: "get_time" } } });
let argDeltas = 0, contentDeltas = 0;
stream.on("tool_calls.function.arguments.delta", () => argDeltas++);
stream.on("content.delta", () => contentDeltas++);
const streamed = await stream.finalChatCompletion();
seen.named = { finish: streamed.choices[0].finish_reason, argDeltas, contentDeltas,
  calls: streamed.choices[0].message.tool_calls.map(c => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) };

// 3. zodFunction (strict) with parse: the SDK parses and checks the arguments itself
const Weather = z.object({ city: z.string().min(2).max(16), days: z.number().int().min(1).max(7) });
const parsed = await client.chat.completions.parse({ model, messages: ask, max_tokens: 300, seed: 3, tool_choice: "required",
  tools: [zodFunction({ name: "get_weather", parameters: Weather })] });
seen.zod = parsed.choices[0].message.tool_calls.map(c => c.function.parsed_arguments);

// 4. the agent loop through chat completions: call, tool result, answer
const first = required.choices[0].message;
const results = first.tool_calls.map(c => ({ role: "tool", tool_call_id: c.id, content: runTool(c.function.name, JSON.parse(c.function.arguments)) }));
const answer = await client.chat.completions.create({ model, tools, max_tokens: 60, seed: 4, tool_choice: "none",
  messages: [...ask, first, ...results] });
seen.chatLoop = { finish: answer.choices[0].finish_reason, content: answer.choices[0].message.content, calls: answer.choices[0].message.tool_calls ?? null,
  promptTokens: answer.usage.prompt_tokens, firstPromptTokens: required.usage.prompt_tokens };

// 5. the agent loop through responses
const rtools = tools.map(t => ({ type: "function", name: t.function.name, description: t.function.description, parameters: t.function.parameters, strict: true }));
const r1 = await client.responses.create({ model, input: ask, instructions: "You are a weather assistant.", tools: rtools, tool_choice: "required",
  max_output_tokens: 300 });
const calls = r1.output.filter(i => i.type === "function_call");
const r2 = await client.responses.create({ model, tools: rtools, tool_choice: "none", max_output_tokens: 60,
  input: [...ask, ...calls, ...calls.map(c => ({ type: "function_call_output", call_id: c.call_id, output: runTool(c.name, JSON.parse(c.arguments)) }))] });
seen.responsesLoop = { status1: r1.status, calls: calls.map(c => ({ call_id: c.call_id, name: c.name, arguments: c.arguments, status: c.status })),
  status2: r2.status, text: r2.output_text, types2: r2.output.map(i => i.type), usage2: r2.usage };

// 6. responses streamed: events in order, the SDK's accumulated final response
const rs = client.responses.stream({ model, input: ask, tools: rtools, tool_choice: { type: "function", name: "get_weather" }, max_output_tokens: 300 });
const events = [];
for await (const e of rs) events.push({ type: e.type, seq: e.sequence_number });
const final = await rs.finalResponse();
seen.responsesStream = { events, status: final.status, output: final.output.map(i => ({ type: i.type, name: i.name, arguments: i.arguments })) };

// 7. responses.parse with a zod text format
const Forecast = z.object({ city: z.string().max(16), sunny: z.boolean() });
const rp = await client.responses.parse({ model, input: ask, max_output_tokens: 200, text: { format: zodTextFormat(Forecast, "forecast") } });
seen.responsesParse = { parsed: rp.output_parsed, status: rp.status };

// 8. bad input: the SDK surfaces 400 with param
const bad = {};
for (const [name, body] of Object.entries({
  unknownChoice: { model, messages: ask, tools, tool_choice: { type: "function", function: { name: "nope" } } },
  badTool: { model, messages: ask, tools: [{ type: "function", function: { name: "bad name!" } }] },
  notSchema: { model, messages: ask, tools: [{ type: "function", function: { name: "f", parameters: "a string" } }] },
})) {
  try { await client.chat.completions.create(body); bad[name] = "accepted"; }
  catch (e) { bad[name] = { status: e.status, param: e.param ?? e.error?.param ?? null }; }
}
try { await client.responses.create({ model, input: ask, previous_response_id: "resp_1" }); bad.previous = "accepted"; }
catch (e) { bad.previous = { status: e.status, param: e.param ?? e.error?.param ?? null }; }
seen.bad = bad;
console.log(JSON.stringify(seen));
