package dev.tandem.testsupport;

import dev.tandem.shard.SampledToken;
import dev.tandem.shard.Shard;
import dev.tandem.shard.StepBatch;
import java.util.List;

/**
 * A shard that passes its steps to another, for tests that watch or hold steps on their way: they
 * override execute (or start). Closing it leaves the wrapped shard to whoever owns it.
 */
public abstract class ForwardingShard implements Shard {
    protected final Shard inner;

    protected ForwardingShard(Shard inner) {
        this.inner = inner;
    }

    @Override
    public List<SampledToken> execute(StepBatch batch) {
        return inner.execute(batch);
    }

    @Override
    public boolean isReady() {
        return inner.isReady();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        // the wrapped shard is its owner's to close
    }
}
