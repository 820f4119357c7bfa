package io.github.vercelusertokens.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A failed call of the vercel-user-tokens service, with what its
 * {@code google.rpc.Status} carries decoded: the {@link ErrorInfo}, the
 * {@link RetryInfo} when waiting helps, the {@link BadRequest} for bad input,
 * and the {@code x-ratelimit-*} metadata Vercel sent.
 *
 * <p>{@link UserTokensClient} throws a subclass per gRPC code the service
 * returns (client/SPEC.md: {@link InvalidArgumentException},
 * {@link FailedPreconditionException}, {@link UnauthenticatedException},
 * {@link PermissionDeniedException}, {@link NotFoundException},
 * {@link AlreadyExistsException}, {@link RateLimitedException},
 * {@link UnavailableException}, {@link DeadlineExceededException},
 * {@link CancelledException}, {@link InternalException},
 * {@link UnimplementedException}, {@link UnknownException}) and this class
 * for any other code; catch this class to handle them all. Immutable.
 */
public class UserTokensException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Status status;
  private final ErrorInfo errorInfo;
  private final RetryInfo retryInfo;
  private final BadRequest badRequest;
  private final RateLimit rateLimit;
  private final String vercelRequestId;

  UserTokensException(StatusRuntimeException cause, Metadata headers) {
    super(cause.getStatus().getCode() + ": " + cause.getStatus().getDescription(), cause);
    status = cause.getStatus();
    ErrorInfo info = null;
    RetryInfo retry = null;
    BadRequest bad = null;
    com.google.rpc.Status details = StatusProto.fromThrowable(cause);
    for (Any detail : details == null ? List.<Any>of() : details.getDetailsList()) {
      try {
        if (detail.is(ErrorInfo.class)) {
          info = detail.unpack(ErrorInfo.class);
        } else if (detail.is(RetryInfo.class)) {
          retry = detail.unpack(RetryInfo.class);
        } else if (detail.is(BadRequest.class)) {
          bad = detail.unpack(BadRequest.class);
        }
      } catch (InvalidProtocolBufferException malformed) {
        // A detail that does not decode is left out; the status still stands.
      }
    }
    errorInfo = info;
    retryInfo = retry;
    badRequest = bad;
    // The server sends these in the response headers; a trailers-only
    // response carries them in the trailers.
    Metadata metadata = new Metadata();
    if (headers != null) {
      metadata.merge(headers);
    }
    if (cause.getTrailers() != null) {
      metadata.merge(cause.getTrailers());
    }
    rateLimit = RateLimit.from(metadata);
    String id = metadata.get(ResponseMetadata.VERCEL_ID);
    if (id == null && info != null) {
      id = info.getMetadataOrDefault("vercel_request_id", null);
    }
    vercelRequestId = id == null ? "" : id;
  }

  /**
   * Returns the exception of the family {@code error}'s code belongs to, with
   * its details decoded; the {@code x-ratelimit-*} values come from its
   * trailers.
   */
  public static UserTokensException from(StatusRuntimeException error) {
    return from(error, null);
  }

  /**
   * As {@link #from(StatusRuntimeException)}, also reading the
   * {@code x-ratelimit-*} values from the call's response {@code headers}
   * (e.g. captured with {@code MetadataUtils.newCaptureMetadataInterceptor});
   * null when there were none.
   */
  public static UserTokensException from(StatusRuntimeException error, Metadata headers) {
    switch (error.getStatus().getCode()) {
      case RESOURCE_EXHAUSTED:
        return new RateLimitedException(error, headers);
      case NOT_FOUND:
        return new NotFoundException(error, headers);
      case INVALID_ARGUMENT:
        return new InvalidArgumentException(error, headers);
      case UNAUTHENTICATED:
        return new UnauthenticatedException(error, headers);
      case PERMISSION_DENIED:
        return new PermissionDeniedException(error, headers);
      case FAILED_PRECONDITION:
        return new FailedPreconditionException(error, headers);
      case ALREADY_EXISTS:
        return new AlreadyExistsException(error, headers);
      case UNAVAILABLE:
        return new UnavailableException(error, headers);
      case DEADLINE_EXCEEDED:
        return new DeadlineExceededException(error, headers);
      case CANCELLED:
        return new CancelledException(error, headers);
      case INTERNAL:
        return new InternalException(error, headers);
      case UNIMPLEMENTED:
        return new UnimplementedException(error, headers);
      case UNKNOWN:
        return new UnknownException(error, headers);
      default:
        return new UserTokensException(error, headers);
    }
  }

  /** The gRPC status code, e.g. {@code NOT_FOUND}. */
  public Status.Code getCode() {
    return status.getCode();
  }

  /** The status message, e.g. {@code Vercel API error 404 (not_found): Token not found}. */
  public String getStatusMessage() {
    return status.getDescription();
  }

  /** Why the call failed (reason, domain, metadata), when the server said. */
  public Optional<ErrorInfo> getErrorInfo() {
    return Optional.ofNullable(errorInfo);
  }

  /** {@link ErrorInfo#getReason()}, e.g. {@code NOT_FOUND}; empty without an ErrorInfo. */
  public String getReason() {
    return errorInfo == null ? "" : errorInfo.getReason();
  }

  /** {@link ErrorInfo}'s metadata, e.g. {@code http_status=404}; empty without one. */
  public Map<String, String> getErrorMetadata() {
    return errorInfo == null ? Map.of() : errorInfo.getMetadataMap();
  }

  /** How long to wait before retrying, when the server said waiting helps. */
  public Optional<RetryInfo> getRetryInfo() {
    return Optional.ofNullable(retryInfo);
  }

  /** The {@link RetryInfo}'s delay, when there is one. */
  public Optional<Duration> getRetryDelay() {
    if (retryInfo == null) {
      return Optional.empty();
    }
    com.google.protobuf.Duration delay = retryInfo.getRetryDelay();
    return Optional.of(Duration.ofSeconds(delay.getSeconds(), delay.getNanos()));
  }

  /** Which request fields were invalid, when the input was. */
  public Optional<BadRequest> getBadRequest() {
    return Optional.ofNullable(badRequest);
  }

  /** The {@link BadRequest}'s field violations; empty without one. */
  public List<BadRequest.FieldViolation> getFieldViolations() {
    return badRequest == null ? List.of() : badRequest.getFieldViolationsList();
  }

  /** Vercel's {@code x-ratelimit-*} values the server passed on. */
  public RateLimit getRateLimit() {
    return rateLimit;
  }

  /**
   * Vercel's request id, which Vercel support asks for: the {@code x-vercel-id} response
   * metadata, else the ErrorInfo metadata {@code vercel_request_id}; empty when the call never
   * reached Vercel.
   */
  public String getVercelRequestId() {
    return vercelRequestId;
  }

  /** The ErrorInfo metadata {@code http_status} (Vercel's HTTP status); 0 when absent. */
  public int getHttpStatus() {
    try {
      return Integer.parseInt(getErrorMetadata().getOrDefault("http_status", "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
