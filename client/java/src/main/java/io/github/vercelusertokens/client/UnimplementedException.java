package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code UNIMPLEMENTED}: the service or Vercel does not implement the call. */
public class UnimplementedException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  UnimplementedException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
