package dev.form.core.model;

/**
 * A token bucket: {@code size} tokens (bytes or operations) refilled every {@code refillTimeMs},
 * plus a one-time initial burst.
 */
public record RateLimit(long size, long oneTimeBurst, long refillTimeMs) {
    public RateLimit {
        if (size <= 0) throw new IllegalArgumentException("rate limit size must be positive");
        if (refillTimeMs <= 0) throw new IllegalArgumentException("rate limit refill time must be positive");
        if (oneTimeBurst < 0) throw new IllegalArgumentException("rate limit one-time burst must not be negative");
    }
}
