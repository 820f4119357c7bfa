package io.github.vercelusertokens.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserTokensClientTest {
  @Test
  void buildRejectsAnEncryptedClientKeyNamingTheAcceptedFormats(@TempDir Path folder)
      throws Exception {
    File chain = Files.writeString(folder.resolve("client.pem"), "").toFile();
    File key = Files.writeString(folder.resolve("client.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEF\n"
            + "-----END ENCRYPTED PRIVATE KEY-----\n").toFile();
    UserTokensClient.Builder builder = UserTokensClient.builder("localhost:1")
        .clientCertificate(chain, key);
    String message = assertThrows(IllegalArgumentException.class, builder::build).getMessage();
    assertTrue(message.contains("PKCS#1 RSA (BEGIN RSA PRIVATE KEY)"), message);
  }
}
