// Lists, creates, gets and deletes a Vercel user token through the
// vercel-user-tokens service, then shows what a caller gets for a token that
// does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
//
//   cd client/java && mvn -B install && cd example && mvn -B package
//   VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \
//     java -cp "target/classes:$(cat target/classpath.txt)" Example
//
// Reads are retried when the server says how long to wait (RetryInfo),
// within the 10 s deadline. Exits 1, with the error's details on stderr,
// when a step that should work fails.

import com.google.rpc.BadRequest;
import io.github.vercelusertokens.authentication.v1.AuthToken;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensResponse;
import io.github.vercelusertokens.client.RetryPolicy;
import io.github.vercelusertokens.client.UserTokensClient;
import io.github.vercelusertokens.client.UserTokensException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

public final class Example {
  // Prints what a failed call carries: its status and decoded details.
  static void describe(UserTokensException error, PrintStream out) {
    out.printf("  code: %s (%d)%n", error.getCode(), error.getCode().value());
    out.printf("  message: %s%n", error.getStatusMessage());
    error.getErrorInfo().ifPresent(info -> {
      out.printf("  error_info: reason=%s domain=%s%n", info.getReason(), info.getDomain());
      for (Map.Entry<String, String> entry : new TreeMap<>(info.getMetadataMap()).entrySet()) {
        out.printf("  error_info.metadata: %s=%s%n", entry.getKey(), entry.getValue());
      }
    });
    out.println(error.getRetryDelay()
        .map(delay -> "  retry_info: retry after "
            + BigDecimal.valueOf(delay.toNanos(), 9).stripTrailingZeros().toPlainString() + "s")
        .orElse("  retry_info: none"));
    for (BadRequest.FieldViolation violation : error.getFieldViolations()) {
      out.printf("  bad_request: %s: %s%n", violation.getField(), violation.getDescription());
    }
  }

  interface Call {
    void run();
  }

  // Runs a call that is expected to fail and prints its error on stdout.
  static void showFailure(String what, Call call) {
    try {
      call.run();
    } catch (UserTokensException error) {
      System.out.println(what + " failed:");
      describe(error, System.out);
      return;
    }
    throw new IllegalStateException(what + " unexpectedly succeeded");
  }

  public static void main(String[] args) {
    String step = "ListAuthTokens";
    // TLS with the system's roots (see rootCertificates, clientCertificate),
    // or plaintext, as inside a cluster, when VUT_PLAINTEXT=1.
    UserTokensClient.Builder builder = UserTokensClient.builder(System.getenv("VUT_ADDRESS"));
    if ("1".equals(System.getenv("VUT_PLAINTEXT"))) {
      builder.plaintext();
    }
    try (UserTokensClient client = builder
        .token(System.getenv("VERCEL_TOKEN"))
        .defaultDeadline(Duration.ofSeconds(10))
        .retry(RetryPolicy.defaults())
        .build()) {
      ListAuthTokensResponse listed =
          client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
      System.out.printf("listed %d token(s): %s%n", listed.getTokensCount(),
          listed.getTokensList().stream().map(AuthToken::getName).collect(Collectors.joining(", ")));

      step = "CreateAuthToken";
      CreateAuthTokenResponse created = client.createAuthToken(CreateAuthTokenRequest.newBuilder()
          .setTeamId(System.getenv("VERCEL_TEAM_ID")).setName("example-java").build());
      String id = created.getToken().getId();
      // created.getBearerToken() is the new token's secret: Vercel returns it
      // only this once, so store it safely (never log it).
      System.out.printf("created token %s named %s%n", id, created.getToken().getName());

      step = "GetAuthToken";
      AuthToken got =
          client.getAuthToken(GetAuthTokenRequest.newBuilder().setTokenId(id).build()).getToken();
      System.out.printf("got token %s named %s, prefix %s%n",
          got.getId(), got.getName(), got.getPrefix());

      step = "DeleteAuthToken";
      String deleted = client
          .deleteAuthToken(DeleteAuthTokenRequest.newBuilder().setTokenId(id).build()).getTokenId();
      System.out.printf("deleted token %s%n", deleted);

      showFailure("getting the deleted token",
          () -> client.getAuthToken(GetAuthTokenRequest.newBuilder().setTokenId(id).build()));
      showFailure("getting token id \"../x\"",
          () -> client.getAuthToken(GetAuthTokenRequest.newBuilder().setTokenId("../x").build()));
    } catch (UserTokensException error) {
      System.err.println(step + " failed:");
      describe(error, System.err);
      System.exit(1);
    }
  }
}
