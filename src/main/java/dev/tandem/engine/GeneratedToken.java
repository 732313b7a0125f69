package dev.tandem.engine;

/**
 * One generated token and the text it releases (possibly empty while a character or a possible
 * stop string is incomplete). logprob is NaN unless logprobs were asked for.
 */
public record GeneratedToken(int token, String text, float logprob, int[] topTokens, float[] topLogprobs) {}
