package dev.tandem.api;

import dev.tandem.request.SamplingParams;

/** One choice to generate: its index in the response, prompt, sampling, and the prompt text to echo (or null). */
record ChoiceInput(int index, int promptIndex, int[] promptTokens, SamplingParams params, String echo) {}
