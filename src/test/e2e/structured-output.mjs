// The OpenAI Node SDK's structured output helpers, unmodified, against Tandem: chat.completions.parse
// with a zod schema (zodResponseFormat) and with a plain JSON schema, streamed (chat.completions.stream)
// and not. Prints one JSON line of what it saw; the JUnit test (NodeSdkStructuredOutputTest) checks it.
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";

const baseURL = process.argv[2];
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0 });
const model = (await client.models.list()).data[0].id;

const Event = z.object({
  name: z.string().max(40),
  day: z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
  attendees: z.array(z.object({ first: z.string().max(20), age: z.number().int().min(0).max(120) })).max(3),
  confirmed: z.boolean(),
  note: z.string().max(30).nullable(),
});
const messages = [{ role: "user", content: "Plan a small event and answer as JSON." }];
const seen = { model };

for (const temperature of [0, 1]) {
  const done = await client.chat.completions.parse({
    model, messages, temperature, max_tokens: 400, seed: 7,
    response_format: zodResponseFormat(Event, "event"),
  });
  const choice = done.choices[0];
  seen[`parsed_t${temperature}`] = choice.message.parsed;
  seen[`finish_t${temperature}`] = choice.finish_reason;
  seen[`content_t${temperature}`] = choice.message.content;
  seen[`recheck_t${temperature}`] = Event.safeParse(JSON.parse(choice.message.content)).success;
}

const stream = client.chat.completions.stream({
  model, messages, temperature: 1, max_tokens: 400, seed: 11,
  response_format: zodResponseFormat(Event, "event"),
});
let deltas = 0;
stream.on("content.delta", () => deltas++);
const final = await stream.finalChatCompletion();
seen.stream_deltas = deltas;
seen.stream_parsed = final.choices[0].message.parsed;
seen.stream_finish = final.choices[0].finish_reason;

const plain = await client.chat.completions.parse({
  model, messages, max_tokens: 200,
  response_format: { type: "json_schema", json_schema: { name: "pair", strict: true, schema: {
    type: "object", properties: { key: { type: "string", pattern: "^[a-z]{2,8}$" }, value: { type: "integer", minimum: 1, maximum: 9 } },
    required: ["key", "value"], additionalProperties: false } } },
});
seen.plain_parsed = plain.choices[0].message.parsed;

try {
  await client.chat.completions.parse({ model, messages,
    response_format: zodResponseFormat(z.object({ at: z.string().regex(/(a)\1/) }), "bad") });
  seen.bad = "accepted";
} catch (e) {
  seen.bad = { status: e.status, param: e.param ?? e.error?.param ?? null, message: e.message };
}
console.log(JSON.stringify(seen));
