package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code FAILED_PRECONDITION}: the request cannot run in the current state, e.g. an email login that is not yet confirmed (reason {@code CONFIRMATION_INCOMPLETE}). */
public class FailedPreconditionException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  FailedPreconditionException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
