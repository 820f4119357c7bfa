package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import java.util.OptionalLong;

/**
 * Vercel's rate-limit headers as the service passes them on ({@code x-ratelimit-limit},
 * {@code -remaining}, {@code -reset}); each absent when Vercel sent none or not an integer.
 * Immutable.
 */
public final class RateLimit {
  static final RateLimit NONE = new RateLimit(OptionalLong.empty(), OptionalLong.empty(),
      OptionalLong.empty());
  private static final Metadata.Key<String> LIMIT =
      Metadata.Key.of("x-ratelimit-limit", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> REMAINING =
      Metadata.Key.of("x-ratelimit-remaining", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> RESET =
      Metadata.Key.of("x-ratelimit-reset", Metadata.ASCII_STRING_MARSHALLER);

  private final OptionalLong limit;
  private final OptionalLong remaining;
  private final OptionalLong reset;

  private RateLimit(OptionalLong limit, OptionalLong remaining, OptionalLong reset) {
    this.limit = limit;
    this.remaining = remaining;
    this.reset = reset;
  }

  /** Reads the three headers from a call's metadata (headers and trailers merged). */
  static RateLimit from(Metadata metadata) {
    return new RateLimit(number(metadata.get(LIMIT)), number(metadata.get(REMAINING)),
        number(metadata.get(RESET)));
  }

  private static OptionalLong number(String value) {
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** {@code x-ratelimit-limit}: requests allowed per window. */
  public OptionalLong limit() {
    return limit;
  }

  /** {@code x-ratelimit-remaining}: requests left in this window. */
  public OptionalLong remaining() {
    return remaining;
  }

  /** {@code x-ratelimit-reset}: when the window ends, in Unix seconds, as Vercel sends it. */
  public OptionalLong reset() {
    return reset;
  }

  @Override
  public String toString() {
    return "RateLimit{limit=" + limit + ", remaining=" + remaining + ", reset=" + reset + "}";
  }
}
