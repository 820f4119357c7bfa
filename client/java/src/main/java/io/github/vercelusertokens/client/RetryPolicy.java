package io.github.vercelusertokens.client;

import java.time.Duration;

/**
 * When {@link UserTokensClient} calls GetAuthToken, ListAuthTokens, ListAuthTokensRaw or
 * CreateAuthToken (safe: its {@code request_id} is fixed before the first attempt) again after
 * it failed with {@code UNAVAILABLE} or {@code RESOURCE_EXHAUSTED} (client/SPEC.md §2): after the
 * error's RetryInfo delay when it has one, else after a jittered backoff,
 * {@code initialBackoff * 2^(attempt-1) * uniform(0.5, 1)}; at most {@link #maxAttempts()}
 * attempts in all, and never when the wait would end at or after the call's deadline (the error
 * is thrown at once instead). DeleteAuthToken, EmailLogin and VerifyToken are never retried.
 * Immutable.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final Duration initialBackoff;

  private RetryPolicy(int maxAttempts, Duration initialBackoff) {
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
  }

  /** 3 attempts, backoff from 200 ms. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(3, Duration.ofMillis(200));
  }

  /** This policy with at most {@code attempts} attempts (at least 1). */
  public RetryPolicy withMaxAttempts(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    return new RetryPolicy(attempts, initialBackoff);
  }

  /** This policy with backoff from {@code backoff} (positive). */
  public RetryPolicy withInitialBackoff(Duration backoff) {
    if (backoff.isNegative() || backoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive");
    }
    return new RetryPolicy(maxAttempts, backoff);
  }

  /** Attempts per call, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before the second attempt when the server named none. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * How long to wait before attempt {@code attempt + 1} after {@code error}
   * failed attempt {@code attempt} (1-based), or null when it is not retried.
   */
  Duration delayAfter(UserTokensException error, int attempt) {
    if (attempt >= maxAttempts) {
      return null;
    }
    switch (error.getCode()) {
      case RESOURCE_EXHAUSTED:
      case UNAVAILABLE:
        return error.getRetryDelay().orElseGet(() -> backoff(attempt,
            java.util.concurrent.ThreadLocalRandom.current().nextDouble(0.5, 1.0)));
      default:
        return null;
    }
  }

  /** The backoff before attempt {@code attempt + 1}, scaled by {@code jitter}. */
  Duration backoff(int attempt, double jitter) {
    long nanos = initialBackoff.multipliedBy(1L << Math.min(attempt - 1, 20)).toNanos();
    return Duration.ofNanos((long) (nanos * jitter));
  }
}
