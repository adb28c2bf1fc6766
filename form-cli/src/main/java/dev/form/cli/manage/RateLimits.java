package dev.form.cli.manage;

import dev.form.core.api.RateLimitRequest;

/** A token bucket from its three flags; absent when none was given (the service names what is missing). */
final class RateLimits {
    private RateLimits() {
    }

    static RateLimitRequest of(Long size, Long oneTimeBurst, Long refillMs) {
        if (size == null && oneTimeBurst == null && refillMs == null) return null;
        return new RateLimitRequest(size, oneTimeBurst, refillMs);
    }
}
