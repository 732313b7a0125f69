package dev.tandem.scheduler;

import dev.tandem.shard.StepKind;
import java.util.List;

/**
 * What the scheduler does when a shard lost its state: every running sequence that still needs
 * it goes back to the head of the queue, in its order, blocks freed, to be computed again (from
 * the prefix cache where it can). A lost prefill shard takes the sequences it was prefilling; a
 * lost decode shard takes every decoding sequence. Sequences that moved on to the decode shard no
 * longer need the prefill shard.
 */
final class ShardRecovery {
    private ShardRecovery() {}

    static void recomputeSequencesOf(StepKind kind, SequenceQueues queues) {
        List<Sequence> running = queues.running;
        for (int i = running.size() - 1; i >= 0; i--) {
            Sequence s = running.get(i);
            boolean held = kind == StepKind.DECODE
                    ? s.knownByDecodeShard()
                    : s.knownByPrefillShard() && !s.knownByDecodeShard();
            if (held) {
                queues.requeue(s);
            }
        }
    }
}
