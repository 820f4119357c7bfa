// client/java's side of the scenario list (client/SPEC.md, section 9):
// `java -cp ... Scenarios NAME` runs scenario NAME against the server at
// $VUT_ADDRESS and prints one JSON line per case; sdk_scenario_checks.py sets
// the fake up and asserts the lines.

import io.github.vercelusertokens.authentication.v1.AuthToken;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRequest;
import io.github.vercelusertokens.authentication.v1.UserTokensServiceGrpc;
import io.github.vercelusertokens.client.CallOptions;
import io.github.vercelusertokens.client.ResponseMetadata;
import io.github.vercelusertokens.client.RetryPolicy;
import io.github.vercelusertokens.client.TokenProviders;
import io.github.vercelusertokens.client.UserTokensAsyncClient;
import io.github.vercelusertokens.client.UserTokensClient;
import io.github.vercelusertokens.client.UserTokensException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

public final class Scenarios {
  private static final String ADDRESS = System.getenv("VUT_ADDRESS");
  private static final String TOKEN = System.getenv("VERCEL_TOKEN");
  private static final String MISSING_ID = "0".repeat(64);

  private Scenarios() {}

  // --- A JSON line per case (strings, numbers, null, lists and maps). ---

  private static String json(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof Map) {
      List<String> fields = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        fields.add(json(e.getKey().toString()) + ":" + json(e.getValue()));
      }
      return "{" + String.join(",", fields) + "}";
    }
    if (value instanceof List) {
      List<String> items = new ArrayList<>();
      for (Object item : (List<?>) value) {
        items.add(json(item));
      }
      return "[" + String.join(",", items) + "]";
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toString().toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static void emit(String name, Object... keyValues) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("case", name);
    for (int i = 0; i < keyValues.length; i += 2) {
      line.put((String) keyValues[i], keyValues[i + 1]);
    }
    System.out.println(json(line));
    System.out.flush();
  }

  private static void errorLine(String name, UserTokensException e, long elapsedMs) {
    List<String> fields = new ArrayList<>();
    e.getFieldViolations().forEach(v -> fields.add(v.getField()));
    emit(name, "family", e.getClass().getSimpleName(), "code", e.getCode().name(),
        "reason", e.getReason(),
        "domain", e.getErrorInfo().map(i -> i.getDomain()).orElse(""),
        "http_status", e.getHttpStatus() == 0 ? null : e.getHttpStatus(),
        "retry_delay_ms", e.getRetryDelay().map(Duration::toMillis).orElse(null),
        "field_violations", fields, "vercel_request_id", e.getVercelRequestId(),
        "rate_limit_remaining",
        e.getRateLimit().remaining().isPresent() ? e.getRateLimit().remaining().getAsLong() : null,
        "elapsed_ms", elapsedMs);
  }

  private static void expectError(String name, Runnable call) {
    long start = System.nanoTime();
    try {
      call.run();
    } catch (UserTokensException e) {
      errorLine(name, e, (System.nanoTime() - start) / 1_000_000);
      return;
    }
    throw new AssertionError(name + ": no error");
  }

  private static UserTokensClient.Builder client() {
    return UserTokensClient.builder(ADDRESS).plaintext();
  }

  private static GetAuthTokenRequest get(String id) {
    return GetAuthTokenRequest.newBuilder().setTokenId(id).build();
  }

  private static void fakeWait(String what) throws Exception {
    URL url = new URL(System.getenv("VUT_FAKE_URL") + "/_fake/" + what + "?count=1");
    try (InputStream in = url.openStream()) {
      in.readAllBytes();
    }
  }

  // --- The scenarios. ---

  static void errors() {
    Duration five = Duration.ofSeconds(5);
    try (UserTokensClient c = client().token(TOKEN).defaultDeadline(five).build();
        UserTokensClient anonymous = client().defaultDeadline(five).build()) {
      expectError("not_found", () -> c.getAuthToken(get(MISSING_ID)));
      expectError("invalid_argument", () -> c.getAuthToken(get("../x")));
      expectError("unauthenticated", () -> anonymous.getAuthToken(get("current")));
      String[][] cases = {{"permission_denied", "forbidden"}, {"rate_limited", "limited"},
          {"unavailable", "unavailable"}, {"internal", "internal"},
          {"unimplemented", "unimplemented"}, {"deadline_exceeded", "timeout"},
          {"failed_precondition", "teapot"}, {"already_exists", "conflict"}};
      for (String[] pair : cases) {
        expectError(pair[0], () -> c.getAuthToken(get(pair[1])));
      }
    }
    Map<String, Object> families = new LinkedHashMap<>();
    for (Status.Code code : Status.Code.values()) {
      if (code != Status.Code.OK) {
        families.put(String.valueOf(code.value()), UserTokensException.from(
            new StatusRuntimeException(Status.fromCode(code))).getClass().getSimpleName());
      }
    }
    emit("families", "families", families);
  }

  static void tlsDefault() {
    try (UserTokensClient tls = UserTokensClient.builder(ADDRESS).token(TOKEN)
        .defaultDeadline(Duration.ofSeconds(5)).build()) {
      expectError("tls_default",
          () -> tls.listAuthTokens(ListAuthTokensRequest.getDefaultInstance()));
    }
    try (UserTokensClient c = client().token(TOKEN).build()) {
      emit("plaintext", "tokens",
          c.listAuthTokens(ListAuthTokensRequest.getDefaultInstance()).getTokensCount());
    }
    emit("default_deadline", "seconds", UserTokensClient.DEFAULT_DEADLINE.getSeconds());
  }

  static void retries() {
    Duration five = Duration.ofSeconds(5);
    try (UserTokensClient off = client().token(TOKEN).defaultDeadline(five).build()) {
      expectError("retries_off",
          () -> off.listAuthTokens(ListAuthTokensRequest.getDefaultInstance()));
    }
    try (UserTokensClient on = client().token(TOKEN).defaultDeadline(five)
        .retry(RetryPolicy.defaults()).build()) {
      long start = System.nanoTime();
      int tokens = on.listAuthTokens(ListAuthTokensRequest.getDefaultInstance()).getTokensCount();
      emit("retries_on", "tokens", tokens, "elapsed_ms", (System.nanoTime() - start) / 1_000_000);
      expectError("retry_beyond_deadline", () -> on.getAuthToken(get("limited")));
    }
  }

  static void perCall() throws Exception {
    try (UserTokensClient anonymous = client().build()) {
      emit("per_call_metadata", "tokens", anonymous.listAuthTokens(
          ListAuthTokensRequest.getDefaultInstance(),
          CallOptions.create().metadata(Map.of("authorization", "Bearer " + TOKEN)))
          .getTokensCount());
    }
    try (UserTokensClient c = client().token(TOKEN).build()) {
      expectError("per_call_deadline", () -> c.getAuthToken(get("held"),
          CallOptions.create().deadline(Duration.ofSeconds(1))));
      // Cancelled through the io.grpc.Context the call runs in.
      Context.CancellableContext context = Context.current().withCancellation();
      AtomicReference<UserTokensException> failure = new AtomicReference<>();
      Thread caller = new Thread(() -> context.run(() -> {
        try {
          c.getAuthToken(get("held"));
        } catch (UserTokensException e) {
          failure.set(e);
        }
      }));
      caller.start();
      fakeWait("wait_aborted");
      fakeWait("wait_held");
      context.cancel(null);
      caller.join(TimeUnit.SECONDS.toMillis(30));
      emit("cancelled", "family", failure.get().getClass().getSimpleName());
    }
  }

  static void successMetadata() {
    try (UserTokensClient c = client().token(TOKEN).build()) {
      ResponseMetadata md = new ResponseMetadata();
      c.listAuthTokens(ListAuthTokensRequest.getDefaultInstance(),
          CallOptions.create().responseMetadata(md));
      emit("success_metadata", "vercel_request_id", md.vercelRequestId(),
          "rate_limit_remaining", md.rateLimit().remaining().isPresent()
              ? md.rateLimit().remaining().getAsLong() : null,
          "rate_limit_reset", md.rateLimit().reset().isPresent()
              ? md.rateLimit().reset().getAsLong() : null);
    }
  }

  static void pager() {
    try (UserTokensClient c = client().token(TOKEN).build()) {
      List<Object> pages = new ArrayList<>();
      for (ListAuthTokensRawResponse page : c.listAuthTokensRawPages(
          ListAuthTokensRawRequest.newBuilder().setLimit(2).build())) {
        List<Object> names = new ArrayList<>();
        for (AuthToken token : page.getTokensList()) {
          names.add(token.getName());
        }
        pages.add(names);
      }
      emit("pager", "pages", pages);
    }
  }

  static void requestId() {
    try (UserTokensClient c = client().token(TOKEN).retry(RetryPolicy.defaults()).build()) {
      CreateAuthTokenRequest request =
          CreateAuthTokenRequest.newBuilder().setName("request-id-auto").build();
      CreateAuthTokenResponse created = c.createAuthToken(request);
      c.createAuthToken(CreateAuthTokenRequest.newBuilder().setName("request-id-own")
          .setRequestId(System.getenv("OWN_REQUEST_ID")).build());
      emit("request_id", "token_id", created.getToken().getId(),
          "request_id_after", request.getRequestId());
    }
  }

  private static void replaceFile(Path path, String text) throws Exception {
    Path fresh = path.resolveSibling(path.getFileName() + ".new");
    Files.writeString(fresh, text);
    Files.move(fresh, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void credentialProvider() throws Exception {
    AtomicReference<String> current = new AtomicReference<>(TOKEN);
    Path tokenFile = Path.of(System.getenv("TOKEN_FILE"));
    try (UserTokensClient byProvider = client().tokenProvider(current::get).build();
        UserTokensClient byFile = client().tokenProvider(TokenProviders.file(tokenFile)).build()) {
      String seedId = byProvider.getAuthToken(get("current")).getToken().getId();
      CreateAuthTokenResponse created = byProvider.createAuthToken(
          CreateAuthTokenRequest.newBuilder().setName("provider").build());
      List<Object> fileIds = new ArrayList<>();
      fileIds.add(byFile.getAuthToken(get("current")).getToken().getId());
      replaceFile(tokenFile, created.getBearerToken() + "\n");
      fileIds.add(byFile.getAuthToken(get("current")).getToken().getId());
      current.set(created.getBearerToken());
      List<Object> providerIds = List.of(seedId,
          byProvider.getAuthToken(get("current")).getToken().getId());
      emit("credential_provider", "seed_id", seedId, "created_id", created.getToken().getId(),
          "provider_ids", providerIds, "file_ids", fileIds);
    }
    try (UserTokensClient unreadable = client()
        .tokenProvider(TokenProviders.file(tokenFile.resolveSibling("missing"))).build()) {
      expectError("credentials_unavailable", () -> unreadable.getAuthToken(get("unsent")));
    }
  }

  private static final Context.Key<String> WORKLOAD = Context.key("x-workload-token");

  static void workloadToken() throws Exception {
    Path path = Path.of(System.getenv("WORK_DIR"), "workload-token");
    Files.writeString(path, "workload-one\n");
    Metadata.Key<String> header =
        Metadata.Key.of("x-workload-token", Metadata.ASCII_STRING_MARSHALLER);
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        String value = headers.get(header);
        return Contexts.interceptCall(
            Context.current().withValue(WORKLOAD, value == null ? "" : value), call, headers, next);
      }
    };
    UserTokensServiceGrpc.UserTokensServiceImplBase echo =
        new UserTokensServiceGrpc.UserTokensServiceImplBase() {
          @Override
          public void getAuthToken(GetAuthTokenRequest request,
              StreamObserver<GetAuthTokenResponse> response) {
            response.onNext(GetAuthTokenResponse.newBuilder().setToken(AuthToken.newBuilder()
                .setId(request.getTokenId()).setName(WORKLOAD.get())).build());
            response.onCompleted();
          }
        };
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(echo, capture)).build().start();
    try (UserTokensClient c = UserTokensClient.builder("127.0.0.1:" + server.getPort())
        .plaintext().workloadTokenFile(path).build()) {
      List<Object> seen = new ArrayList<>();
      seen.add(c.getAuthToken(get("current")).getToken().getName());
      seen.add(c.getAuthToken(get("current")).getToken().getName());
      replaceFile(path, "workload-two\n");
      seen.add(c.getAuthToken(get("current")).getToken().getName());
      emit("workload_token", "seen", seen);
    } finally {
      server.shutdownNow();
    }
  }

  static void async() throws Exception {
    try (UserTokensClient c = client().token(TOKEN).build()) {
      UserTokensAsyncClient async = c.async();
      int tokens = async.listAuthTokens(ListAuthTokensRequest.getDefaultInstance(),
          CallOptions.create()).get(30, TimeUnit.SECONDS).getTokensCount();
      CompletableFuture<GetAuthTokenResponse> held =
          async.getAuthToken(get("held"), CallOptions.create());
      fakeWait("wait_held");
      held.cancel(true);
      String outcome;
      try {
        held.get();
        outcome = "completed";
      } catch (CancellationException e) {
        outcome = "cancelled";
      }
      emit("async", "tokens", tokens, "outcome", outcome);
    }
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "errors": errors(); break;
      case "tls_default": tlsDefault(); break;
      case "retries": retries(); break;
      case "per_call": perCall(); break;
      case "success_metadata": successMetadata(); break;
      case "pager": pager(); break;
      case "request_id": requestId(); break;
      case "credential_provider": credentialProvider(); break;
      case "workload_token": workloadToken(); break;
      case "async": async(); break;
      default: throw new IllegalArgumentException("no scenario " + args[0]);
    }
  }
}
