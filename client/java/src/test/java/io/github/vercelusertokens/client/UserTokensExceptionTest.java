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
    assertEquals("0", error.getRateLimit().remaining());
    assertNull(error.getRateLimit().limit());
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
  void eachFamilyHasItsClassAndOthersTheBaseClass() {
    assertInstanceOf(UnauthenticatedException.class,
        UserTokensException.from(failure(Code.UNAUTHENTICATED)));
    assertInstanceOf(PermissionDeniedException.class,
        UserTokensException.from(failure(Code.PERMISSION_DENIED)));
    assertEquals(UserTokensException.class,
        UserTokensException.from(failure(Code.INTERNAL)).getClass());
  }
}
