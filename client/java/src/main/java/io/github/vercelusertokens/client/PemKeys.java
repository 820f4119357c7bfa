package io.github.vercelusertokens.client;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an unencrypted PEM private key into the PKCS#8 PEM grpc-java reads: a PKCS#8 key
 * ({@code BEGIN PRIVATE KEY}) as it is, a PKCS#1 RSA key ({@code BEGIN RSA PRIVATE KEY}) or a
 * SEC1 EC key ({@code BEGIN EC PRIVATE KEY}) wrapped in a PKCS#8 PrivateKeyInfo. JDK only, no
 * key material in any error message. Stateless.
 */
final class PemKeys {
  static final String ACCEPTED = "the client key must be an unencrypted PEM private key:"
      + " PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 RSA (BEGIN RSA PRIVATE KEY)"
      + " or SEC1 EC (BEGIN EC PRIVATE KEY)";

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final int SEQUENCE = 0x30;
  private static final int INTEGER = 0x02;
  private static final int OCTET_STRING = 0x04;
  private static final int OBJECT_IDENTIFIER = 0x06;
  private static final int EC_PARAMETERS = 0xa0; // [0] of SEC1's ECPrivateKey
  private static final byte[] VERSION_0 = {INTEGER, 1, 0};
  // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }.
  private static final byte[] RSA_ALGORITHM = {SEQUENCE, 13, OBJECT_IDENTIFIER, 9, 0x2a,
      (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 1, 1, 0x05, 0};
  // id-ecPublicKey (1.2.840.10045.2.1).
  private static final byte[] EC_PUBLIC_KEY =
      {OBJECT_IDENTIFIER, 7, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};

  private PemKeys() {}

  /**
   * Returns the PKCS#8 PEM of the first private key in {@code pem}; other blocks (such as the
   * {@code EC PARAMETERS} OpenSSL writes before an EC key) are skipped.
   *
   * @throws IllegalArgumentException when there is no such key, it is encrypted, it is not
   *     well-formed DER, or a SEC1 key does not name its curve
   */
  static String toPkcs8Pem(String pem) {
    String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(toPkcs8(pem));
    return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
  }

  private static byte[] toPkcs8(String pem) {
    Matcher block = BLOCK.matcher(pem);
    while (block.find()) {
      String label = block.group(1);
      if (label.equals("ENCRYPTED PRIVATE KEY")) {
        throw new IllegalArgumentException("the client key is encrypted; " + ACCEPTED);
      }
      if (!label.equals("PRIVATE KEY") && !label.equals("RSA PRIVATE KEY")
          && !label.equals("EC PRIVATE KEY")) {
        continue;
      }
      // OpenSSL's legacy encryption of a PKCS#1 or SEC1 key adds "Proc-Type: 4,ENCRYPTED" and
      // "DEK-Info: ..." headers; base64 has no colon.
      if (block.group(2).indexOf(':') >= 0) {
        throw new IllegalArgumentException("the client key is encrypted; " + ACCEPTED);
      }
      byte[] der = decodeBase64(block.group(2), label);
      Element key = Element.read(der, 0, der.length, label);
      if (key.tag != SEQUENCE || key.end != der.length) {
        throw malformed(label);
      }
      switch (label) {
        case "RSA PRIVATE KEY":
          return tlv(SEQUENCE, VERSION_0, RSA_ALGORITHM, tlv(OCTET_STRING, der));
        case "EC PRIVATE KEY":
          return tlv(SEQUENCE, VERSION_0,
              tlv(SEQUENCE, EC_PUBLIC_KEY, namedCurve(der, key)), tlv(OCTET_STRING, der));
        default:
          return der;
      }
    }
    throw new IllegalArgumentException("no PEM private key in the client key file; " + ACCEPTED);
  }

  private static byte[] decodeBase64(String body, String label) {
    try {
      return Base64.getDecoder().decode(body.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      // Not chained: the decoder's message quotes the offending character.
      throw malformed(label);
    }
  }

  /**
   * Returns the OBJECT IDENTIFIER element (tag, length, value) in the parameters field of the
   * SEC1 ECPrivateKey {@code key}: {@code SEQUENCE { version, privateKey OCTET STRING,
   * [0] parameters OPTIONAL, [1] publicKey OPTIONAL }}.
   */
  private static byte[] namedCurve(byte[] der, Element key) {
    String label = "EC PRIVATE KEY";
    Element version = Element.read(der, key.start, key.end, label);
    Element privateKey = Element.read(der, version.end, key.end, label);
    if (version.tag != INTEGER || privateKey.tag != OCTET_STRING) {
      throw malformed(label);
    }
    for (int at = privateKey.end; at < key.end; ) {
      Element field = Element.read(der, at, key.end, label);
      if (field.tag == EC_PARAMETERS) {
        Element curve = Element.read(der, field.start, field.end, label);
        if (curve.tag == OBJECT_IDENTIFIER && curve.end == field.end) {
          return Arrays.copyOfRange(der, field.start, field.end);
        }
      }
      at = field.end;
    }
    throw new IllegalArgumentException("the client's EC key does not name its curve (SEC1"
        + " parameters field absent or not a named curve); " + ACCEPTED);
  }

  private static IllegalArgumentException malformed(String label) {
    return new IllegalArgumentException(
        "the client key's BEGIN " + label + " block is not valid base64 DER; " + ACCEPTED);
  }

  /** A DER element: {@code tag}, contents in [{@code start}, {@code end}). */
  private static final class Element {
    final int tag;
    final int start;
    final int end;

    private Element(int tag, int start, int end) {
      this.tag = tag;
      this.start = start;
      this.end = end;
    }

    /** Reads the element at {@code offset}, which must end by {@code limit}. */
    static Element read(byte[] der, int offset, int limit, String label) {
      if (limit - offset < 2) {
        throw malformed(label);
      }
      int tag = der[offset] & 0xff;
      int first = der[offset + 1] & 0xff;
      int at = offset + 2;
      long length = first;
      if (first > 0x80 && first <= 0x84) {
        if (limit - at < first - 0x80) {
          throw malformed(label);
        }
        length = 0;
        for (int i = 0; i < first - 0x80; i++) {
          length = (length << 8) | (der[at++] & 0xff);
        }
      } else if (first >= 0x80) {
        throw malformed(label);
      }
      if (length > limit - at) {
        throw malformed(label);
      }
      return new Element(tag, at, at + (int) length);
    }
  }

  /** Encodes a DER element of {@code tag} whose contents are {@code parts}, concatenated. */
  private static byte[] tlv(int tag, byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    for (byte[] part : parts) {
      out.write(part, 0, part.length);
    }
    return out.toByteArray();
  }
}
