package io.github.vercelusertokens.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenProvidersTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");

  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @Test
  void readsTrimmedAndRereadsAtLeastOnceAMinute(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("token");
    Files.writeString(file, "  tok-A\n");
    FileTime fixed = Files.getLastModifiedTime(file);
    Supplier<String> provider = TokenProviders.file(file, clock);
    assertEquals("tok-A", provider.get());
    // Same size and modification time: only the minute makes it read again.
    Files.writeString(file, "  tok-B\n");
    Files.setLastModifiedTime(file, fixed);
    now = now.plus(TokenProviders.FILE_MAX_AGE);
    assertEquals("tok-B", provider.get());
  }

  @Test
  void keepsTheLastGoodValueAndNeverShowsTheToken(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("token");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> TokenProviders.file(file, clock).get());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    Files.writeString(file, "tok-secret");
    Supplier<String> provider = TokenProviders.file(file, clock);
    assertEquals("tok-secret", provider.get());
    Files.delete(file);
    now = now.plusSeconds(600);
    assertEquals("tok-secret", provider.get());
    assertFalse(provider.toString().contains("tok-secret"));
  }
}
