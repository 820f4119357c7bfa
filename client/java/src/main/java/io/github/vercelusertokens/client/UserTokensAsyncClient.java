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
import io.github.vercelusertokens.authentication.v1.VerifyTokenRequest;
import io.github.vercelusertokens.authentication.v1.VerifyTokenResponse;
import io.grpc.Context;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The calls of a {@link UserTokensClient}, each returning a {@link CompletableFuture} that
 * completes with the response or with the client's {@link UserTokensException} subclass.
 * Cancelling a future cancels its call (its gRPC call stops, and the service stops the upstream
 * request). Each call runs the blocking client's logic (credentials, retries, request ids) on a
 * thread of a pool the parent client owns and shuts down on close. Thread-safe; made by
 * {@link UserTokensClient#async()}.
 */
public final class UserTokensAsyncClient {
  private final UserTokensClient client;
  private final Supplier<Executor> executor;

  UserTokensAsyncClient(UserTokensClient client, Supplier<Executor> executor) {
    this.client = client;
    this.executor = executor;
  }

  private <T> CompletableFuture<T> submit(Supplier<T> call) {
    Context.CancellableContext context = Context.current().withCancellation();
    CompletableFuture<T> future = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        context.cancel(new CancellationException("the future was cancelled"));
        return cancelled;
      }
    };
    executor.get().execute(() -> {
      try {
        future.complete(context.call(call::get));
      } catch (Throwable t) {
        future.completeExceptionally(t);
      } finally {
        context.cancel(null);
      }
    });
    return future;
  }

  /** See {@link UserTokensClient#getAuthToken(GetAuthTokenRequest, CallOptions)}. */
  public CompletableFuture<GetAuthTokenResponse> getAuthToken(GetAuthTokenRequest request,
      CallOptions options) {
    return submit(() -> client.getAuthToken(request, options));
  }

  /** See {@link UserTokensClient#listAuthTokens(ListAuthTokensRequest, CallOptions)}. */
  public CompletableFuture<ListAuthTokensResponse> listAuthTokens(ListAuthTokensRequest request,
      CallOptions options) {
    return submit(() -> client.listAuthTokens(request, options));
  }

  /** See {@link UserTokensClient#listAuthTokensRaw(ListAuthTokensRawRequest, CallOptions)}. */
  public CompletableFuture<ListAuthTokensRawResponse> listAuthTokensRaw(
      ListAuthTokensRawRequest request, CallOptions options) {
    return submit(() -> client.listAuthTokensRaw(request, options));
  }

  /** See {@link UserTokensClient#createAuthToken(CreateAuthTokenRequest, CallOptions)}. */
  public CompletableFuture<CreateAuthTokenResponse> createAuthToken(
      CreateAuthTokenRequest request, CallOptions options) {
    return submit(() -> client.createAuthToken(request, options));
  }

  /** See {@link UserTokensClient#deleteAuthToken(DeleteAuthTokenRequest, CallOptions)}. */
  public CompletableFuture<DeleteAuthTokenResponse> deleteAuthToken(
      DeleteAuthTokenRequest request, CallOptions options) {
    return submit(() -> client.deleteAuthToken(request, options));
  }

  /** See {@link UserTokensClient#emailLogin(EmailLoginRequest, CallOptions)}. */
  public CompletableFuture<EmailLoginResponse> emailLogin(EmailLoginRequest request,
      CallOptions options) {
    return submit(() -> client.emailLogin(request, options));
  }

  /** See {@link UserTokensClient#verifyToken(VerifyTokenRequest, CallOptions)}. */
  public CompletableFuture<VerifyTokenResponse> verifyToken(VerifyTokenRequest request,
      CallOptions options) {
    return submit(() -> client.verifyToken(request, options));
  }
}
