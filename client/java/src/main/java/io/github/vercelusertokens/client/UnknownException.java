package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code UNKNOWN}: an answer the service could not place, e.g. an unexpected upstream status (reason {@code UPSTREAM_UNEXPECTED_STATUS}). */
public class UnknownException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  UnknownException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
