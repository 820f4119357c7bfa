# frozen_string_literal: true

require 'grpc'
require 'securerandom'
require 'vercel/authentication/v1/user_tokens_pb'
require 'vercel/authentication/v1/user_tokens_services_pb'
require 'vercel_user_tokens/cancellation'
require 'vercel_user_tokens/errors'
require 'vercel_user_tokens/token_file'

# The client of the vercel-user-tokens service; see Client.
module VercelUserTokens
  # Seconds a call may take, retries included, unless the client or the
  # call says otherwise.
  DEFAULT_DEADLINE = 30

  # The ErrorInfo domain of errors the client raises itself (a credential it
  # cannot read).
  CLIENT_DOMAIN = 'vercel-user-tokens-client'

  # When Client calls get_auth_token, list_auth_tokens, list_auth_tokens_raw
  # or create_auth_token (safe: its request_id is fixed before the first
  # attempt) again after RESOURCE_EXHAUSTED or UNAVAILABLE: after the error's
  # RetryInfo delay when it has one, else after
  # initial_backoff * 2**(attempt - 1) * rand(0.5...1.0) seconds; at most
  # max_attempts attempts in all, and never when the wait would end at or
  # after the call's deadline. delete_auth_token, email_login and
  # verify_token are never retried.
  RetryPolicy = Struct.new(:max_attempts, :initial_backoff, keyword_init: true) do
    def initialize(max_attempts: 3, initial_backoff: 0.2)
      raise ArgumentError, 'max_attempts must be at least 1' if max_attempts < 1

      super
    end

    # Seconds to wait before attempt + 1 after `error` failed `attempt`
    # (1-based), or nil when it is not retried.
    def delay_after(error, attempt, jitter: rand(0.5...1.0))
      return nil if attempt >= max_attempts

      case error.code
      when GRPC::Core::StatusCodes::RESOURCE_EXHAUSTED, GRPC::Core::StatusCodes::UNAVAILABLE
        error.retry_delay || (initial_backoff * (2**(attempt - 1)) * jitter)
      end
    end
  end

  # A client of the vercel-user-tokens service (client/SPEC.md).
  #
  #   client = VercelUserTokens::Client.new('tokens.internal:50051',
  #                                         token: ENV.fetch('VERCEL_TOKEN'), retry: true)
  #   client.list_auth_tokens.tokens.each { |t| puts t.name }
  #
  # Every call carries the caller's Vercel token (a fixed one, or the
  # token_provider's current one), the workload token when
  # workload_token_file is set, and a deadline (DEFAULT_DEADLINE seconds
  # unless set, retries included), and raises a VercelUserTokens::Error
  # subclass. A request is a Vercel::Authentication::V1 message, a Hash of
  # its fields, or those fields as keywords (`get_auth_token(token_id: id)`).
  # Each method also takes the per-call keywords deadline:, metadata:,
  # response_metadata: and cancellation: (a Cancellation, whose #cancel from
  # another thread raises CancelledError in the call). Blocking; thread-safe.
  class Client
    V1 = Vercel::Authentication::V1
    DEFAULT_DEADLINE = VercelUserTokens::DEFAULT_DEADLINE

    # target: "host:port", or a gRPC name such as
    #   "dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051".
    # token: the caller's Vercel token; without one (and without a provider)
    #   the server's own is used. token_provider: a callable asked before every
    #   attempt for the current token (e.g. VercelUserTokens.token_file(path));
    #   when it raises, the call fails with UnauthenticatedError, reason
    #   CREDENTIALS_UNAVAILABLE, before anything is sent.
    # workload_token_file: a file (a projected ServiceAccount token) whose
    #   contents go as metadata x-workload-token on every call.
    # plaintext (or its older name insecure): no TLS. Else TLS, with PEM
    #   contents: root_ca (instead of the default roots), client_cert and
    #   client_key (mutual TLS), server_name_override (the name in the
    #   server's certificate).
    # deadline: seconds per call. retry (or retry_policy): a RetryPolicy, true
    #   for the defaults, or nil (never). load_balancing_policy: e.g.
    #   "round_robin". channel_args: further gRPC channel arguments.
    def initialize(target, token: nil, token_provider: nil, workload_token_file: nil,
                   plaintext: false, insecure: false, root_ca: nil, client_cert: nil,
                   client_key: nil, server_name_override: nil, deadline: DEFAULT_DEADLINE,
                   retry_policy: nil, load_balancing_policy: nil, channel_args: {}, **options)
      unknown = options.keys - [:retry]
      raise ArgumentError, "unknown keywords: #{unknown.join(', ')}" unless unknown.empty?

      args = channel_args.dup
      args['grpc.ssl_target_name_override'] = server_name_override if server_name_override
      args['grpc.lb_policy_name'] = load_balancing_policy if load_balancing_policy
      credentials = if plaintext || insecure
                      :this_channel_is_insecure
                    else
                      GRPC::Core::ChannelCredentials.new(root_ca, client_key, client_cert)
                    end
      @channel = GRPC::Core::Channel.new(target, args, credentials)
      @stub = V1::UserTokensService::Stub.new(target, credentials, channel_override: @channel)
      @token_provider = token_provider || (token && -> { token })
      @workload_token = workload_token_file && TokenFile.new(workload_token_file)
      @deadline = deadline
      policy = options.fetch(:retry, retry_policy)
      @retry = policy == true ? RetryPolicy.new : policy
    end

    # The generated stub, for anything this class does not cover.
    attr_reader :stub

    # GetAuthToken: one token's metadata. Retried under the retry policy.
    def get_auth_token(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                       cancellation: nil, **fields)
      call(:get_auth_token, message(V1::GetAuthTokenRequest, request, fields),
           deadline, metadata, response_metadata, cancellation, retried: true)
    end

    # ListAuthTokens: every token, all pages. Retried under the retry policy.
    def list_auth_tokens(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                         cancellation: nil, **fields)
      call(:list_auth_tokens, message(V1::ListAuthTokensRequest, request, fields),
           deadline, metadata, response_metadata, cancellation, retried: true)
    end

    # ListAuthTokensRaw: one page as Vercel sent it. Retried under the retry policy.
    def list_auth_tokens_raw(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                             cancellation: nil, **fields)
      call(:list_auth_tokens_raw, message(V1::ListAuthTokensRawRequest, request, fields),
           deadline, metadata, response_metadata, cancellation, retried: true)
    end

    # Every page of ListAuthTokensRaw from the request's cursor on, as an
    # Enumerator: each page is fetched (one call with the per-call keywords)
    # when the enumeration reaches it, following pagination.next_cursor as
    # `until`, up to a page without one (or repeating the one sent).
    def list_auth_tokens_raw_pages(request = nil, deadline: @deadline, metadata: {}, cancellation: nil,
                                   **fields)
      first = message(V1::ListAuthTokensRawRequest, request, fields)
      Enumerator.new do |pages|
        sent = first
        loop do
          page = list_auth_tokens_raw(sent, deadline: deadline, metadata: metadata,
                                            cancellation: cancellation)
          pages << page
          cursor = page.pagination&.next_cursor.to_s
          break if cursor.empty? || cursor == sent.until

          sent = sent.dup
          sent.since = ''
          sent.until = cursor
        end
      end
    end

    # CreateAuthToken: a new token and its secret (bearer_token). An empty
    # request_id is filled with a fresh UUID v4, the same on every retry (the
    # caller's request is not changed). Retried under the retry policy.
    def create_auth_token(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                          cancellation: nil, **fields)
      request = message(V1::CreateAuthTokenRequest, request, fields)
      if request.request_id.empty?
        request = request.dup
        request.request_id = SecureRandom.uuid
      end
      call(:create_auth_token, request, deadline, metadata, response_metadata, cancellation, retried: true)
    end

    # DeleteAuthToken: revokes a token. Never retried.
    def delete_auth_token(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                          cancellation: nil, **fields)
      call(:delete_auth_token, message(V1::DeleteAuthTokenRequest, request, fields),
           deadline, metadata, response_metadata, cancellation, retried: false)
    end

    # EmailLogin: starts Vercel's email login. Never retried.
    def email_login(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                    cancellation: nil, **fields)
      call(:email_login, message(V1::EmailLoginRequest, request, fields),
           deadline, metadata, response_metadata, cancellation, retried: false)
    end

    # VerifyToken: completes it. Never retried.
    def verify_token(request = nil, deadline: @deadline, metadata: {}, response_metadata: nil,
                     cancellation: nil, **fields)
      call(:verify_token, message(V1::VerifyTokenRequest, request, fields),
           deadline, metadata, response_metadata, cancellation, retried: false)
    end

    # Closes the channel; calls after this fail.
    def close
      @channel.close
    end

    private

    def message(type, request, fields)
      request ||= fields
      request.is_a?(Hash) ? type.new(**request) : request
    end

    def now
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end

    # A provider's value, or UnauthenticatedError / CREDENTIALS_UNAVAILABLE.
    def provide(provider)
      provider.call.to_s
    rescue StandardError => e
      status = Google::Rpc::Status.new(
        code: GRPC::Core::StatusCodes::UNAUTHENTICATED, message: "credentials unavailable: #{e.message}",
        details: [Google::Protobuf::Any.pack(Google::Rpc::ErrorInfo.new(reason: 'CREDENTIALS_UNAVAILABLE',
                                                                         domain: CLIENT_DOMAIN))]
      )
      bad = GRPC::Unauthenticated.new(status.message, { 'grpc-status-details-bin' => Google::Rpc::Status.encode(status) })
      raise Error.from(bad)
    end

    # The metadata of one attempt: credentials (asked afresh), the workload
    # token, then the call's own (whose authorization replaces the client's).
    def attempt_metadata(call_metadata)
      out = {}
      call_keys = call_metadata.keys.map { |k| k.to_s.downcase }
      if @token_provider && !call_keys.include?('authorization')
        token = provide(@token_provider)
        out['authorization'] = "Bearer #{token}" unless token.empty?
      end
      out['x-workload-token'] = provide(@workload_token) if @workload_token
      call_metadata.each { |k, v| out[k.to_s.downcase] = v }
      out
    end

    # One attempt; raises the typed error and fills response_metadata.
    def once(method, request, deadline, call_metadata, response_metadata, cancellation)
      cancellation&.check!
      op = @stub.public_send(method, request, metadata: attempt_metadata(call_metadata), return_op: true,
                                              deadline: Time.now + (deadline - now))
      return execute(op, response_metadata) unless cancellation

      cancellation.track(op) { execute(op, response_metadata) }
    end

    def execute(operation, response_metadata)
      operation.execute
    rescue GRPC::BadStatus => e
      raise Error.from(e, operation.metadata)
    ensure
      response_metadata&.fill((operation.metadata || {}).merge(operation.trailing_metadata || {}))
    end

    def call(method, request, seconds, call_metadata, response_metadata, cancellation, retried:)
      deadline = now + seconds
      attempt = 1
      begin
        once(method, request, deadline, call_metadata, response_metadata, cancellation)
      rescue Error => e
        wait = retried ? @retry&.delay_after(e, attempt) : nil
        raise if wait.nil? || wait >= deadline - now

        (cancellation || Kernel).sleep(wait)
        attempt += 1
        retry
      end
    end
  end
end
