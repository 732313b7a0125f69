package dev.tandem.shard;

/** The two kinds of step, each addressed to its own shard: prompt chunks, and one token per running sequence. */
public enum StepKind {
    PREFILL,
    DECODE
}
