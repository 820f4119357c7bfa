package io.github.vercelusertokens.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static UserTokensException failure(Code code, Long retrySeconds) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber());
    if (retrySeconds != null) {
      status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
          com.google.protobuf.Duration.newBuilder().setSeconds(retrySeconds)).build()));
    }
    return UserTokensException.from(StatusProto.toStatusRuntimeException(status.build()));
  }

  private final RetryPolicy policy = RetryPolicy.defaults();

  @Test
  void rateLimitedWaitsTheRetryInfoDelay() {
    assertEquals(Duration.ofSeconds(1), policy.delayAfter(failure(Code.RESOURCE_EXHAUSTED, 1L), 1));
  }

  @Test
  void unavailableWaitsTheRetryInfoDelay() {
    assertEquals(Duration.ofSeconds(2), policy.delayAfter(failure(Code.UNAVAILABLE, 2L), 1));
  }

  @Test
  void withoutRetryInfoBacksOffExponentiallyWithJitter() {
    assertEquals(Duration.ofMillis(200), policy.backoff(1, 1.0));
    assertEquals(Duration.ofMillis(200), policy.backoff(2, 0.5));
    assertEquals(Duration.ofMillis(800), policy.backoff(3, 1.0));
    for (Code code : new Code[] {Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED}) {
      Duration wait = policy.delayAfter(failure(code, null), 1);
      assertTrue(wait.compareTo(Duration.ofMillis(100)) >= 0, wait.toString());
      assertTrue(wait.compareTo(Duration.ofMillis(200)) < 0, wait.toString());
    }
  }

  @Test
  void stopsAfterMaxAttemptsAndOnOtherCodes() {
    assertNull(policy.delayAfter(failure(Code.UNAVAILABLE, 1L), 3));
    assertNull(policy.withMaxAttempts(1).delayAfter(failure(Code.UNAVAILABLE, 1L), 1));
    assertNull(policy.delayAfter(failure(Code.NOT_FOUND, null), 1));
  }
}
