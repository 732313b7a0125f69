package dev.tandem.request;

import java.util.List;

/**
 * Decides when a sequence is finished and filters its text so that a stop string is never
 * emitted, even when it arrives split over several tokens: text that could still be the start of
 * a stop string is held back until the next token settles it.
 */
public final class StopChecker {
    private final SamplingParams params;
    private final List<Integer> eosIds;
    private final StringBuilder pending = new StringBuilder();
    private FinishReason finishReason;

    public StopChecker(SamplingParams params, List<Integer> eosIds) {
        this.params = params;
        this.eosIds = List.copyOf(eosIds);
    }

    /**
     * Checks a freshly sampled token: a stop or EOS token ends the sequence and its text is not
     * shown. (The sampler masks them until min_tokens.)
     */
    public boolean isStopToken(int token) {
        if (params.isStopToken(token, eosIds)) {
            finishReason = FinishReason.STOP;
            return true;
        }
        return false;
    }

    /** After a (non-stop) token's text was added: whether max_tokens is reached. */
    public void checkLength(int numGenerated) {
        if (finishReason == null && numGenerated >= params.maxTokens()) {
            finishReason = FinishReason.LENGTH;
        }
    }

    /** Feeds decoded text; returns the part that may be shown now. Sets STOP on a stop string. */
    public String filter(String delta) {
        if (finishReason == FinishReason.STOP || delta.isEmpty()) {
            return "";
        }
        pending.append(delta);
        if (params.stopStrings().isEmpty()) {
            String out = pending.toString();
            pending.setLength(0);
            return out;
        }
        int stopAt = -1;
        for (String s : params.stopStrings()) {
            int i = pending.indexOf(s);
            if (i >= 0 && (stopAt < 0 || i < stopAt)) {
                stopAt = i;
            }
        }
        if (stopAt >= 0) {
            finishReason = FinishReason.STOP;
            String out = pending.substring(0, stopAt);
            pending.setLength(0);
            return out;
        }
        int hold = longestStopPrefixSuffix();
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** Text held back at the end of a sequence that did not stop on a stop string. */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    private int longestStopPrefixSuffix() {
        int best = 0;
        String text = pending.toString();
        for (String s : params.stopStrings()) {
            for (int len = Math.min(s.length() - 1, text.length()); len > best; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    public boolean isFinished() {
        return finishReason != null;
    }

    public FinishReason finishReason() {
        return finishReason;
    }

    /** Marks the sequence finished from outside (context length, abort). */
    public void finish(FinishReason reason) {
        if (finishReason == null) {
            finishReason = reason;
        }
    }
}
