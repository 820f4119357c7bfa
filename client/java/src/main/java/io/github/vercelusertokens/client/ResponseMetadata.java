package io.github.vercelusertokens.client;

import io.grpc.Metadata;

/**
 * What a call's response metadata said: Vercel's request id ({@code x-vercel-id}, which Vercel
 * support asks for) and its rate-limit headers. Pass an empty one in
 * {@link CallOptions#responseMetadata(ResponseMetadata)}; the client fills it when the call
 * returns, on success and on failure. Not thread-safe: one holder per call.
 */
public final class ResponseMetadata {
  static final Metadata.Key<String> VERCEL_ID =
      Metadata.Key.of("x-vercel-id", Metadata.ASCII_STRING_MARSHALLER);

  private String vercelRequestId = "";
  private RateLimit rateLimit = RateLimit.NONE;

  /** An empty holder. */
  public ResponseMetadata() {}

  // Fills the holder from a call's response headers and trailers (either null when none came).
  void fill(Metadata headers, Metadata trailers) {
    Metadata metadata = new Metadata();
    if (headers != null) {
      metadata.merge(headers);
    }
    if (trailers != null) {
      metadata.merge(trailers);
    }
    String id = metadata.get(VERCEL_ID);
    vercelRequestId = id == null ? "" : id;
    rateLimit = RateLimit.from(metadata);
  }

  /** Vercel's request id; empty when none came (the call never reached Vercel). */
  public String vercelRequestId() {
    return vercelRequestId;
  }

  /** Vercel's rate-limit headers. */
  public RateLimit rateLimit() {
    return rateLimit;
  }
}
