package io.github.vercelusertokens.client;

import io.github.vercelusertokens.authentication.v1.CreateAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.EmailLoginRequest;
import io.github.vercelusertokens.authentication.v1.EmailLoginResponse;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensResponse;
import io.github.vercelusertokens.authentication.v1.UserTokensServiceGrpc;
import io.github.vercelusertokens.authentication.v1.VerifyTokenRequest;
import io.github.vercelusertokens.authentication.v1.VerifyTokenResponse;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The calls of a {@link UserTokensClient}, each returning a {@link CompletableFuture} that
 * completes with the response or with the client's {@link UserTokensException} subclass, on
 * grpc-java's non-blocking calls: no thread waits for a response or a retry. It follows the
 * parent client's credentials, deadline, retry policy and request ids (client/SPEC.md §2, §5);
 * a retry is scheduled after its wait on one daemon timer thread shared by every client
 * ({@code vercel-user-tokens-retry}, which only starts attempts), never slept on a thread; the
 * first attempt's credentials are read on the calling thread, a retry's on the timer thread.
 *
 * <p>Cancelling a future ({@code cancel(true)} or {@code cancel(false)}) cancels its gRPC call
 * (the service then stops the upstream request) and any retry not yet sent; the future is then
 * cancelled, as {@link CompletableFuture#cancel} says. Cancelling the {@code io.grpc.Context}
 * the method was called in cancels the call too, which then fails with
 * {@link CancelledException}.
 *
 * <p>Thread-safe. Made by {@link UserTokensClient#async()}; it uses the parent's channel and
 * stops working when the parent is closed.
 */
public final class UserTokensAsyncClient {
  // Starts the retries of every async client: a retry never waits on a thread of its own.
  private static final class RetryTimer {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "vercel-user-tokens-retry");
        t.setDaemon(true);
        return t;
      });
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }
  }

  private final UserTokensClient client;

  UserTokensAsyncClient(UserTokensClient client) {
    this.client = client;
  }

  /** See {@link UserTokensClient#getAuthToken(GetAuthTokenRequest, CallOptions)}. */
  public CompletableFuture<GetAuthTokenResponse> getAuthToken(GetAuthTokenRequest request,
      CallOptions options) {
    return call(UserTokensServiceGrpc.getGetAuthTokenMethod(), request, options, true);
  }

  /** See {@link UserTokensClient#listAuthTokens(ListAuthTokensRequest, CallOptions)}. */
  public CompletableFuture<ListAuthTokensResponse> listAuthTokens(ListAuthTokensRequest request,
      CallOptions options) {
    return call(UserTokensServiceGrpc.getListAuthTokensMethod(), request, options, true);
  }

  /** See {@link UserTokensClient#listAuthTokensRaw(ListAuthTokensRawRequest, CallOptions)}. */
  public CompletableFuture<ListAuthTokensRawResponse> listAuthTokensRaw(
      ListAuthTokensRawRequest request, CallOptions options) {
    return call(UserTokensServiceGrpc.getListAuthTokensRawMethod(), request, options, true);
  }

  /**
   * See {@link UserTokensClient#createAuthToken(CreateAuthTokenRequest, CallOptions)}: an empty
   * {@code request_id} is filled with a fresh UUID v4, the same on every retry.
   */
  public CompletableFuture<CreateAuthTokenResponse> createAuthToken(
      CreateAuthTokenRequest request, CallOptions options) {
    CreateAuthTokenRequest sent = request.getRequestId().isEmpty()
        ? request.toBuilder().setRequestId(UUID.randomUUID().toString()).build()
        : request;
    return call(UserTokensServiceGrpc.getCreateAuthTokenMethod(), sent, options, true);
  }

  /** See {@link UserTokensClient#deleteAuthToken(DeleteAuthTokenRequest, CallOptions)}. */
  public CompletableFuture<DeleteAuthTokenResponse> deleteAuthToken(
      DeleteAuthTokenRequest request, CallOptions options) {
    return call(UserTokensServiceGrpc.getDeleteAuthTokenMethod(), request, options, false);
  }

  /** See {@link UserTokensClient#emailLogin(EmailLoginRequest, CallOptions)}. */
  public CompletableFuture<EmailLoginResponse> emailLogin(EmailLoginRequest request,
      CallOptions options) {
    return call(UserTokensServiceGrpc.getEmailLoginMethod(), request, options, false);
  }

  /** See {@link UserTokensClient#verifyToken(VerifyTokenRequest, CallOptions)}. */
  public CompletableFuture<VerifyTokenResponse> verifyToken(VerifyTokenRequest request,
      CallOptions options) {
    return call(UserTokensServiceGrpc.getVerifyTokenMethod(), request, options, false);
  }

  private <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request,
      CallOptions options, boolean retryable) {
    AsyncCall<Q, R> call = new AsyncCall<>(method, request, options, retryable);
    call.attempt(1);
    return call.future;
  }

  /** One call, its attempts one after another; the future is its outcome. */
  private final class AsyncCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private final Q request;
    private final CallOptions options;
    private final boolean retryable;
    private final Deadline deadline;
    // The caller's context: every attempt runs in it, so that cancelling it cancels the call.
    private final Context context = Context.current();
    // The attempt in flight (or the last one); cancelled with the future.
    private final AtomicReference<ClientCall<Q, R>> current = new AtomicReference<>();
    final CompletableFuture<R> future = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        cancelAttempt();
        return cancelled;
      }
    };

    AsyncCall(MethodDescriptor<Q, R> method, Q request, CallOptions options, boolean retryable) {
      this.method = method;
      this.request = request;
      this.options = options;
      this.retryable = retryable;
      this.deadline = client.deadlineOf(options);
    }

    private void cancelAttempt() {
      ClientCall<Q, R> call = current.get();
      if (call != null) {
        call.cancel("the caller cancelled the future", null);
      }
    }

    void attempt(int attempt) {
      if (future.isDone()) {
        return;
      }
      Metadata headers;
      try {
        headers = client.headers(options);
      } catch (UserTokensException error) {
        future.completeExceptionally(error);
        return;
      }
      Context previous = context.attach();
      try {
        ClientCall<Q, R> call = client.channel().newCall(method,
            io.grpc.CallOptions.DEFAULT.withDeadline(deadline));
        call.start(new Listener(attempt), headers);
        call.request(2);
        call.sendMessage(request);
        call.halfClose();
        current.set(call);
      } finally {
        context.detach(previous);
      }
      // A cancel between the check above and current.set() found no call to cancel.
      if (future.isCancelled()) {
        cancelAttempt();
      }
    }

    private void retryOrFail(UserTokensException error, int attempt) {
      Duration wait = retryable ? client.retryPolicy().delayAfter(error, attempt) : null;
      if (wait == null || future.isCancelled() || context.isCancelled()
          || wait.toNanos() >= deadline.timeRemaining(TimeUnit.NANOSECONDS)) {
        future.completeExceptionally(error);
        return;
      }
      RetryTimer.INSTANCE.schedule(() -> attempt(attempt + 1), wait.toNanos(),
          TimeUnit.NANOSECONDS);
    }

    /** Receives one attempt's outcome on a gRPC thread; never blocks. */
    private final class Listener extends ClientCall.Listener<R> {
      private final int attempt;
      private Metadata headers;
      private R response;

      Listener(int attempt) {
        this.attempt = attempt;
      }

      @Override
      public void onHeaders(Metadata received) {
        headers = received;
      }

      @Override
      public void onMessage(R message) {
        response = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (options.responseMetadata() != null) {
          options.responseMetadata().fill(headers, trailers);
        }
        if (status.isOk() && response != null) {
          future.complete(response);
          return;
        }
        Status failed = status.isOk()
            ? Status.INTERNAL.withDescription("the server sent no response") : status;
        retryOrFail(UserTokensException.from(failed.asRuntimeException(trailers), headers),
            attempt);
      }
    }
  }
}
