package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code CANCELLED}: the call was cancelled (its {@code io.grpc.Context} or future). */
public class CancelledException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  CancelledException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
