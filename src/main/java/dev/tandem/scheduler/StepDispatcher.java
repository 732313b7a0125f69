package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.FinishReason;
import dev.tandem.shard.NewRequest;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.SequenceStep;
import dev.tandem.shard.Shard;
import dev.tandem.shard.ShardFailedException;
import dev.tandem.shard.StepBatch;
import dev.tandem.shard.StepKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a planned step: prompt chunks go to the prefill shard, decode tokens to the decode shard,
 * each as a diff of what that shard already has (a request in full the first time, then only the
 * blocks it gained: the shard keeps the tokens it was sent and sampled). Collects the sampled
 * tokens into the sequences, and hands a failed shard's sequences to {@link ShardRecovery}.
 */
record StepDispatcher(
        SchedulerConfig config,
        KvCacheManager kv,
        SequenceQueues queues,
        Shard prefillShard,
        Shard decodeShard,
        StepListener listener,
        DecodeSteps decodeSteps) {
    void execute(List<StepPlanner.Planned> scheduled, Consumer<StepOutput> sink) {
        List<SequenceStep> prefill = new ArrayList<>();
        List<SequenceStep> decode = new ArrayList<>();
        List<Sequence> prefillSeqs = new ArrayList<>();
        List<Sequence> decodeSeqs = new ArrayList<>();
        for (StepPlanner.Planned planned : scheduled) {
            Sequence s = planned.seq();
            boolean isDecode = planned.numTokens() == 1 && s.decodesNext();
            int sentBlocks = isDecode ? s.blocksOnDecodeShard : s.blocksOnPrefillShard;
            NewRequest fresh = sentBlocks >= 0
                    ? null
                    : new NewRequest(
                            s.requestId, s.prompt(), s.outputs(), s.params, s.numTopLogprobs, s.numPromptLogprobs);
            int[] newBlocks = kv.blocksFrom(s.requestId, Math.max(0, sentBlocks));
            SequenceStep step = new SequenceStep(
                    s.requestId, s.numComputed, planned.numTokens(), newBlocks, planned.numSamples(), fresh);
            int numBlocks = Math.max(0, sentBlocks) + newBlocks.length;
            if (isDecode) {
                s.blocksOnDecodeShard = numBlocks;
                decode.add(step);
                decodeSeqs.add(s);
            } else {
                s.blocksOnPrefillShard = numBlocks;
                prefill.add(step);
                prefillSeqs.add(s);
            }
        }
        // Overlapping, both shards work at once: the decode step is sent before the prefill step's
        // tokens are awaited. Otherwise it is sent after them, as one process would run the two.
        boolean overlap = config.overlapShardSteps();
        Started prefillStep = start(StepKind.PREFILL, prefillShard, prefill, queues.endedForPrefill);
        if (!overlap) {
            collect(prefillStep, prefillSeqs).forEach(sink);
        }
        Started decodeStep = start(StepKind.DECODE, decodeShard, decode, queues.endedForDecode);
        if (overlap) {
            collect(prefillStep, prefillSeqs).forEach(sink);
        }
        collect(decodeStep, decodeSeqs).forEach(sink);
    }

    /** A step handed to a shard (pending is null if the shard failed at once, with failure set). */
    private record Started(
            StepKind kind, StepBatch batch, Shard.PendingStep pending, ShardFailedException failure, long startNanos) {}

    private Started start(StepKind kind, Shard shard, List<SequenceStep> steps, List<String> ended) {
        if (steps.isEmpty()) {
            return null;
        }
        StepBatch batch = new StepBatch(kind, steps, List.copyOf(ended));
        ended.clear();
        long t0 = System.nanoTime();
        try {
            return new Started(kind, batch, shard.start(batch), null, t0);
        } catch (ShardFailedException e) {
            return new Started(kind, batch, null, e, t0);
        }
    }

    /** Awaits a step's tokens and applies them to its sequences; returns what the requests got. */
    private List<StepOutput> collect(Started step, List<Sequence> seqs) {
        List<StepOutput> outputs = new ArrayList<>();
        if (step == null) {
            return outputs;
        }
        List<SampledToken> sampled;
        try {
            if (step.failure() != null) {
                throw step.failure();
            }
            sampled = step.pending().await();
        } catch (ShardFailedException e) {
            ShardRecovery.recomputeSequencesOf(step.kind(), queues);
            listener.onShardFailure(step.kind(), e.getMessage());
            return outputs;
        }
        List<SequenceStep> steps = step.batch().sequences();
        long nanos = System.nanoTime() - step.startNanos();
        int next = 0, computedTokens = 0, rounds = 0;
        for (int i = 0; i < seqs.size(); i++) {
            Sequence s = seqs.get(i);
            String id = s.requestId;
            int cached = Math.max(0, s.numCachedPromptTokens);
            SequenceStep seqStep = steps.get(i);
            FinishReason reason = null;
            int accepted = 0, computed = 0;
            int scored = NewRequest.numScored(
                    s.numPromptLogprobs, s.promptLength, seqStep.startPosition(), seqStep.numTokens());
            for (int j = 0; j < scored; j++) { // prompt logprobs come first
                SampledToken t = sampled.get(next++);
                int at = seqStep.startPosition() + j + 1;
                outputs.add(new StepOutput(
                        id, t.token(), t.logprob(), t.topTokens(), t.topLogprobs(), null, 0, 0, at, null));
            }
            for (int j = 0; j < seqStep.numSamples(); j++) {
                SampledToken t = sampled.get(next++);
                if (!t.isComputed()) {
                    continue; // the step was cut short before this round
                }
                computed++;
                if (reason != null) {
                    continue; // computed past the end of the sequence: dropped
                }
                s.append(t.token());
                accepted++;
                reason = s.finishAfter(t.token(), config.maxModelLen());
                outputs.add(new StepOutput(
                        id,
                        t.token(),
                        t.logprob(),
                        t.topTokens(),
                        t.topLogprobs(),
                        reason,
                        s.promptLength,
                        cached,
                        -1,
                        t.embedding()));
            }
            // Every sampled token but the last was fed back, so its KV is computed too.
            s.numComputed += seqStep.numTokens() + Math.max(0, accepted - 1);
            computedTokens += seqStep.numTokens() + Math.max(0, computed - 1);
            rounds = Math.max(rounds, computed);
            kv.cacheComputed(s.requestId, s.tokens, s.numComputed);
            if (reason != null) {
                queues.end(s, reason);
            }
        }
        listener.onStep(step.kind(), computedTokens, steps.size(), nanos);
        if (step.kind() == StepKind.DECODE) {
            decodeSteps.observe(nanos, Math.max(1, rounds));
        }
        return outputs;
    }
}
