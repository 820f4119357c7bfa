package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code DEADLINE_EXCEEDED}: the call's deadline passed, in the client, the service or at Vercel. */
public class DeadlineExceededException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  DeadlineExceededException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
