// Lists, creates, gets and deletes a Vercel user token through the
// vercel-user-tokens service, then shows what a caller gets for a token that
// does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
//
//   VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \
//     java -cp <the client and its runtime> Example.java
//
// Exits 1, with the error's details on stderr, when a step that should work
// fails.

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.vercel.authentication.v1.AuthToken;
import com.vercel.authentication.v1.CreateAuthTokenRequest;
import com.vercel.authentication.v1.CreateAuthTokenResponse;
import com.vercel.authentication.v1.DeleteAuthTokenRequest;
import com.vercel.authentication.v1.GetAuthTokenRequest;
import com.vercel.authentication.v1.ListAuthTokensRequest;
import com.vercel.authentication.v1.ListAuthTokensResponse;
import com.vercel.authentication.v1.UserTokensServiceGrpc;
import com.vercel.authentication.v1.UserTokensServiceGrpc.UserTokensServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

public final class Example {
  private static final long DEADLINE_S = 10;

  // Prints what a failed call carries: its status and google.rpc details.
  static void describe(StatusRuntimeException error, PrintStream out)
      throws InvalidProtocolBufferException {
    out.printf("  code: %s (%d)%n", error.getStatus().getCode(),
        error.getStatus().getCode().value());
    out.printf("  message: %s%n", error.getStatus().getDescription());
    // The google.rpc.Status in the grpc-status-details-bin trailer; null
    // when there is none (e.g. a deadline that expired in the client).
    com.google.rpc.Status status = StatusProto.fromThrowable(error);
    ErrorInfo info = null;
    RetryInfo retry = null;
    BadRequest badRequest = BadRequest.getDefaultInstance();
    for (Any detail : status == null ? List.<Any>of() : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        info = detail.unpack(ErrorInfo.class);
      } else if (detail.is(RetryInfo.class)) {
        retry = detail.unpack(RetryInfo.class);
      } else if (detail.is(BadRequest.class)) {
        badRequest = detail.unpack(BadRequest.class);
      }
    }
    if (info != null) {
      out.printf("  error_info: reason=%s domain=%s%n", info.getReason(), info.getDomain());
      for (Map.Entry<String, String> entry : new TreeMap<>(info.getMetadataMap()).entrySet()) {
        out.printf("  error_info.metadata: %s=%s%n", entry.getKey(), entry.getValue());
      }
    }
    if (retry == null) {
      out.println("  retry_info: none");
    } else {
      Duration delay = retry.getRetryDelay();
      BigDecimal seconds = BigDecimal.valueOf(delay.getSeconds())
          .add(BigDecimal.valueOf(delay.getNanos(), 9)).stripTrailingZeros();
      out.printf("  retry_info: retry after %ss%n", seconds.toPlainString());
    }
    for (BadRequest.FieldViolation violation : badRequest.getFieldViolationsList()) {
      out.printf("  bad_request: %s: %s%n", violation.getField(), violation.getDescription());
    }
  }

  interface Call {
    void run();
  }

  // Runs a call that is expected to fail and prints its error on stdout.
  static void showFailure(String what, Call call) throws InvalidProtocolBufferException {
    try {
      call.run();
    } catch (StatusRuntimeException error) {
      System.out.println(what + " failed:");
      describe(error, System.out);
      return;
    }
    throw new IllegalStateException(what + " unexpectedly succeeded");
  }

  public static void main(String[] args) throws Exception {
    // Plaintext, as inside a cluster; behind TLS use useTransportSecurity().
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(System.getenv("VUT_ADDRESS")).usePlaintext().build();
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + System.getenv("VERCEL_TOKEN"));
    UserTokensServiceBlockingStub base = UserTokensServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
    // Each call gets its own deadline, counted from when it starts.
    Supplier<UserTokensServiceBlockingStub> stub =
        () -> base.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    String step = "ListAuthTokens";
    try {
      ListAuthTokensResponse listed =
          stub.get().listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
      System.out.printf("listed %d token(s): %s%n", listed.getTokensCount(),
          listed.getTokensList().stream().map(AuthToken::getName).collect(Collectors.joining(", ")));

      step = "CreateAuthToken";
      CreateAuthTokenResponse created = stub.get().createAuthToken(CreateAuthTokenRequest.newBuilder()
          .setTeamId(System.getenv("VERCEL_TEAM_ID")).setName("example-java").build());
      String id = created.getToken().getId();
      // created.getBearerToken() is the new token's secret: Vercel returns it
      // only this once, so store it safely (never log it).
      System.out.printf("created token %s named %s%n", id, created.getToken().getName());

      step = "GetAuthToken";
      AuthToken got = stub.get()
          .getAuthToken(GetAuthTokenRequest.newBuilder().setTokenId(id).build()).getToken();
      System.out.printf("got token %s named %s%n", got.getId(), got.getName());

      step = "DeleteAuthToken";
      String deleted = stub.get()
          .deleteAuthToken(DeleteAuthTokenRequest.newBuilder().setTokenId(id).build()).getTokenId();
      System.out.printf("deleted token %s%n", deleted);

      showFailure("getting the deleted token",
          () -> stub.get().getAuthToken(GetAuthTokenRequest.newBuilder().setTokenId(id).build()));
      showFailure("getting token id \"../x\"",
          () -> stub.get().getAuthToken(GetAuthTokenRequest.newBuilder().setTokenId("../x").build()));
    } catch (StatusRuntimeException error) {
      System.err.println(step + " failed:");
      describe(error, System.err);
      System.exit(1);
    } finally {
      channel.shutdownNow().awaitTermination(DEADLINE_S, TimeUnit.SECONDS);
    }
  }
}
