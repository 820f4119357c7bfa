package com.vercel.authentication.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Issues, inspects, lists and revokes Vercel user tokens, and runs Vercel's
 * email-login flow, by calling the Vercel REST API (https://api.vercel.com).
 * Authenticated methods forward the caller's Vercel token, sent as gRPC
 * metadata `authorization: Bearer &lt;token&gt;`, to Vercel. EmailLogin and
 * VerifyToken never send a token upstream. Errors carry google.rpc.Status
 * details: an ErrorInfo (reason, domain, metadata `http_status` and
 * `vercel_code`) and, when Vercel says how long to wait, a RetryInfo.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: vercel/authentication/v1/user_tokens.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class UserTokensServiceGrpc {

  private UserTokensServiceGrpc() {}

  public static final String SERVICE_NAME = "vercel.authentication.v1.UserTokensService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.GetAuthTokenRequest,
      com.vercel.authentication.v1.GetAuthTokenResponse> getGetAuthTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetAuthToken",
      requestType = com.vercel.authentication.v1.GetAuthTokenRequest.class,
      responseType = com.vercel.authentication.v1.GetAuthTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.GetAuthTokenRequest,
      com.vercel.authentication.v1.GetAuthTokenResponse> getGetAuthTokenMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.GetAuthTokenRequest, com.vercel.authentication.v1.GetAuthTokenResponse> getGetAuthTokenMethod;
    if ((getGetAuthTokenMethod = UserTokensServiceGrpc.getGetAuthTokenMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getGetAuthTokenMethod = UserTokensServiceGrpc.getGetAuthTokenMethod) == null) {
          UserTokensServiceGrpc.getGetAuthTokenMethod = getGetAuthTokenMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.GetAuthTokenRequest, com.vercel.authentication.v1.GetAuthTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetAuthToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.GetAuthTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.GetAuthTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("GetAuthToken"))
              .build();
        }
      }
    }
    return getGetAuthTokenMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.ListAuthTokensRequest,
      com.vercel.authentication.v1.ListAuthTokensResponse> getListAuthTokensMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListAuthTokens",
      requestType = com.vercel.authentication.v1.ListAuthTokensRequest.class,
      responseType = com.vercel.authentication.v1.ListAuthTokensResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.ListAuthTokensRequest,
      com.vercel.authentication.v1.ListAuthTokensResponse> getListAuthTokensMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.ListAuthTokensRequest, com.vercel.authentication.v1.ListAuthTokensResponse> getListAuthTokensMethod;
    if ((getListAuthTokensMethod = UserTokensServiceGrpc.getListAuthTokensMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getListAuthTokensMethod = UserTokensServiceGrpc.getListAuthTokensMethod) == null) {
          UserTokensServiceGrpc.getListAuthTokensMethod = getListAuthTokensMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.ListAuthTokensRequest, com.vercel.authentication.v1.ListAuthTokensResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListAuthTokens"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.ListAuthTokensRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.ListAuthTokensResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("ListAuthTokens"))
              .build();
        }
      }
    }
    return getListAuthTokensMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.CreateAuthTokenRequest,
      com.vercel.authentication.v1.CreateAuthTokenResponse> getCreateAuthTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateAuthToken",
      requestType = com.vercel.authentication.v1.CreateAuthTokenRequest.class,
      responseType = com.vercel.authentication.v1.CreateAuthTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.CreateAuthTokenRequest,
      com.vercel.authentication.v1.CreateAuthTokenResponse> getCreateAuthTokenMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.CreateAuthTokenRequest, com.vercel.authentication.v1.CreateAuthTokenResponse> getCreateAuthTokenMethod;
    if ((getCreateAuthTokenMethod = UserTokensServiceGrpc.getCreateAuthTokenMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getCreateAuthTokenMethod = UserTokensServiceGrpc.getCreateAuthTokenMethod) == null) {
          UserTokensServiceGrpc.getCreateAuthTokenMethod = getCreateAuthTokenMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.CreateAuthTokenRequest, com.vercel.authentication.v1.CreateAuthTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateAuthToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.CreateAuthTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.CreateAuthTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("CreateAuthToken"))
              .build();
        }
      }
    }
    return getCreateAuthTokenMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.DeleteAuthTokenRequest,
      com.vercel.authentication.v1.DeleteAuthTokenResponse> getDeleteAuthTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteAuthToken",
      requestType = com.vercel.authentication.v1.DeleteAuthTokenRequest.class,
      responseType = com.vercel.authentication.v1.DeleteAuthTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.DeleteAuthTokenRequest,
      com.vercel.authentication.v1.DeleteAuthTokenResponse> getDeleteAuthTokenMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.DeleteAuthTokenRequest, com.vercel.authentication.v1.DeleteAuthTokenResponse> getDeleteAuthTokenMethod;
    if ((getDeleteAuthTokenMethod = UserTokensServiceGrpc.getDeleteAuthTokenMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getDeleteAuthTokenMethod = UserTokensServiceGrpc.getDeleteAuthTokenMethod) == null) {
          UserTokensServiceGrpc.getDeleteAuthTokenMethod = getDeleteAuthTokenMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.DeleteAuthTokenRequest, com.vercel.authentication.v1.DeleteAuthTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteAuthToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.DeleteAuthTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.DeleteAuthTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("DeleteAuthToken"))
              .build();
        }
      }
    }
    return getDeleteAuthTokenMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.ListAuthTokensRawRequest,
      com.vercel.authentication.v1.ListAuthTokensRawResponse> getListAuthTokensRawMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListAuthTokensRaw",
      requestType = com.vercel.authentication.v1.ListAuthTokensRawRequest.class,
      responseType = com.vercel.authentication.v1.ListAuthTokensRawResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.ListAuthTokensRawRequest,
      com.vercel.authentication.v1.ListAuthTokensRawResponse> getListAuthTokensRawMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.ListAuthTokensRawRequest, com.vercel.authentication.v1.ListAuthTokensRawResponse> getListAuthTokensRawMethod;
    if ((getListAuthTokensRawMethod = UserTokensServiceGrpc.getListAuthTokensRawMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getListAuthTokensRawMethod = UserTokensServiceGrpc.getListAuthTokensRawMethod) == null) {
          UserTokensServiceGrpc.getListAuthTokensRawMethod = getListAuthTokensRawMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.ListAuthTokensRawRequest, com.vercel.authentication.v1.ListAuthTokensRawResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListAuthTokensRaw"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.ListAuthTokensRawRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.ListAuthTokensRawResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("ListAuthTokensRaw"))
              .build();
        }
      }
    }
    return getListAuthTokensRawMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.EmailLoginRequest,
      com.vercel.authentication.v1.EmailLoginResponse> getEmailLoginMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EmailLogin",
      requestType = com.vercel.authentication.v1.EmailLoginRequest.class,
      responseType = com.vercel.authentication.v1.EmailLoginResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.EmailLoginRequest,
      com.vercel.authentication.v1.EmailLoginResponse> getEmailLoginMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.EmailLoginRequest, com.vercel.authentication.v1.EmailLoginResponse> getEmailLoginMethod;
    if ((getEmailLoginMethod = UserTokensServiceGrpc.getEmailLoginMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getEmailLoginMethod = UserTokensServiceGrpc.getEmailLoginMethod) == null) {
          UserTokensServiceGrpc.getEmailLoginMethod = getEmailLoginMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.EmailLoginRequest, com.vercel.authentication.v1.EmailLoginResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EmailLogin"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.EmailLoginRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.EmailLoginResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("EmailLogin"))
              .build();
        }
      }
    }
    return getEmailLoginMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.vercel.authentication.v1.VerifyTokenRequest,
      com.vercel.authentication.v1.VerifyTokenResponse> getVerifyTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "VerifyToken",
      requestType = com.vercel.authentication.v1.VerifyTokenRequest.class,
      responseType = com.vercel.authentication.v1.VerifyTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.vercel.authentication.v1.VerifyTokenRequest,
      com.vercel.authentication.v1.VerifyTokenResponse> getVerifyTokenMethod() {
    io.grpc.MethodDescriptor<com.vercel.authentication.v1.VerifyTokenRequest, com.vercel.authentication.v1.VerifyTokenResponse> getVerifyTokenMethod;
    if ((getVerifyTokenMethod = UserTokensServiceGrpc.getVerifyTokenMethod) == null) {
      synchronized (UserTokensServiceGrpc.class) {
        if ((getVerifyTokenMethod = UserTokensServiceGrpc.getVerifyTokenMethod) == null) {
          UserTokensServiceGrpc.getVerifyTokenMethod = getVerifyTokenMethod =
              io.grpc.MethodDescriptor.<com.vercel.authentication.v1.VerifyTokenRequest, com.vercel.authentication.v1.VerifyTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "VerifyToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.VerifyTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.vercel.authentication.v1.VerifyTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserTokensServiceMethodDescriptorSupplier("VerifyToken"))
              .build();
        }
      }
    }
    return getVerifyTokenMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static UserTokensServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<UserTokensServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<UserTokensServiceStub>() {
        @java.lang.Override
        public UserTokensServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new UserTokensServiceStub(channel, callOptions);
        }
      };
    return UserTokensServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static UserTokensServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<UserTokensServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<UserTokensServiceBlockingStub>() {
        @java.lang.Override
        public UserTokensServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new UserTokensServiceBlockingStub(channel, callOptions);
        }
      };
    return UserTokensServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static UserTokensServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<UserTokensServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<UserTokensServiceFutureStub>() {
        @java.lang.Override
        public UserTokensServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new UserTokensServiceFutureStub(channel, callOptions);
        }
      };
    return UserTokensServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Issues, inspects, lists and revokes Vercel user tokens, and runs Vercel's
   * email-login flow, by calling the Vercel REST API (https://api.vercel.com).
   * Authenticated methods forward the caller's Vercel token, sent as gRPC
   * metadata `authorization: Bearer &lt;token&gt;`, to Vercel. EmailLogin and
   * VerifyToken never send a token upstream. Errors carry google.rpc.Status
   * details: an ErrorInfo (reason, domain, metadata `http_status` and
   * `vercel_code`) and, when Vercel says how long to wait, a RetryInfo.
   * </pre>
   */
  public static abstract class UserTokensServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     * </pre>
     */
    public void getAuthToken(com.vercel.authentication.v1.GetAuthTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.GetAuthTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetAuthTokenMethod(), responseObserver);
    }

    /**
     * <pre>
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     * </pre>
     */
    public void listAuthTokens(com.vercel.authentication.v1.ListAuthTokensRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.ListAuthTokensResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListAuthTokensMethod(), responseObserver);
    }

    /**
     * <pre>
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     * </pre>
     */
    public void createAuthToken(com.vercel.authentication.v1.CreateAuthTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.CreateAuthTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateAuthTokenMethod(), responseObserver);
    }

    /**
     * <pre>
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     * </pre>
     */
    public void deleteAuthToken(com.vercel.authentication.v1.DeleteAuthTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.DeleteAuthTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteAuthTokenMethod(), responseObserver);
    }

    /**
     * <pre>
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     * </pre>
     */
    public void listAuthTokensRaw(com.vercel.authentication.v1.ListAuthTokensRawRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.ListAuthTokensRawResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListAuthTokensRawMethod(), responseObserver);
    }

    /**
     * <pre>
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     * </pre>
     */
    public void emailLogin(com.vercel.authentication.v1.EmailLoginRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.EmailLoginResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEmailLoginMethod(), responseObserver);
    }

    /**
     * <pre>
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     * </pre>
     */
    public void verifyToken(com.vercel.authentication.v1.VerifyTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.VerifyTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getVerifyTokenMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getGetAuthTokenMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.GetAuthTokenRequest,
                com.vercel.authentication.v1.GetAuthTokenResponse>(
                  this, METHODID_GET_AUTH_TOKEN)))
          .addMethod(
            getListAuthTokensMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.ListAuthTokensRequest,
                com.vercel.authentication.v1.ListAuthTokensResponse>(
                  this, METHODID_LIST_AUTH_TOKENS)))
          .addMethod(
            getCreateAuthTokenMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.CreateAuthTokenRequest,
                com.vercel.authentication.v1.CreateAuthTokenResponse>(
                  this, METHODID_CREATE_AUTH_TOKEN)))
          .addMethod(
            getDeleteAuthTokenMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.DeleteAuthTokenRequest,
                com.vercel.authentication.v1.DeleteAuthTokenResponse>(
                  this, METHODID_DELETE_AUTH_TOKEN)))
          .addMethod(
            getListAuthTokensRawMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.ListAuthTokensRawRequest,
                com.vercel.authentication.v1.ListAuthTokensRawResponse>(
                  this, METHODID_LIST_AUTH_TOKENS_RAW)))
          .addMethod(
            getEmailLoginMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.EmailLoginRequest,
                com.vercel.authentication.v1.EmailLoginResponse>(
                  this, METHODID_EMAIL_LOGIN)))
          .addMethod(
            getVerifyTokenMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.vercel.authentication.v1.VerifyTokenRequest,
                com.vercel.authentication.v1.VerifyTokenResponse>(
                  this, METHODID_VERIFY_TOKEN)))
          .build();
    }
  }

  /**
   * <pre>
   * Issues, inspects, lists and revokes Vercel user tokens, and runs Vercel's
   * email-login flow, by calling the Vercel REST API (https://api.vercel.com).
   * Authenticated methods forward the caller's Vercel token, sent as gRPC
   * metadata `authorization: Bearer &lt;token&gt;`, to Vercel. EmailLogin and
   * VerifyToken never send a token upstream. Errors carry google.rpc.Status
   * details: an ErrorInfo (reason, domain, metadata `http_status` and
   * `vercel_code`) and, when Vercel says how long to wait, a RetryInfo.
   * </pre>
   */
  public static final class UserTokensServiceStub extends io.grpc.stub.AbstractAsyncStub<UserTokensServiceStub> {
    private UserTokensServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected UserTokensServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new UserTokensServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     * </pre>
     */
    public void getAuthToken(com.vercel.authentication.v1.GetAuthTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.GetAuthTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetAuthTokenMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     * </pre>
     */
    public void listAuthTokens(com.vercel.authentication.v1.ListAuthTokensRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.ListAuthTokensResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListAuthTokensMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     * </pre>
     */
    public void createAuthToken(com.vercel.authentication.v1.CreateAuthTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.CreateAuthTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateAuthTokenMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     * </pre>
     */
    public void deleteAuthToken(com.vercel.authentication.v1.DeleteAuthTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.DeleteAuthTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteAuthTokenMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     * </pre>
     */
    public void listAuthTokensRaw(com.vercel.authentication.v1.ListAuthTokensRawRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.ListAuthTokensRawResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListAuthTokensRawMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     * </pre>
     */
    public void emailLogin(com.vercel.authentication.v1.EmailLoginRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.EmailLoginResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEmailLoginMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     * </pre>
     */
    public void verifyToken(com.vercel.authentication.v1.VerifyTokenRequest request,
        io.grpc.stub.StreamObserver<com.vercel.authentication.v1.VerifyTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getVerifyTokenMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * Issues, inspects, lists and revokes Vercel user tokens, and runs Vercel's
   * email-login flow, by calling the Vercel REST API (https://api.vercel.com).
   * Authenticated methods forward the caller's Vercel token, sent as gRPC
   * metadata `authorization: Bearer &lt;token&gt;`, to Vercel. EmailLogin and
   * VerifyToken never send a token upstream. Errors carry google.rpc.Status
   * details: an ErrorInfo (reason, domain, metadata `http_status` and
   * `vercel_code`) and, when Vercel says how long to wait, a RetryInfo.
   * </pre>
   */
  public static final class UserTokensServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<UserTokensServiceBlockingStub> {
    private UserTokensServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected UserTokensServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new UserTokensServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     * </pre>
     */
    public com.vercel.authentication.v1.GetAuthTokenResponse getAuthToken(com.vercel.authentication.v1.GetAuthTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetAuthTokenMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     * </pre>
     */
    public com.vercel.authentication.v1.ListAuthTokensResponse listAuthTokens(com.vercel.authentication.v1.ListAuthTokensRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListAuthTokensMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     * </pre>
     */
    public com.vercel.authentication.v1.CreateAuthTokenResponse createAuthToken(com.vercel.authentication.v1.CreateAuthTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateAuthTokenMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     * </pre>
     */
    public com.vercel.authentication.v1.DeleteAuthTokenResponse deleteAuthToken(com.vercel.authentication.v1.DeleteAuthTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteAuthTokenMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     * </pre>
     */
    public com.vercel.authentication.v1.ListAuthTokensRawResponse listAuthTokensRaw(com.vercel.authentication.v1.ListAuthTokensRawRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListAuthTokensRawMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     * </pre>
     */
    public com.vercel.authentication.v1.EmailLoginResponse emailLogin(com.vercel.authentication.v1.EmailLoginRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEmailLoginMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     * </pre>
     */
    public com.vercel.authentication.v1.VerifyTokenResponse verifyToken(com.vercel.authentication.v1.VerifyTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getVerifyTokenMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * Issues, inspects, lists and revokes Vercel user tokens, and runs Vercel's
   * email-login flow, by calling the Vercel REST API (https://api.vercel.com).
   * Authenticated methods forward the caller's Vercel token, sent as gRPC
   * metadata `authorization: Bearer &lt;token&gt;`, to Vercel. EmailLogin and
   * VerifyToken never send a token upstream. Errors carry google.rpc.Status
   * details: an ErrorInfo (reason, domain, metadata `http_status` and
   * `vercel_code`) and, when Vercel says how long to wait, a RetryInfo.
   * </pre>
   */
  public static final class UserTokensServiceFutureStub extends io.grpc.stub.AbstractFutureStub<UserTokensServiceFutureStub> {
    private UserTokensServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected UserTokensServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new UserTokensServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.GetAuthTokenResponse> getAuthToken(
        com.vercel.authentication.v1.GetAuthTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetAuthTokenMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.ListAuthTokensResponse> listAuthTokens(
        com.vercel.authentication.v1.ListAuthTokensRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListAuthTokensMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.CreateAuthTokenResponse> createAuthToken(
        com.vercel.authentication.v1.CreateAuthTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateAuthTokenMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.DeleteAuthTokenResponse> deleteAuthToken(
        com.vercel.authentication.v1.DeleteAuthTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteAuthTokenMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.ListAuthTokensRawResponse> listAuthTokensRaw(
        com.vercel.authentication.v1.ListAuthTokensRawRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListAuthTokensRawMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.EmailLoginResponse> emailLogin(
        com.vercel.authentication.v1.EmailLoginRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEmailLoginMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.vercel.authentication.v1.VerifyTokenResponse> verifyToken(
        com.vercel.authentication.v1.VerifyTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getVerifyTokenMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_AUTH_TOKEN = 0;
  private static final int METHODID_LIST_AUTH_TOKENS = 1;
  private static final int METHODID_CREATE_AUTH_TOKEN = 2;
  private static final int METHODID_DELETE_AUTH_TOKEN = 3;
  private static final int METHODID_LIST_AUTH_TOKENS_RAW = 4;
  private static final int METHODID_EMAIL_LOGIN = 5;
  private static final int METHODID_VERIFY_TOKEN = 6;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final UserTokensServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(UserTokensServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_GET_AUTH_TOKEN:
          serviceImpl.getAuthToken((com.vercel.authentication.v1.GetAuthTokenRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.GetAuthTokenResponse>) responseObserver);
          break;
        case METHODID_LIST_AUTH_TOKENS:
          serviceImpl.listAuthTokens((com.vercel.authentication.v1.ListAuthTokensRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.ListAuthTokensResponse>) responseObserver);
          break;
        case METHODID_CREATE_AUTH_TOKEN:
          serviceImpl.createAuthToken((com.vercel.authentication.v1.CreateAuthTokenRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.CreateAuthTokenResponse>) responseObserver);
          break;
        case METHODID_DELETE_AUTH_TOKEN:
          serviceImpl.deleteAuthToken((com.vercel.authentication.v1.DeleteAuthTokenRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.DeleteAuthTokenResponse>) responseObserver);
          break;
        case METHODID_LIST_AUTH_TOKENS_RAW:
          serviceImpl.listAuthTokensRaw((com.vercel.authentication.v1.ListAuthTokensRawRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.ListAuthTokensRawResponse>) responseObserver);
          break;
        case METHODID_EMAIL_LOGIN:
          serviceImpl.emailLogin((com.vercel.authentication.v1.EmailLoginRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.EmailLoginResponse>) responseObserver);
          break;
        case METHODID_VERIFY_TOKEN:
          serviceImpl.verifyToken((com.vercel.authentication.v1.VerifyTokenRequest) request,
              (io.grpc.stub.StreamObserver<com.vercel.authentication.v1.VerifyTokenResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class UserTokensServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    UserTokensServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.vercel.authentication.v1.UserTokensProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("UserTokensService");
    }
  }

  private static final class UserTokensServiceFileDescriptorSupplier
      extends UserTokensServiceBaseDescriptorSupplier {
    UserTokensServiceFileDescriptorSupplier() {}
  }

  private static final class UserTokensServiceMethodDescriptorSupplier
      extends UserTokensServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    UserTokensServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (UserTokensServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new UserTokensServiceFileDescriptorSupplier())
              .addMethod(getGetAuthTokenMethod())
              .addMethod(getListAuthTokensMethod())
              .addMethod(getCreateAuthTokenMethod())
              .addMethod(getDeleteAuthTokenMethod())
              .addMethod(getListAuthTokensRawMethod())
              .addMethod(getEmailLoginMethod())
              .addMethod(getVerifyTokenMethod())
              .build();
        }
      }
    }
    return result;
  }
}
