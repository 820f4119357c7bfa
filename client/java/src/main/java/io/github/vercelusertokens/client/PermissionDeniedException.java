package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code PERMISSION_DENIED}: the token may not do this. */
public class PermissionDeniedException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  PermissionDeniedException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
