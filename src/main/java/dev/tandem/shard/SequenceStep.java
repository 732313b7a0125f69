package dev.tandem.shard;

/**
 * One sequence's part of a step: compute {@code tokens} at positions startPosition.. with the KV
 * blocks of blockTable, then sample the next token if {@code sample} (the last chunk of a prompt,
 * or a decode token). newRequest is set the first time this shard sees the request.
 */
public record SequenceStep(String requestId, int[] tokens, int startPosition, int[] blockTable, boolean sample,
                           NewRequest newRequest) {}
