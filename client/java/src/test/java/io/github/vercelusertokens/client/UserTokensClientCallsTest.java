package io.github.vercelusertokens.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.github.vercelusertokens.authentication.v1.AuthToken;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensResponse;
import io.github.vercelusertokens.authentication.v1.Pagination;
import io.github.vercelusertokens.authentication.v1.UserTokensServiceGrpc;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real (plaintext, port 0) gRPC server with a scripted service. */
class UserTokensClientCallsTest {
  private static final String UUID_V4 =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  private static final Metadata.Key<String> VERCEL_ID =
      Metadata.Key.of("x-vercel-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> REMAINING =
      Metadata.Key.of("x-ratelimit-remaining", Metadata.ASCII_STRING_MARSHALLER);

  /** Every call's request headers, in order. */
  private final List<Metadata> seen = new CopyOnWriteArrayList<>();
  private final List<String> requestIds = new CopyOnWriteArrayList<>();
  private final List<String> untils = new CopyOnWriteArrayList<>();
  private final AtomicInteger createFailures = new AtomicInteger();
  private final CountDownLatch deleteStarted = new CountDownLatch(1);
  private final CountDownLatch deleteCancelled = new CountDownLatch(1);
  private Server server;

  private final UserTokensServiceGrpc.UserTokensServiceImplBase service =
      new UserTokensServiceGrpc.UserTokensServiceImplBase() {
        @Override
        public void listAuthTokens(ListAuthTokensRequest request,
            StreamObserver<ListAuthTokensResponse> response) {
          response.onNext(ListAuthTokensResponse.newBuilder()
              .addTokens(AuthToken.newBuilder().setId("tok_1")).build());
          response.onCompleted();
        }

        @Override
        public void listAuthTokensRaw(ListAuthTokensRawRequest request,
            StreamObserver<ListAuthTokensRawResponse> response) {
          untils.add(request.getUntil());
          int page = untils.size();
          ListAuthTokensRawResponse.Builder out = ListAuthTokensRawResponse.newBuilder()
              .addTokens(AuthToken.newBuilder().setId("tok_" + page));
          if (page < 3) {
            out.setPagination(Pagination.newBuilder().setNextCursor("c" + page));
          }
          response.onNext(out.build());
          response.onCompleted();
        }

        @Override
        public void createAuthToken(CreateAuthTokenRequest request,
            StreamObserver<CreateAuthTokenResponse> response) {
          requestIds.add(request.getRequestId());
          if (createFailures.getAndDecrement() > 0) {
            response.onError(StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder().setCode(Code.UNAVAILABLE.getNumber())
                    .setMessage("Vercel API error 503")
                    .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
                        com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
                        .build()))
                    .build()));
            return;
          }
          response.onNext(CreateAuthTokenResponse.newBuilder().setBearerToken("secret").build());
          response.onCompleted();
        }

        @Override
        public void deleteAuthToken(DeleteAuthTokenRequest request,
            StreamObserver<DeleteAuthTokenResponse> response) {
          Context.current().addListener(c -> deleteCancelled.countDown(), Runnable::run);
          deleteStarted.countDown();
        }
      };

  @BeforeEach
  void start() throws Exception {
    ServerInterceptor record = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call,
          Metadata headers, ServerCallHandler<Q, A> next) {
        seen.add(headers);
        return next.startCall(new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(VERCEL_ID, "fra1::req-1");
            responseHeaders.put(REMAINING, "86");
            super.sendHeaders(responseHeaders);
          }
        }, headers);
      }
    };
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(io.grpc.ServerInterceptors.intercept(service, record)).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private UserTokensClient.Builder builder() {
    return UserTokensClient.builder("localhost:" + server.getPort()).plaintext();
  }

  private String header(int call, String key) {
    return seen.get(call).get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
  }

  @Test
  void defaultsAreTlsThirtySecondsAndNoRetries() {
    assertEquals(Duration.ofSeconds(30), UserTokensClient.DEFAULT_DEADLINE);
    createFailures.set(1);
    try (UserTokensClient tls = UserTokensClient.builder("localhost:" + server.getPort())
        .defaultDeadline(Duration.ofSeconds(5)).build()) {
      assertThrows(UnavailableException.class,
          () -> tls.listAuthTokens(ListAuthTokensRequest.getDefaultInstance()));
    }
    try (UserTokensClient plain = builder().build()) {
      assertThrows(UnavailableException.class, () -> plain.createAuthToken(
          CreateAuthTokenRequest.newBuilder().setName("ci").build()));
    }
    assertEquals(1, requestIds.size());
  }

  @Test
  void createRetriesWithOneUuidRequestIdAndKeepsTheCallersOwn() {
    createFailures.set(1);
    CreateAuthTokenRequest request = CreateAuthTokenRequest.newBuilder().setName("ci").build();
    try (UserTokensClient client = builder().retry(RetryPolicy.defaults()).build()) {
      Instant start = Instant.now();
      assertEquals("secret", client.createAuthToken(request).getBearerToken());
      assertTrue(Duration.between(start, Instant.now()).toMillis() >= 300);
      client.createAuthToken(request.toBuilder().setRequestId("mine").build());
    }
    assertEquals(3, requestIds.size());
    assertTrue(requestIds.get(0).matches(UUID_V4), requestIds.get(0));
    assertEquals(requestIds.get(0), requestIds.get(1));
    assertEquals("mine", requestIds.get(2));
    assertEquals("", request.getRequestId());
  }

  @Test
  void perCallMetadataReplacesTheClientsAuthorizationAndResponseMetadataIsFilled() {
    ResponseMetadata md = new ResponseMetadata();
    try (UserTokensClient client = builder().token("client-token").build()) {
      client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
      client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance(), CallOptions.create()
          .deadline(Duration.ofSeconds(2))
          .metadata(Map.of("authorization", "Bearer per-call", "x-trace", "t1"))
          .responseMetadata(md));
    }
    assertEquals("Bearer client-token", header(0, "authorization"));
    assertEquals("Bearer per-call", header(1, "authorization"));
    assertEquals("t1", header(1, "x-trace"));
    assertEquals("fra1::req-1", md.vercelRequestId());
    assertEquals(86L, md.rateLimit().remaining().getAsLong());
    assertTrue(md.rateLimit().reset().isEmpty());
  }

  @Test
  void pagerFollowsTheNextCursorToTheEnd() {
    List<String> ids = new ArrayList<>();
    try (UserTokensClient client = builder().build()) {
      for (ListAuthTokensRawResponse page :
          client.listAuthTokensRawPages(ListAuthTokensRawRequest.newBuilder().setLimit(2).build())) {
        ids.add(page.getTokens(0).getId());
      }
    }
    assertEquals(List.of("tok_1", "tok_2", "tok_3"), ids);
    assertEquals(List.of("", "c1", "c2"), untils);
  }

  @Test
  void tokenProviderIsAskedOnEveryCallAndItsFailureSendsNothing() {
    AtomicInteger n = new AtomicInteger();
    try (UserTokensClient client =
        builder().tokenProvider(() -> "token-" + n.incrementAndGet()).build()) {
      client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
      client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
    }
    assertEquals("Bearer token-1", header(0, "authorization"));
    assertEquals("Bearer token-2", header(1, "authorization"));

    Supplier<String> broken = () -> {
      throw new IllegalStateException("vault is down");
    };
    try (UserTokensClient client = builder().tokenProvider(broken).build()) {
      UnauthenticatedException e = assertThrows(UnauthenticatedException.class,
          () -> client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance()));
      assertEquals("CREDENTIALS_UNAVAILABLE", e.getReason());
      assertEquals("vercel-user-tokens-client", e.getErrorInfo().orElseThrow().getDomain());
    }
    assertEquals(2, seen.size());
  }

  @Test
  void workloadTokenFileIsSentOnEveryCallAndRereadWhenReplaced(@TempDir Path folder)
      throws Exception {
    Path file = folder.resolve("token");
    Files.writeString(file, "jwt-one\n");
    try (UserTokensClient client = builder().workloadTokenFile(file).build()) {
      client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
      Path next = folder.resolve("token.next");
      Files.writeString(next, "jwt-rotated\n");
      Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
    }
    assertEquals("jwt-one", header(0, "x-workload-token"));
    assertEquals("jwt-rotated", header(1, "x-workload-token"));
  }

  @Test
  void asyncClientListsAndCancellingTheFutureCancelsTheCall() throws Exception {
    try (UserTokensClient client = builder().build()) {
      UserTokensAsyncClient async = client.async();
      assertEquals("tok_1", async.listAuthTokens(ListAuthTokensRequest.getDefaultInstance(),
          CallOptions.create()).get(10, TimeUnit.SECONDS).getTokens(0).getId());
      CompletableFuture<DeleteAuthTokenResponse> held = async.deleteAuthToken(
          DeleteAuthTokenRequest.newBuilder().setTokenId("tok_1").build(), CallOptions.create());
      assertTrue(deleteStarted.await(10, TimeUnit.SECONDS));
      assertTrue(held.cancel(true));
      assertTrue(deleteCancelled.await(10, TimeUnit.SECONDS));
      assertTrue(held.isCancelled());
    }
  }

  @Test
  void asyncCreateRetriesOnAScheduledWaitWithOneRequestIdAndFillsResponseMetadata()
      throws Exception {
    createFailures.set(1);
    List<String> attemptThreads = new CopyOnWriteArrayList<>();
    ResponseMetadata md = new ResponseMetadata();
    CreateAuthTokenRequest request = CreateAuthTokenRequest.newBuilder().setName("ci").build();
    try (UserTokensClient client = builder().retry(RetryPolicy.defaults()).tokenProvider(() -> {
      attemptThreads.add(Thread.currentThread().getName());
      return "t";
    }).build()) {
      Instant start = Instant.now();
      CompletableFuture<CreateAuthTokenResponse> created =
          client.async().createAuthToken(request, CallOptions.create().responseMetadata(md));
      assertEquals("secret", created.get(10, TimeUnit.SECONDS).getBearerToken());
      // RetryInfo asked for 300 ms.
      assertTrue(Duration.between(start, Instant.now()).toMillis() >= 300);
    }
    assertEquals(2, requestIds.size());
    assertTrue(requestIds.get(0).matches(UUID_V4), requestIds.get(0));
    assertEquals(requestIds.get(0), requestIds.get(1));
    assertEquals("", request.getRequestId());
    // The first attempt starts on the caller's thread, the retry on the timer's: no thread
    // slept through the wait.
    assertEquals(List.of(Thread.currentThread().getName(), "vercel-user-tokens-retry"),
        attemptThreads);
    assertEquals("fra1::req-1", md.vercelRequestId());
    assertEquals(86L, md.rateLimit().remaining().getAsLong());
  }

  @Test
  void asyncRetryInfoBeyondTheDeadlineFailsAtOnceWithTheFamilyAndItsDetails() throws Exception {
    createFailures.set(1);
    try (UserTokensClient client = builder().retry(RetryPolicy.defaults()).build()) {
      CompletableFuture<CreateAuthTokenResponse> created = client.async().createAuthToken(
          CreateAuthTokenRequest.newBuilder().setName("ci").build(),
          CallOptions.create().deadline(Duration.ofMillis(250)));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> created.get(10, TimeUnit.SECONDS));
      UnavailableException error = assertInstanceOf(UnavailableException.class, e.getCause());
      assertEquals(Duration.ofMillis(300), error.getRetryDelay().orElseThrow());
    }
    assertEquals(1, requestIds.size());
  }

  @Test
  void asyncCallOfACancelledContextFailsWithCancelled() throws Exception {
    try (UserTokensClient client = builder().build()) {
      Context.CancellableContext context = Context.current().withCancellation();
      CompletableFuture<DeleteAuthTokenResponse> held = context.call(() -> client.async()
          .deleteAuthToken(DeleteAuthTokenRequest.newBuilder().setTokenId("tok_1").build(),
              CallOptions.create()));
      assertTrue(deleteStarted.await(10, TimeUnit.SECONDS));
      context.cancel(null);
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> held.get(10, TimeUnit.SECONDS));
      assertInstanceOf(CancelledException.class, e.getCause());
      assertTrue(deleteCancelled.await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void perCallDeadlineEndsAHeldCallEarly() {
    try (UserTokensClient client = builder().build()) {
      Instant start = Instant.now();
      UserTokensException e = assertThrows(UserTokensException.class,
          () -> client.deleteAuthToken(DeleteAuthTokenRequest.newBuilder().setTokenId("x").build(),
              CallOptions.create().deadline(Duration.ofSeconds(1))));
      assertInstanceOf(DeadlineExceededException.class, e);
      assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(10)) < 0);
    }
  }

  @Test
  void closeNeedsNoCheckedException() {
    UserTokensClient client = builder().build();
    client.close();
    assertTrue(client.channel().isShutdown());
    assertFalse(Thread.currentThread().isInterrupted());
  }
}
