package io.github.vercelusertokens.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserTokensExceptionTest {
  private static StatusRuntimeException failure(Code code, Any... details) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage("it failed");
    for (Any detail : details) {
      status.addDetails(detail);
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  private static Any errorInfo(String reason, String httpStatus) {
    return Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain("api.vercel.com")
        .putMetadata("http_status", httpStatus).build());
  }

  @Test
  void notFoundDecodesItsErrorInfo() {
    UserTokensException error =
        UserTokensException.from(failure(Code.NOT_FOUND, errorInfo("NOT_FOUND", "404")));
    assertInstanceOf(NotFoundException.class, error);
    assertEquals("NOT_FOUND", error.getReason());
    assertEquals(Map.of("http_status", "404"), error.getErrorMetadata());
    assertEquals("it failed", error.getStatusMessage());
    assertTrue(error.getRetryDelay().isEmpty());
  }

  @Test
  void rateLimitedCarriesItsDelayAndTheRateLimitHeaders() {
    Any retry = Any.pack(RetryInfo.newBuilder()
        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(30).setNanos(500_000_000))
        .build());
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-ratelimit-remaining", Metadata.ASCII_STRING_MARSHALLER), "0");
    UserTokensException error = UserTokensException.from(
        failure(Code.RESOURCE_EXHAUSTED, errorInfo("RATE_LIMITED", "429"), retry), headers);
    assertInstanceOf(RateLimitedException.class, error);
    assertEquals(Duration.ofMillis(30_500), error.getRetryDelay().orElseThrow());
    assertEquals(0L, error.getRateLimit().remaining().getAsLong());
    assertTrue(error.getRateLimit().limit().isEmpty());
    assertEquals(429, error.getHttpStatus());
  }

  @Test
  void invalidArgumentListsItsFieldViolations() {
    Any bad = Any.pack(BadRequest.newBuilder().addFieldViolations(
        BadRequest.FieldViolation.newBuilder().setField("token_id").setDescription("bad")).build());
    UserTokensException error = UserTokensException.from(failure(Code.INVALID_ARGUMENT, bad));
    assertInstanceOf(InvalidArgumentException.class, error);
    assertEquals("token_id", error.getFieldViolations().get(0).getField());
  }

  @Test
  void eachCodeTheServiceReturnsHasItsFamilyAndOthersTheBaseClass() {
    Map<Code, Class<?>> families = Map.ofEntries(
        Map.entry(Code.INVALID_ARGUMENT, InvalidArgumentException.class),
        Map.entry(Code.FAILED_PRECONDITION, FailedPreconditionException.class),
        Map.entry(Code.UNAUTHENTICATED, UnauthenticatedException.class),
        Map.entry(Code.PERMISSION_DENIED, PermissionDeniedException.class),
        Map.entry(Code.NOT_FOUND, NotFoundException.class),
        Map.entry(Code.ALREADY_EXISTS, AlreadyExistsException.class),
        Map.entry(Code.RESOURCE_EXHAUSTED, RateLimitedException.class),
        Map.entry(Code.UNAVAILABLE, UnavailableException.class),
        Map.entry(Code.DEADLINE_EXCEEDED, DeadlineExceededException.class),
        Map.entry(Code.CANCELLED, CancelledException.class),
        Map.entry(Code.INTERNAL, InternalException.class),
        Map.entry(Code.UNIMPLEMENTED, UnimplementedException.class),
        Map.entry(Code.UNKNOWN, UnknownException.class));
    for (Code code : Code.values()) {
      if (code == Code.OK || code == Code.UNRECOGNIZED) {
        continue;
      }
      assertEquals(families.getOrDefault(code, UserTokensException.class),
          UserTokensException.from(failure(code)).getClass(), code.toString());
    }
  }

  @Test
  void vercelRequestIdComesFromHeadersElseErrorInfo() {
    Any info = Any.pack(ErrorInfo.newBuilder().setReason("NOT_FOUND")
        .putMetadata("vercel_request_id", "fra1::from-info").build());
    assertEquals("fra1::from-info",
        UserTokensException.from(failure(Code.NOT_FOUND, info)).getVercelRequestId());
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-vercel-id", Metadata.ASCII_STRING_MARSHALLER), "iad1::hdr");
    assertEquals("iad1::hdr",
        UserTokensException.from(failure(Code.NOT_FOUND, info), headers).getVercelRequestId());
    assertEquals("", UserTokensException.from(failure(Code.UNAVAILABLE)).getVercelRequestId());
  }
}
