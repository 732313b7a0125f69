package dev.tandem.shard;

/**
 * A shard died, hung, or is down: the step it was given is lost, and so is every sequence state
 * the shard held. The scheduler recomputes those sequences; their clients only wait longer.
 */
public final class ShardFailedException extends RuntimeException {
    private final String role;

    public ShardFailedException(String role, String message, Throwable cause) {
        super(role + " shard failed: " + message, cause);
        this.role = role;
    }

    public String role() {
        return role;
    }
}
