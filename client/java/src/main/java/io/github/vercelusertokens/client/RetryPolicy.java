package io.github.vercelusertokens.client;

import java.time.Duration;

/**
 * When {@link UserTokensClient} calls a read-only RPC (GetAuthToken,
 * ListAuthTokens, ListAuthTokensRaw) again after it failed: on
 * {@code RESOURCE_EXHAUSTED} or {@code UNAVAILABLE} that carries a RetryInfo,
 * after the RetryInfo's delay, and on {@code UNAVAILABLE} without one after an
 * exponential backoff from {@link #initialBackoff()}; at most
 * {@link #maxAttempts()} attempts in all, and never when the wait would pass
 * the call's deadline (the error is thrown at once instead). Calls that change
 * something (Create, Delete, EmailLogin, VerifyToken) are never retried.
 * Immutable.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final Duration initialBackoff;

  private RetryPolicy(int maxAttempts, Duration initialBackoff) {
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
  }

  /** 3 attempts, backoff from 100 ms. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(3, Duration.ofMillis(100));
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
        return error.getRetryDelay().orElse(null);
      case UNAVAILABLE:
        return error.getRetryDelay().orElse(initialBackoff.multipliedBy(1L << (attempt - 1)));
      default:
        return null;
    }
  }
}
