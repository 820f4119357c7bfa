package io.github.vercelusertokens.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/** Credential providers for {@link UserTokensClient.Builder#tokenProvider(Supplier)}. */
public final class TokenProviders {
  /** How often a token file is read again even when it looks unchanged. */
  public static final Duration FILE_MAX_AGE = Duration.ofMinutes(1);

  private TokenProviders() {}

  /**
   * A provider of the token in the file at {@code path}, surrounding whitespace trimmed. The file
   * is read again when it changed (its file key, size or modification time, through symlinks, as
   * the kubelet swaps {@code ..data}) and at least every {@link #FILE_MAX_AGE}. A failed re-read
   * or an empty file keeps the last good value; with none yet, {@code get()} throws
   * {@link UncheckedIOException} naming the file, never its contents. Thread-safe.
   */
  public static Supplier<String> file(Path path) {
    return new TokenFile(path, Clock.systemUTC());
  }

  static Supplier<String> file(Path path, Clock clock) {
    return new TokenFile(path, clock);
  }

  private static final class TokenFile implements Supplier<String> {
    private final Path path;
    private final Clock clock;
    private String value;
    private Object identity;
    private Instant readAt = Instant.MIN;

    TokenFile(Path path, Clock clock) {
      this.path = path;
      this.clock = clock;
    }

    @Override
    public synchronized String get() {
      Instant now = clock.instant();
      Object current = identity();
      boolean stale = value == null || !Objects.equals(current, identity)
          || !now.isBefore(readAt.plus(FILE_MAX_AGE));
      if (stale) {
        try {
          String read = new String(Files.readAllBytes(path), UTF_8).strip();
          if (!read.isEmpty()) {
            value = read;
            identity = current;
            readAt = now;
          }
        } catch (IOException e) {
          // The last good value, if any, stands.
        }
      }
      if (value == null) {
        throw new UncheckedIOException(new IOException(
            "cannot read a token from " + path + " (missing, unreadable or empty)"));
      }
      return value;
    }

    private Object identity() {
      try {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return java.util.List.of(String.valueOf(a.fileKey()), a.size(),
            a.lastModifiedTime().toInstant());
      } catch (IOException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return "TokenProviders.file(" + path + ")";
    }
  }
}
