package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/**
 * {@code INVALID_ARGUMENT}: the request was refused as it is; {@link
 * #getFieldViolations()} names the fields and what is wrong with them.
 */
public class InvalidArgumentException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  InvalidArgumentException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
