package io.github.vercelusertokens.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PemKeysTest {
  // 1.2.840.10045.3.1.7, P-256.
  private static final byte[] P256 = {0x06, 8, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 3, 1, 7};
  private static final String BODY =
      "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+LQmlQ";

  private static KeyPair generate(String algorithm) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("EC")) {
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private static byte[] der(int tag, byte[]... parts) {
    ByteArrayOutputStream contents = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      contents.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = contents.size();
    if (length >= 0x100) {
      out.write(0x82);
      out.write(length >>> 8);
    } else if (length >= 0x80) {
      out.write(0x81);
    }
    out.write(length);
    out.writeBytes(contents.toByteArray());
    return out.toByteArray();
  }

  private static byte[] integer(BigInteger value) {
    return der(0x02, value.toByteArray());
  }

  // RFC 8017's RSAPrivateKey, as `openssl rsa -traditional` writes it.
  private static byte[] pkcs1(RSAPrivateCrtKey key) {
    return der(0x30, integer(BigInteger.ZERO), integer(key.getModulus()),
        integer(key.getPublicExponent()), integer(key.getPrivateExponent()),
        integer(key.getPrimeP()), integer(key.getPrimeQ()), integer(key.getPrimeExponentP()),
        integer(key.getPrimeExponentQ()), integer(key.getCrtCoefficient()));
  }

  // RFC 5915's ECPrivateKey on P-256, as OpenSSL writes it; `curve` is [0]'s contents or none.
  private static byte[] sec1(KeyPair pair, byte[] curve) {
    byte[] s = ((ECPrivateKey) pair.getPrivate()).getS().toByteArray();
    byte[] d = new byte[32];
    int from = Math.max(0, s.length - 32);
    System.arraycopy(s, from, d, 32 - (s.length - from), s.length - from);
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    byte[] point = new byte[66]; // unused-bits byte, 0x04, x, y
    point[1] = 0x04;
    fixed(pub.getW().getAffineX(), point, 2);
    fixed(pub.getW().getAffineY(), point, 34);
    byte[] publicKey = der(0xa1, der(0x03, point));
    return curve == null
        ? der(0x30, integer(BigInteger.ONE), der(0x04, d), publicKey)
        : der(0x30, integer(BigInteger.ONE), der(0x04, d), der(0xa0, curve), publicKey);
  }

  private static void fixed(BigInteger value, byte[] into, int at) {
    byte[] bytes = value.toByteArray();
    int from = Math.max(0, bytes.length - 32);
    System.arraycopy(bytes, from, into, at + 32 - (bytes.length - from), bytes.length - from);
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  // Decodes PemKeys' output as grpc-java does: a PKCS#8 PEM block for KeyFactory.
  private static PrivateKey decode(String pkcs8Pem, String algorithm) throws Exception {
    assertTrue(pkcs8Pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pkcs8Pem);
    assertTrue(pkcs8Pem.endsWith("\n-----END PRIVATE KEY-----\n"), pkcs8Pem);
    String body = pkcs8Pem.substring(28, pkcs8Pem.length() - 27);
    for (String line : body.split("\n")) {
      assertTrue(line.length() <= 64, line);
    }
    return KeyFactory.getInstance(algorithm)
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(body)));
  }

  // Proves `key` is the private half of `pair`: what it signs, pair's public key verifies.
  private static void assertSameKey(KeyPair pair, PrivateKey key, String signature)
      throws Exception {
    byte[] message = "vercel-user-tokens".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(signature);
    signer.initSign(key);
    signer.update(message);
    byte[] signed = signer.sign();
    Signature verifier = Signature.getInstance(signature);
    verifier.initVerify(pair.getPublic());
    verifier.update(message);
    assertTrue(verifier.verify(signed));
  }

  private static String rejected(String pem) {
    return assertThrows(IllegalArgumentException.class, () -> PemKeys.toPkcs8Pem(pem))
        .getMessage();
  }

  @Test
  void pkcs8KeyIsKeptAsItIs() throws Exception {
    KeyPair pair = generate("RSA");
    byte[] pkcs8 = pair.getPrivate().getEncoded();
    PrivateKey key = decode(PemKeys.toPkcs8Pem(pem("PRIVATE KEY", pkcs8)), "RSA");
    assertArrayEquals(pkcs8, key.getEncoded());
  }

  @Test
  void pkcs1RsaKeyBecomesPkcs8OfTheSameKey() throws Exception {
    KeyPair pair = generate("RSA");
    String pem = pem("RSA PRIVATE KEY", pkcs1((RSAPrivateCrtKey) pair.getPrivate()));
    PrivateKey key = decode(PemKeys.toPkcs8Pem(pem), "RSA");
    assertEquals(pair.getPrivate(), key);
    assertSameKey(pair, key, "SHA256withRSA");
  }

  @Test
  void sec1EcKeyBecomesPkcs8OfTheSameKeyOnItsCurve() throws Exception {
    KeyPair pair = generate("EC");
    String pem = pem("EC PRIVATE KEY", sec1(pair, P256));
    ECPrivateKey key = (ECPrivateKey) decode(PemKeys.toPkcs8Pem(pem), "EC");
    ECPrivateKey original = (ECPrivateKey) pair.getPrivate();
    assertEquals(original.getS(), key.getS());
    assertEquals(original.getParams().getCurve(), key.getParams().getCurve());
    assertEquals(original.getParams().getGenerator(), key.getParams().getGenerator());
    assertSameKey(pair, key, "SHA256withECDSA");
  }

  @Test
  void keyAfterOpenSslsEcParametersBlockIsFound() throws Exception {
    // `openssl ecparam -genkey` without -noout writes the curve first.
    KeyPair pair = generate("EC");
    String pem = pem("EC PARAMETERS", P256) + pem("EC PRIVATE KEY", sec1(pair, P256));
    assertSameKey(pair, decode(PemKeys.toPkcs8Pem(pem), "EC"), "SHA256withECDSA");
  }

  @Test
  void sec1KeyWithoutItsCurveIsRejected() throws Exception {
    String message = rejected(pem("EC PRIVATE KEY", sec1(generate("EC"), null)));
    assertTrue(message.contains("does not name its curve"), message);
  }

  @Test
  void encryptedKeysAreRejectedNamingTheAcceptedFormats() {
    String pkcs8 = rejected(pem("ENCRYPTED PRIVATE KEY", Base64.getDecoder().decode(BODY)));
    // OpenSSL's legacy encryption of a PKCS#1 key.
    String legacy = rejected("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        + "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n" + BODY
        + "\n-----END RSA PRIVATE KEY-----\n");
    for (String message : Arrays.asList(pkcs8, legacy)) {
      assertTrue(message.startsWith("the client key is encrypted; "), message);
      assertTrue(message.contains("PKCS#8 (BEGIN PRIVATE KEY)"), message);
      assertTrue(message.contains("PKCS#1 RSA (BEGIN RSA PRIVATE KEY)"), message);
      assertTrue(message.contains("SEC1 EC (BEGIN EC PRIVATE KEY)"), message);
      assertFalse(message.contains(BODY.substring(0, 16)), message);
    }
  }

  @Test
  void garbageIsRejectedWithoutQuotingIt() {
    String[] inputs = {
      "",
      BODY,
      pem("CERTIFICATE", Base64.getDecoder().decode(BODY)),
      "-----BEGIN RSA PRIVATE KEY-----\n" + BODY + "!\n-----END RSA PRIVATE KEY-----\n",
      // Valid base64 of a truncated DER SEQUENCE.
      "-----BEGIN PRIVATE KEY-----\n" + BODY + "\n-----END PRIVATE KEY-----\n",
      pem("EC PRIVATE KEY", new byte[] {0x30, 3, 0x02, 1, 1}),
    };
    for (String input : inputs) {
      String message = rejected(input);
      assertTrue(message.endsWith(PemKeys.ACCEPTED), message);
      assertFalse(message.contains(BODY.substring(0, 16)), message);
    }
  }
}
